"""The tagged PDF (issue #21, docs/pdf.md "Accessibility"): structure tree, marked content,
artifacts, languages, links, the logo. Every check reopens the PDF with pikepdf, poppler's
``pdfinfo -struct-text`` or veraPDF when installed."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pikepdf
import pytest

from reportgen import model

from .test_pdf import LANGS, TAGS, TITLES, built, bullets, make_doc, para, pdf, phrase, png, section, write  # noqa: F401

needs_pdfinfo = pytest.mark.skipif(shutil.which("pdfinfo") is None, reason="pdfinfo (Debian poppler-utils) not installed")
TEXT_OPERATORS = {"Tj", "TJ", "'", '"'}
PAINTING = TEXT_OPERATORS | {"f", "f*", "F", "S", "s", "B", "B*", "b", "b*", "Do", "sh", "BI"}


# --------------------------------------------------------------------------- reading the tree


def role(elem) -> str:
    return str(elem.S)[1:]


def kids(elem) -> list:
    k = elem.get("/K")
    if k is None:
        return []
    return list(k) if isinstance(k, pikepdf.Array) else [k]


def elements(elem) -> list:
    return [k for k in kids(elem) if isinstance(k, pikepdf.Dictionary) and k.get("/Type") not in ("/MCR", "/OBJR")]


def walk(elem, depth=0):
    yield depth, elem
    for kid in elements(elem):
        yield from walk(kid, depth + 1)


def document(pdf_file: pikepdf.Pdf):
    (doc,) = kids(pdf_file.Root.StructTreeRoot)
    assert role(doc) == "Document"
    return doc


def content_items(elem) -> list[tuple[tuple[int, int], int]]:
    """(page's object id, MCID) of an element's own marked content, in order."""
    out = []
    for k in kids(elem):
        if isinstance(k, int):
            out.append((elem.Pg.objgen, int(k)))
        elif isinstance(k, pikepdf.Dictionary) and k.get("/Type") == "/MCR":
            out.append((k.Pg.objgen, int(k.MCID)))
    return out


def marked_sequences(page) -> tuple[list[tuple[str, int | None]], int, int]:
    """Walk a page's content stream: (tag, MCID) of each marked-content sequence in order, the number
    of text-showing operators outside any sequence, and of painting operators outside any."""
    stack: list[str] = []
    seqs, loose_text, loose_paint = [], 0, 0
    for operands, op in pikepdf.parse_content_stream(page):
        op = str(op)
        if op in ("BDC", "BMC"):
            tag = str(operands[0])[1:]
            stack.append(tag)
            props = operands[1] if op == "BDC" else None
            mcid = int(props["/MCID"]) if isinstance(props, pikepdf.Dictionary) and "/MCID" in props else None
            seqs.append((tag, mcid))
        elif op == "EMC":
            assert stack, "EMC without a sequence"
            stack.pop()
        elif not stack:
            loose_text += op in TEXT_OPERATORS
            loose_paint += op in PAINTING
    assert not stack, "a marked-content sequence is not closed at the end of the page"
    return seqs, loose_text, loose_paint


def parent_tree(pdf_file: pikepdf.Pdf) -> dict[int, object]:
    nums = pdf_file.Root.StructTreeRoot.ParentTree.Nums
    return {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}


def check_marked_content(path: Path) -> pikepdf.Pdf:
    """Every text and painting operator inside marked content, every MCID of a page owned by the
    element the parent tree names, and that element lists it: the invariant of every PDF."""
    f = pikepdf.open(path)
    tree = parent_tree(f)
    owners: dict[tuple[tuple[int, int], int], object] = {}
    for _, elem in walk(document(f)):
        for item in content_items(elem):
            assert item not in owners, item
            owners[item] = elem
    for i, page in enumerate(f.pages):
        seqs, loose_text, loose_paint = marked_sequences(page)
        assert loose_text == 0, f"page {i + 1}: {loose_text} text operators outside marked content"
        assert loose_paint == 0, f"page {i + 1}: {loose_paint} painting operators outside marked content"
        mcids = [m for tag, m in seqs if m is not None]
        assert mcids == list(range(len(mcids))), f"page {i + 1}: MCIDs {mcids}"
        array = tree[int(page.obj.StructParents)]
        assert len(array) == len(mcids)
        for (tag, mcid) in ((t, m) for t, m in seqs if m is not None):
            elem = array[mcid]
            assert role(elem) == tag and owners[(page.obj.objgen, mcid)].objgen == elem.objgen
        assert all(tag == "Artifact" for tag, m in seqs if m is None)
    return f


# --------------------------------------------------------------------------- every built PDF


@pytest.mark.parametrize("lang", LANGS)
def test_catalog_pages_and_metadata_declare_a_tagged_pdf_ua_document(built, lang):
    with pikepdf.open(pdf(built, lang)) as f:
        root = f.Root
        assert root.MarkInfo.Marked is True
        assert "/RoleMap" not in root.StructTreeRoot  # standard types only
        assert str(root.Lang) == TAGS[lang]
        assert root.ViewerPreferences.DisplayDocTitle is True
        assert int(root.StructTreeRoot.ParentTreeNextKey) == len(parent_tree(f))
        assert sorted(int(p.obj.StructParents) for p in f.pages) == list(range(len(f.pages)))
        meta = f.open_metadata()
        assert meta["pdfuaid:part"] == "1"
        assert meta["dc:title"] == TITLES[lang]


@pytest.mark.parametrize("lang", LANGS)
def test_no_text_or_drawing_outside_marked_content(built, lang):
    check_marked_content(pdf(built, lang))
    check_marked_content(pdf(built, lang, "africa-2024"))


def test_structure_of_a_report(built):
    with pikepdf.open(pdf(built, "es")) as f:
        doc = document(f)
        top = [role(e) for e in elements(doc)]
        assert top[:5] == ["P", "P", "P", "H1", "Table"]  # organiser, kind, series, title, facts
        assert top.count("H1") == 1 and "H2" in top and "L" in top
        table = elements(doc)[4]
        for tr in elements(table):
            assert role(tr) == "TR" and [role(c) for c in elements(tr)] == ["TH", "TD"]
            th = elements(tr)[0]
            assert th.A.O == "/Table" and th.A.Scope == "/Row"
        for lst in (e for e in elements(doc) if role(e) == "L"):
            for li in elements(lst):
                assert role(li) == "LI" and [role(c) for c in elements(li)] == ["Lbl", "LBody"]
        for _, elem in walk(doc):  # every element points at its parent
            for kid in elements(elem):
                assert kid.P.objgen == elem.objgen


@needs_pdfinfo
def test_struct_text_is_the_documents_text_in_order(tmp_path):
    doc = make_doc([section("a", "First heading", para("A paragraph & <text>."), bullets("One", "Two")),
                    section("b", "Second heading", para("Last words."))],
                   facts=(("Date", "18 January 2024"), ("Location", "Online")))
    path = write(tmp_path, doc)
    out = subprocess.run(["pdfinfo", "-struct-text", str(path)], check=True, capture_output=True, text=True).stdout
    texts = [t.strip() for t in re.findall(r'^\s*"(.*)"$', out, re.M)]
    assert texts == ["The Alliance of NGOs on Crime Prevention & Criminal Justice", "OUTCOME REPORT", "A series",
                     "A title", "Date", "18 January 2024", "Location", "Online", "First heading",
                     "A paragraph & <text>.", "•", "One", "•", "Two", "Second heading", "Last words."]


# --------------------------------------------------------------------------- languages


def test_english_fallback_elements_carry_their_language(tmp_path):
    en = model.Phrase("Untranslated English paragraph.", lang="en-GB")
    doc = make_doc([model.LSection("a", model.Phrase("Titre traduit"), (
        model.LParagraph(model.Phrase("Un paragraphe traduit.")), model.LParagraph(en),
        model.LBulletList((model.Phrase("Puce traduite"), model.Phrase("English bullet", lang="en-GB"))),
    ))], lang="fr")
    doc = doc._replace(title=model.Phrase("English title", lang="en-GB"))
    with check_marked_content(write(tmp_path, doc)) as f:
        assert str(f.Root.Lang) == "fr-FR"
        langs = {(role(e), str(e.get("/Lang", ""))) for _, e in walk(document(f))}
        assert ("H1", "en-GB") in langs and ("P", "en-GB") in langs and ("LBody", "en-GB") in langs
        untagged = [role(e) for _, e in walk(document(f)) if "/Lang" not in e]
        assert "H2" in untagged and untagged.count("LBody") == 1


def test_draft_marks_and_fallback_language_on_the_markup_path(tmp_path):
    """Text with a draft mark is a ReportLab Paragraph: still one element, its bullet an Lbl."""
    fuzzy = model.Phrase("Fuzzy bullet text", marked=True, lang="en-GB")
    doc = make_doc([model.LSection("a", model.Phrase("Heading", marked=True),
                                   (model.LBulletList((fuzzy, model.Phrase("Plain"))),))], draft=True)
    with check_marked_content(write(tmp_path, doc)) as f:
        (lst,) = [e for _, e in walk(document(f)) if role(e) == "L"]
        first = elements(lst)[0]
        assert [role(c) for c in elements(first)] == ["Lbl", "LBody"]
        assert str(elements(first)[1].Lang) == "en-GB"


# --------------------------------------------------------------------------- links


def annotations(f: pikepdf.Pdf) -> list[tuple[int, object]]:
    return [(i, a) for i, p in enumerate(f.pages) for a in p.obj.get("/Annots", [])]


def test_urls_become_link_annotations_inside_link_elements(tmp_path):
    url = "https://example.org/report?id=7"
    doc = make_doc([section("a", "Links", para(f"Read it at {url}. Or not."),
                            bullets("See https://example.org/a_(b) too"))])
    with check_marked_content(write(tmp_path, doc)) as f:
        anns = annotations(f)
        assert [str(a.A.URI) for _, a in anns] == [url, "https://example.org/a_(b)"]
        tree = parent_tree(f)
        links = [e for _, e in walk(document(f)) if role(e) == "Link"]
        assert len(links) == 2
        for (page, ann), link in zip(anns, links):
            assert ann.Subtype == "/Link" and str(ann.Contents) == str(ann.A.URI)
            assert tree[int(ann.StructParent)].objgen == link.objgen
            objr = [k for k in kids(link) if isinstance(k, pikepdf.Dictionary) and k.get("/Type") == "/OBJR"]
            assert [o.Obj.objgen for o in objr] == [ann.objgen]
            assert f.pages[page].obj.Tabs == "/S"
        paragraph = links[0].P
        assert role(paragraph) == "P" and len(content_items(paragraph)) == 2  # before and after the URL
        rect = [float(x) for x in anns[0][1].Rect]
        height = float(f.pages[0].mediabox[3])
    text = subprocess.run(["pdftotext", str(tmp_path / "t.pdf"), "-"], capture_output=True, text=True).stdout
    assert f"Read it at {url}. Or not." in text
    bbox = subprocess.run(["pdftotext", "-bbox", str(tmp_path / "t.pdf"), "-"], capture_output=True, text=True).stdout
    box = re.search(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">' + re.escape(url) + r"\.</word>",
                    bbox)
    x0, y0, x1, y1 = (float(v) for v in box.groups())  # the annotation covers the URL, not its full stop
    assert abs(rect[0] - x0) < 0.5 and rect[2] < x1 < rect[2] + 4
    assert rect[1] <= height - y1 + 2 and rect[3] >= height - y0 - 2  # poppler: the font's whole box


def test_a_url_broken_over_lines_is_one_link(tmp_path):
    url = "https://example.org/" + "segment/" * 30
    doc = make_doc([section("a", None, para(f"Go to {url} now."))])
    with check_marked_content(write(tmp_path, doc)) as f:
        anns = annotations(f)
        assert len(anns) >= 3 and {str(a.A.URI) for _, a in anns} == {url}
        (link,) = [e for _, e in walk(document(f)) if role(e) == "Link"]
        objr = [k.Obj.objgen for k in kids(link) if isinstance(k, pikepdf.Dictionary) and k.get("/Type") == "/OBJR"]
        assert objr == [a.objgen for _, a in anns] and len(content_items(link)) == 1  # its lines: one sequence
    with pikepdf.open(write(tmp_path, make_doc([]), "plain.pdf")) as f:
        assert "/Tabs" not in f.pages[0].obj


def test_non_ascii_url_is_percent_encoded(tmp_path):
    doc = make_doc([section("a", None, para("Voir https://exemple.fr/sécurité pour plus."))], lang="fr")
    with pikepdf.open(write(tmp_path, doc)) as f:
        (_, ann), = annotations(f)
        assert str(ann.A.URI) == "https://exemple.fr/s%C3%A9curit%C3%A9"


# --------------------------------------------------------------------------- logo


@pytest.mark.parametrize("decorative", [False, True])
def test_logo_is_a_figure_with_alt_text_or_an_artifact(tmp_path, decorative):
    theme = model.Theme(logo=png(tmp_path / "logo.png"), logo_decorative=decorative)
    doc = make_doc([section("a", "H", para("Text."))])
    doc = doc._replace(labels=doc.labels._replace(logo_alt="Logo of the Alliance"))
    with check_marked_content(write(tmp_path, doc, theme=theme)) as f:
        figures = [e for _, e in walk(document(f)) if role(e) == "Figure"]
        seqs, _, _ = marked_sequences(f.pages[0])
        if decorative:
            assert figures == []
        else:
            (figure,) = figures
            assert str(figure.Alt) == "Logo of the Alliance"
            assert elements(document(f))[0].objgen == figure.objgen  # first in reading order
            assert ("Figure", 0) in seqs


def test_logo_alt_text_is_translated(default_project, cli):
    png(default_project / "logo.png")
    (default_project / "reportgen.toml").write_text('[theme]\nlogo = "logo.png"\n', "utf-8")
    assert cli("build", "-q", "--lang", "fr", "--format", "pdf", cwd=default_project).code == 0
    with pikepdf.open(default_project / "build" / "americas-2024" / "americas-2024.fr.pdf") as f:
        (figure,) = [e for _, e in walk(document(f)) if role(e) == "Figure"]
        assert str(figure.Alt) == "Logo\u00a0: Alliance des ONG pour la prévention du crime et la justice pénale"


# --------------------------------------------------------------------------- across pages


def test_long_report_elements_continue_across_pages(tmp_path):
    long = "A sentence that goes on for a while to fill the page. " * 120
    doc = make_doc([section(f"s{i}", f"Heading {i}", para(long), bullets(*(long[:300] for _ in range(4))))
                    for i in range(4)])
    with check_marked_content(write(tmp_path, doc)) as f:
        assert len(f.pages) >= 6
        split = [e for _, e in walk(document(f)) if len({p for p, _ in content_items(e)}) > 1]
        assert split and all(role(e) in ("P", "LBody") for e in split)


def test_facts_table_split_across_a_page_break_stays_one_table(tmp_path):
    value = "A very long location description that wraps. " * 200
    doc = make_doc([section("a", "After", para("Text."))], facts=(("Date", "18 January 2024"), ("Location", value)))
    with check_marked_content(write(tmp_path, doc)) as f:
        assert len(f.pages) >= 2
        (table,) = [e for _, e in walk(document(f)) if role(e) == "Table"]
        td = elements(elements(table)[1])[1]
        assert role(td) == "TD" and len({p for p, _ in content_items(td)}) >= 2


# --------------------------------------------------------------------------- ReportLab and veraPDF


def test_the_private_reportlab_attributes_used_still_exist(tmp_path):
    """render/pdf.py's ``_document`` and ``_page_dictionary`` rely on ReportLab internals (no public
    API exists in 4.1-5.1): the canvas's ``_doc``, its ``Pages`` and ``Reference``, and
    ``PDFPage.__NoDefault__``. This fails first, and clearly, if ReportLab changes them."""
    from reportlab.pdfbase.pdfdoc import PDFDocument, PDFPage
    from reportlab.pdfgen.canvas import Canvas

    from reportgen.render.pdf import _document, _page_dictionary

    c = Canvas(str(tmp_path / "x.pdf"))
    assert isinstance(_document(c), PDFDocument)
    assert isinstance(PDFPage.__NoDefault__, list) and "Annots" in PDFPage.__NoDefault__
    c.drawString(10, 10, "x")
    c.showPage()
    page = _page_dictionary(c, {"StructParents": 0})
    assert isinstance(page, PDFPage) and "StructParents" not in PDFPage.__NoDefault__
    c.save()
    with pikepdf.open(tmp_path / "x.pdf") as f:
        assert int(f.pages[0].obj.StructParents) == 0


@pytest.mark.skipif(shutil.which("verapdf") is None, reason="veraPDF not installed (https://verapdf.org)")
def test_verapdf_pdf_ua_1(built):
    out = subprocess.run(["verapdf", "--flavour", "ua1", "--format", "text", str(pdf(built, "fr"))],
                         capture_output=True, text=True)
    assert out.stdout.startswith("PASS"), out.stdout + out.stderr
