"""The bilingual review copy as DOCX (python-docx): write it, and read a reviewer's edited copy.

What goes into the copy is decided in :mod:`reportgen.i18n.review`; this module only lays out the
plain records below and reads them back. A review copy is a landscape document with one table per
section: reference | English | translation (shaded: the only column meant to be edited) | status and
notes.

**What identifies a row** survives Word and LibreOffice: two bookmarks in the reference cell (a
bookmark is invisible, cannot be typed over by accident, is not copied with a copied row, and
LibreOffice 7.4 keeps its name through ``--convert-to docx``; a content control's ``w:tag`` and
``w:docVars`` do not survive LibreOffice, a hidden run is shown with the formatting marks and
copied with the row). Their names (40 characters, letters and digits: Word's own limit for bookmark
names) are made by the caller. What the whole copy was made from is kept in custom document
properties (``docProps/custom.xml``: File › Properties in both programs), which also survive.
"""

from __future__ import annotations

import datetime as _dt
import io
import re
import zipfile
from typing import NamedTuple, Sequence

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.exceptions import PackageNotFoundError
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from . import escape
from .package import fixed_zip

#: Column widths (mm) on landscape A4 with 15 mm margins: 267 mm of text width.
WIDTHS_MM = (34, 84, 84, 65)
HEADINGS = ("Reference", "English", "Translation", "Status and notes")
TRANSLATION_COLUMN = 2
SHADE = "FFF7D6"  # the translation column: the one to edit
MUTED = "595959"
_CUSTOM_NS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
_VT_NS = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
_FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"
_BOOKMARK = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,39}$")


class Row(NamedTuple):
    number: int
    reference: str  # the msgctxt
    english: str
    translation: str
    status: str  # first line of the last column
    notes: tuple[str, ...]  # further lines: previous English, check findings, translator comments
    keys: tuple[str, ...]  # bookmark names that identify the row


class Group(NamedTuple):
    title: str
    intro: tuple[str, ...]
    rows: tuple[Row, ...]


class Copy(NamedTuple):
    title: str
    lang_tag: str  # of the translations (BCP 47)
    source_tag: str  # of the English
    intro: tuple[str, ...]  # what it was made from, how to use it
    groups: tuple[Group, ...]
    properties: tuple[tuple[str, str], ...]  # custom document properties
    created: _dt.datetime  # UTC
    generator: str


class ReadRow(NamedTuple):
    number: int  # position among the rows of all tables (header rows not counted), 1-based
    keys: tuple[str, ...]  # bookmark names in the row
    cells: tuple[str, ...]


class ReadCopy(NamedTuple):
    properties: dict[str, str]
    rows: tuple[ReadRow, ...]


class NotAReviewCopy(Exception):
    """The file is not a DOCX, or not one that reportgen wrote as a review copy."""


# --------------------------------------------------------------------------- writing


def write(copy: Copy) -> bytes:
    """The review copy as DOCX bytes; the same ``copy`` gives the same bytes."""
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(15))
    normal = document.styles["Normal"]
    normal.font.name = "Arial"
    normal.font.size = Pt(9.5)
    _set_language(document, copy.lang_tag)
    document.add_heading(copy.title, level=0)
    for line in copy.intro:
        document.add_paragraph(line)
    for group in copy.groups:
        document.add_heading(group.title, level=1)
        for line in group.intro:
            run = document.add_paragraph().add_run(line)
            run.font.size = Pt(8.5)
            run.font.color.rgb = RGBColor.from_string(MUTED)
        _table(document, group.rows, copy)
    _properties(document, copy)
    buf = io.BytesIO()
    document.save(buf)
    return fixed_zip(buf.getvalue())


_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_TEXT_PARTS = re.compile(r"(\n|\t)")
_BOLD = "<w:b/>"


def _twips(mm: float) -> int:
    return round(mm * 1440 / 25.4)


def _runs(text: str, rpr: str = "") -> str:
    """``text`` as a run: tabs and line breaks as w:tab and w:br (as python-docx writes them)."""
    out = []
    for part in _TEXT_PARTS.split(text):
        if part == "\n":
            out.append("<w:br/>")
        elif part == "\t":
            out.append("<w:tab/>")
        elif part:
            out.append(f'<w:t xml:space="preserve">{escape(part)}</w:t>')
    return f"<w:r><w:rPr>{rpr}</w:rPr>{''.join(out)}</w:r>" if out else ""


def _muted(size: float) -> str:
    half = round(size * 2)
    return f'<w:color w:val="{MUTED}"/><w:sz w:val="{half}"/><w:szCs w:val="{half}"/>'


def _cell(width: int, paragraphs: Sequence[str], fill: str = "") -> str:
    shade = f'<w:shd w:val="clear" w:color="auto" w:fill="{fill}"/>' if fill else ""
    body = "".join(f"<w:p>{p}</w:p>" for p in paragraphs)
    return f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{shade}</w:tcPr>{body}</w:tc>'


def _table(document, rows: Sequence[Row], copy: Copy) -> None:
    """One table, written as XML and parsed once (python-docx's add_row and cell look-ups cost
    about 5 ms a row: 5 s for a copy of 1,000 texts)."""
    widths = [_twips(w) for w in WIDTHS_MM]
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
    head = "".join(_cell(w, [_runs(h, _BOLD)]) for w, h in zip(widths, HEADINGS))
    parts = [f'<w:tbl xmlns:w="{_W}"><w:tblPr><w:tblStyle w:val="{document.styles["Table Grid"].style_id}"/>'
             f'<w:tblW w:w="{sum(widths)}" w:type="dxa"/><w:jc w:val="center"/><w:tblLayout w:type="fixed"/>'
             '<w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="1" w:lastColumn="0" '
             f'w:noHBand="0" w:noVBand="1"/></w:tblPr><w:tblGrid>{grid}</w:tblGrid>'
             f"<w:tr><w:trPr><w:tblHeader/></w:trPr>{head}</w:tr>"]  # the header row repeats on each page
    english = f'<w:lang w:val="{escape(copy.source_tag)}"/>'
    for row in rows:
        marks = "".join(_bookmark(name, row.number * 4 + n) for n, name in enumerate(row.keys))
        status = [_runs(row.status, _BOLD)] + [_runs(note, _muted(8)) for note in row.notes]
        parts.append("<w:tr>" + "".join((
            _cell(widths[0], [marks + _runs(str(row.number), _BOLD), _runs(row.reference, _muted(7))]),
            _cell(widths[1], [_runs(row.english, english)]),
            _cell(widths[2], [_runs(row.translation)], SHADE),
            _cell(widths[3], status),
        )) + "</w:tr>")
    parts.append("</w:tbl>")
    body = document.element.body
    body.insert(len(body) - 1, parse_xml("".join(parts)))  # before the final w:sectPr


def _bookmark(name: str, ident: int) -> str:
    if not _BOOKMARK.match(name):
        raise ValueError(f"not a bookmark name Word accepts: {name!r}")
    return f'<w:bookmarkStart w:id="{ident}" w:name="{name}"/><w:bookmarkEnd w:id="{ident}"/>'


def _set_language(document, tag: str) -> None:
    """The proofing language of the document (the translations'): ``w:lang`` in the defaults."""
    rpr = document.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), tag)


def _properties(document, copy: Copy) -> None:
    cp = document.core_properties
    cp.title = copy.title[:255]
    cp.language = copy.lang_tag
    cp.author = cp.last_modified_by = "reportgen"
    cp.comments = ""
    cp.revision = 1
    cp.created = cp.modified = copy.created.astimezone(_dt.timezone.utc).replace(tzinfo=None, microsecond=0)
    package = document.part.package
    for rid, rel in list(package.rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            del package.rels[rid]
    items = "".join(
        f'<property fmtid="{_FMTID}" pid="{pid}" name="{escape(name)}"><vt:lpwstr>{escape(value)}</vt:lpwstr></property>'
        for pid, (name, value) in enumerate(copy.properties, 2))
    blob = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Properties xmlns="{_CUSTOM_NS}" '
            f'xmlns:vt="{_VT_NS}">{items}</Properties>').encode("utf-8")
    part = Part(PackURI("/docProps/custom.xml"), CT.OFC_CUSTOM_PROPERTIES, blob, package)
    package.relate_to(part, RT.CUSTOM_PROPERTIES)
    for part in package.iter_parts():
        if part.partname == "/docProps/app.xml":
            part._blob = (  # python-docx's template says "Microsoft Macintosh Word"
                "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
                '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
                f"<Application>{escape(copy.generator)}</Application></Properties>").encode()


# --------------------------------------------------------------------------- reading


def read(data: bytes) -> ReadCopy:
    """The custom properties and the table rows of a DOCX (a review copy, edited or not).

    A cell's text is what a reader sees once tracked changes are accepted: insertions count,
    deletions and the origin of moved text do not; paragraphs are joined with line breaks."""
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise NotAReviewCopy("not a DOCX file (not a zip archive)")
    try:
        document = Document(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile, SyntaxError) as exc:
        raise NotAReviewCopy(f"not a DOCX file ({type(exc).__name__}: {exc})") from None
    properties = _read_properties(document)
    rows: list[ReadRow] = []
    for table in document.element.body.iter(qn("w:tbl")):
        for tr in table.iterchildren(qn("w:tr")):
            if tr.find(f"{qn('w:trPr')}/{qn('w:tblHeader')}") is not None:
                continue
            keys = tuple(b.get(qn("w:name"), "") for b in tr.iter(qn("w:bookmarkStart")))
            cells = tuple(_cell_text(tc) for tc in tr.iterchildren(qn("w:tc")))
            if cells == HEADINGS:  # a header row no longer marked as one
                continue
            rows.append(ReadRow(len(rows) + 1, keys, cells))
    return ReadCopy(properties, tuple(rows))


def _read_properties(document) -> dict[str, str]:
    package = document.part.package
    for rel in package.rels.values():
        if rel.reltype == RT.CUSTOM_PROPERTIES and not rel.is_external:
            try:
                root = parse_xml(rel.target_part.blob)
            except SyntaxError as exc:
                raise NotAReviewCopy(f"unreadable document properties ({exc})") from None
            return {p.get("name", ""): "".join(p.itertext()) for p in root.iterchildren(f"{{{_CUSTOM_NS}}}property")}
    return {}


_SKIP = {qn("w:del"), qn("w:moveFrom")}
_BREAKS = {qn("w:br"): "\n", qn("w:cr"): "\n", qn("w:tab"): "\t", qn("w:noBreakHyphen"): "\u2011",
           qn("w:softHyphen"): "\u00ad"}


def _cell_text(tc) -> str:
    paragraphs = []
    for p in tc.iter(qn("w:p")):
        parts = []
        for r in p.iter(qn("w:r")):
            if any(a.tag in _SKIP for a in r.iterancestors()):
                continue
            for child in r:
                if child.tag == qn("w:t"):
                    parts.append(child.text or "")
                elif child.tag in _BREAKS:
                    parts.append(_BREAKS[child.tag])
        paragraphs.append("".join(parts))
    return "\n".join(paragraphs)
