"""Helpers for the hostile-text tests: push one text through the real entry points (YAML source,
PO catalog, localize) and both renderers, then read it back."""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import yaml
from docx import Document

from reportgen.i18n import merge, po as po_file, translator as translations
from reportgen.paths import catalog_path
from reportgen import localize, model, sources
from reportgen.render import RenderOptions, get_renderer
from reportgen.render.fonts import plain

LANGS = ("en", "es", "fr", "pt")
FIELDS = ("series", "title", "organiser", "location", "keyword", "heading", "paragraph", "bullet")
PDFTOTEXT = shutil.which("pdftotext")
A4_WIDTH, A4_HEIGHT = 595.28, 841.89
MARGIN = 56.69  # 20 mm
BODY_BOTTOM = 785  # points from the top: below the text frame, above the footer rule (798)


def source_dict(texts: dict[str, str], bullets: list[str] | None = None) -> dict:
    return {
        "id": "hostile",
        "kind": "outcome-report",
        "series": texts["series"],
        "title": texts["title"],
        "organiser": texts["organiser"],
        "event": {"date": "2024-01-18", "start": "10:00", "end": "11:30", "timezone": "CET",
                  "location": texts["location"], "participants": {"count": 1250, "qualifier": "over"}},
        "keywords": [texts["keyword"]],
        "sections": [{"id": "main", "heading": texts["heading"], "body": [
            {"id": "para", "paragraph": texts["paragraph"]},
            {"id": "list", "bullets": bullets if bullets is not None else [{"id": "item", "text": texts["bullet"]}]},
        ]}],
    }


@dataclass
class Built:
    doc: model.LocalizedReport
    translator: translations.Translator


def build_doc(root: Path, text: str, lang: str, bullets: list[str] | None = None,
              translated_bullets: list[str] | None = None) -> Built:
    """``text`` in every text field of a document in ``lang``: in the YAML source for English, in
    the PO catalog (source text stays plain English) for the others. Raises InputError when the
    source refuses it; catalog problems are left in ``translator.diagnostics``."""
    (root / "sources").mkdir(parents=True, exist_ok=True)
    english = {f: (text if lang == "en" else f"English {f}") for f in FIELDS}
    path = root / "sources" / "hostile.yaml"
    data = source_dict(english, bullets)
    dumped = yaml.safe_dump(data, allow_unicode=True, width=1000)
    if yaml.safe_load(dumped) != data:  # PyYAML writes U+0085 raw, and reads it back as a line break:
        dumped = yaml.safe_dump(data, allow_unicode=False, width=1000)  # escaped, the text is exact
    path.write_text(dumped, "utf-8")
    report = sources.load_source(path, root)
    locales = root / "locales"
    if lang != "en":
        cat = merge.new_language_catalog(lang)
        extra = iter(translated_bullets or [])
        for t in report.texts():
            is_generated_bullet = bullets is not None and ":list-" in t.context
            cat.entries.append(po_file.Entry(t.msgid, (next(extra) if is_generated_bullet else text,), t.context))
        po = catalog_path(locales, lang)
        po.parent.mkdir(parents=True, exist_ok=True)
        po.write_bytes(po_file.dump(cat))
    tr = translations.load_translator(lang, locales, "en", base=root)
    doc = localize.localize(report, tr, localize.language_tag(lang)).report
    return Built(doc, tr)


def render(doc: model.LocalizedReport, fmt: str) -> bytes:
    return get_renderer(fmt)(doc, RenderOptions()).data


def docx_paragraphs(data: bytes, where: Path) -> list[str]:
    path = where / "out.docx"
    path.write_bytes(data)
    return [p.text for p in Document(str(path)).paragraphs]


def pdf_body_text(data: bytes, where: Path) -> str:
    """The text of every page above the footer, in drawing order (-raw: no joining of a line-end
    "-" to the next line as if it were a hyphen)."""
    path = where / "out.pdf"
    path.write_bytes(data)
    out = subprocess.run([PDFTOTEXT, "-raw", "-enc", "UTF-8", "-x", "0", "-y", "0", "-W", "596", "-H", str(BODY_BOTTOM),
                          str(path), "-"], check=True, capture_output=True)
    return out.stdout.decode("utf-8")


def pdf_words_outside(data: bytes, where: Path) -> list[str]:
    """Words whose box leaves the page's text area (left/right margins, page bottom)."""
    path = where / "bbox.pdf"
    path.write_bytes(data)
    html = subprocess.run([PDFTOTEXT, "-bbox", str(path), "-"], check=True, capture_output=True).stdout.decode()
    bad = []
    for m in re.finditer(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>', html):
        x0, y0, x1, y1 = (float(m.group(i)) for i in range(1, 5))
        if x0 < MARGIN - 1 or x1 > A4_WIDTH - MARGIN + 1 or y1 > A4_HEIGHT:
            bad.append(f"{m.group(5)[:30]!r} at x {x0:.0f}-{x1:.0f}")
    return bad


def squash(text: str) -> str:
    """What must survive any line breaking: the characters without whitespace, composed."""
    return "".join(unicodedata.normalize("NFC", text).split())


def pdf_expected(text: str) -> str:
    """What the PDF shows of ``text`` (see render.pdf.plain), squashed."""
    return squash(plain(text))
