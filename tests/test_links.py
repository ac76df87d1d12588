"""URLs in running text are links in both formats: a ``/Link`` annotation in the PDF
(tests/test_pdf_tags.py) and a real hyperlink in the DOCX (here, reopened with python-docx)."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile

import pytest

from docx import Document
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import qn

from reportgen import model
from reportgen.render import RenderOptions
from reportgen.render.docx import render
from reportgen.render.links import find_urls

from .test_pdf import make_doc, para, section


def urls(text: str) -> list[str]:
    return [text[a:b] for a, b in find_urls(text)]


def test_find_urls_leaves_the_sentence_punctuation_out():
    assert urls("See https://example.org/a. Then") == ["https://example.org/a"]
    assert urls("(see https://en.wikipedia.org/wiki/A_(b)), x") == ["https://en.wikipedia.org/wiki/A_(b)"]
    assert urls("« https://exemple.fr/page » et http://a.b/c?d=1&e=2; fin") == ["https://exemple.fr/page",
                                                                             "http://a.b/c?d=1&e=2"]
    assert urls("no link: https:// or ftp://x.y or example.org") == []


def hyperlinks(data: bytes) -> list[tuple[str, str, bool]]:
    """(text, target, external) of every w:hyperlink of the body."""
    d = Document(io.BytesIO(data))
    out = []
    for h in d.element.body.iter(qn("w:hyperlink")):
        rel = d.part.rels[h.get(qn("r:id"))]
        out.append(("".join(t.text for t in h.iter(qn("w:t"))), rel.target_ref, rel.is_external))
        assert rel.reltype == RT.HYPERLINK
    return out


def test_docx_urls_are_hyperlinks_and_the_text_is_unchanged():
    url = "https://example.org/report?id=7&x=1"
    doc = make_doc([section("a", "Links", para(f"Read it at {url}. Or not."))])
    data = render(doc, RenderOptions()).data
    assert hyperlinks(data) == [(url, url, True)]
    text = [p.text for p in Document(io.BytesIO(data)).paragraphs]
    assert f"Read it at {url}. Or not." in text


def test_docx_fallback_language_stays_on_the_link_run():
    p = model.Phrase("See https://example.org now", lang="en-GB")
    doc = make_doc([model.LSection("a", None, (model.LParagraph(p),))], lang="fr")
    d = Document(io.BytesIO(render(doc, RenderOptions()).data))
    (h,) = d.element.body.iter(qn("w:hyperlink"))
    assert [e.get(qn("w:val")) for e in h.iter(qn("w:lang"))] == ["en-GB"]


def test_docx_links_of_one_document_do_not_leak_into_the_next():
    """The template part is reused between renders: its hyperlink relationships are per document."""
    with_link = make_doc([section("a", None, para("https://example.org/one"))])
    without = make_doc([section("a", None, para("No link here."))])
    first = render(with_link, RenderOptions()).data
    assert hyperlinks(render(without, RenderOptions()).data) == []
    assert render(with_link, RenderOptions()).data == first


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")
def test_libreoffice_reads_the_docx_hyperlink(tmp_path):
    url = "https://example.org/report?id=7"
    (tmp_path / "l.docx").write_bytes(render(make_doc([section("a", None, para(f"Read {url} now."))]),
                                             RenderOptions()).data)
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "odt",
                    "--outdir", str(tmp_path), str(tmp_path / "l.docx")], check=True, capture_output=True, timeout=180)
    with zipfile.ZipFile(tmp_path / "l.odt") as z:
        content = z.read("content.xml").decode()
    assert re.search(rf'<text:a [^>]*xlink:href="{re.escape(url)}"[^>]*>{re.escape(url)}</text:a>', content)
