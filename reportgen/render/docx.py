"""DOCX renderer (python-docx). The only module that imports docx.

The DOCX is for organisers who edit it before publishing, so it is built like a document written
in Word:

* **Styles**: only Word's built-in styles (Title, Subtitle, Heading 1, List Bullet, Normal, Footer;
  the character styles Strong and Intense Emphasis). Fonts and colours come from the document
  theme (Arial; the project's accent, text and muted colours as Accent 1, Text 1 and Text 2), and
  the text carries no direct run formatting, so changing a style or the theme in Word restyles the
  whole report. The only exceptions are the red marks of a draft build.
* **Template**: with ``RenderOptions.docx_template`` (like pandoc's reference document) the
  template's styles, theme, page setup, header and footer are used as they are; styles the
  template lacks are taken from python-docx's default template. The footer is ours only when
  the template's footer is empty.
* **Language**: the document's default ``w:lang`` and the theme font language are the output
  language, so Word and LibreOffice check spelling in it; a text shown in another language
  (English left untranslated) carries its own run language.
* **Properties, fields, bytes**: core and app properties, a footer "Page X of Y" built from PAGE
  and NUMPAGES fields, no thumbnail, and a zip with fixed dates and order: the same input gives
  the same bytes.

Paragraphs are written as XML elements with the style ids looked up once per document
(python-docx's ``add_paragraph(style=name)`` looks the style up by name for every paragraph).
python-docx is used through its public API (``Document``, styles, sections, core properties,
``document.save``) and its documented way to the XML (``docx.oxml``: ``OxmlElement``, ``qn``, the
elements behind the objects); the saved package is zipped again with fixed dates (:func:`_save`).
"""

from __future__ import annotations

import copy
import io
import re
import threading
import zipfile
from pathlib import Path

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm
from docx.opc.constants import RELATIONSHIP_TYPE as RT

from ..model import LBulletList, LocalizedReport, LParagraph, Phrase
from . import Rendered, RenderOptions, docx_package
from .links import find_urls
from .docx_properties import app_xml, set_properties
from .package import fixed_zip

DOCX_FONT = "Arial"  # present in Word everywhere; Liberation Sans stands in on Linux
PAGE_SIZES_MM = {"A4": (210, 297), "LETTER": (215.9, 279.4)}
DRAFT_RED = "B00020"

#: Built-in styles the renderer uses: name -> type ("paragraph" or "character").
STYLES = {
    "Normal": "paragraph", "Title": "paragraph", "Subtitle": "paragraph", "Heading 1": "paragraph",
    "Heading 2": "paragraph", "List Bullet": "paragraph", "Header": "paragraph", "Footer": "paragraph",
    "Strong": "character", "Intense Emphasis": "character",
}

_RTL = {"ar", "he", "fa", "ur", "yi", "ps", "sd", "ug", "dv", "ckb"}
_CJK = {"zh", "ja", "ko"}

_W_P, _W_PPR, _W_PSTYLE, _W_R, _W_RPR, _W_RSTYLE, _W_T = (
    qn("w:p"), qn("w:pPr"), qn("w:pStyle"), qn("w:r"), qn("w:rPr"), qn("w:rStyle"), qn("w:t"))
_W_VAL, _XML_SPACE = qn("w:val"), "{http://www.w3.org/XML/1998/namespace}space"
_W_BIDI, _W_EAST_ASIA = qn("w:bidi"), qn("w:eastAsia")
_SPECIAL = re.compile(r"(\r\n|[\t\n\r\v\f\u2028\u2029])")
_ANY_SPECIAL = re.compile(r"[\t\n\r\v\f\u2028\u2029]")  # a plain class scans fast; the alternation does not


class TemplateError(Exception):
    """The DOCX template cannot be used; the message says why."""


def check_template(path: Path) -> None:
    """Raise :class:`TemplateError` unless ``path`` is a DOCX file python-docx can open."""
    if not path.is_file():
        raise TemplateError("no such file" if not path.exists() else "not a file")
    if not zipfile.is_zipfile(path):
        raise TemplateError("not a DOCX file (not a zip archive)")
    try:  # sizes (before decompressing anything), macros, external links: render/docx_package.py
        docx_package.check_package(path)
    except docx_package.UnsafeTemplate as exc:
        raise TemplateError(str(exc)) from None
    with zipfile.ZipFile(path) as z:
        names = set(z.namelist())
        types = z.read("[Content_Types].xml") if "[Content_Types].xml" in names else b""
    if docx_package.macro_kind(types):
        raise TemplateError(docx_package.macro_kind(types))
    if b"wordprocessingml.template.main" in types:
        raise TemplateError("a Word template (.dotx): open it in Word and save it as a document (.docx)")
    if b"wordprocessingml.document.main" not in types:
        raise TemplateError("not a DOCX file (a zip archive without a Word document in it)")
    try:
        Document(str(path))
    except Exception as exc:  # noqa: BLE001 - python-docx raises many kinds for a broken package
        reason = str(exc).split("\n")[0].strip("\"'") or type(exc).__name__
        raise TemplateError(f"not a usable DOCX file: {reason}") from None


# --------------------------------------------------------------------------- language


def _set_lang(rpr, tag: str) -> None:
    """Set w:lang on a w:rPr: ``val`` always, ``bidi`` / ``eastAsia`` for languages of those scripts."""
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.insert_element_before(lang, "w:eastAsianLayout", "w:specVanish", "w:oMath")
    lang.set(_W_VAL, tag)
    primary = tag.split("-")[0].lower()
    for attr, languages in ((_W_BIDI, _RTL), (_W_EAST_ASIA, _CJK)):
        if primary in languages:
            lang.set(attr, tag)
        elif attr in lang.attrib:  # a prepared template is reused for another language
            del lang.attrib[attr]


def _set_document_language(document, tag: str) -> None:
    styles = document.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is None:
        defaults = OxmlElement("w:docDefaults")
        styles.insert(0, defaults)
    rpr_default = defaults.find(qn("w:rPrDefault"))
    if rpr_default is None:
        rpr_default = OxmlElement("w:rPrDefault")
        defaults.insert(0, rpr_default)
    rpr = rpr_default.find(qn("w:rPr"))
    if rpr is None:
        rpr = OxmlElement("w:rPr")
        rpr_default.append(rpr)
    _set_lang(rpr, tag)
    settings = document.settings.element
    theme_lang = settings.find(qn("w:themeFontLang"))
    if theme_lang is None:
        theme_lang = OxmlElement("w:themeFontLang")
        settings.insert_element_before(
            theme_lang, "w:clrSchemeMapping", "w:doNotIncludeSubdocsInStats", "w:doNotAutoCompressPictures",
            "w:forceUpgrade", "w:captions", "w:readModeInkLockDown", "w:smartTagType", "sl:schemaLibrary",
            "w:shapeDefaults", "w:doNotEmbedSmartTags", "w:decimalSymbol", "w:listSeparator")
    theme_lang.set(_W_VAL, tag)
    # let Word and LibreOffice check spelling afresh; no preview picture
    for name in ("w:proofState", "w:savePreviewPicture"):
        _remove(settings, name)


# --------------------------------------------------------------------------- styles and theme


def _el(tag: str, **attrs: str):
    el = OxmlElement(tag)
    for k, v in attrs.items():
        el.set(qn(f"w:{k}"), v)
    return el


def _major_fonts():
    return _el("w:rFonts", asciiTheme="majorHAnsi", hAnsiTheme="majorHAnsi", eastAsiaTheme="majorEastAsia",
               cstheme="majorBidi")


def _colour(hex_colour: str, theme_colour: str):
    return _el("w:color", val=hex_colour.lstrip("#").upper(), themeColor=theme_colour)


def _size(points: float) -> list:
    half = str(round(points * 2))
    return [_el("w:sz", val=half), _el("w:szCs", val=half)]


def _replace(style_el, tag: str, children: list) -> None:
    """Give a style a fresh w:pPr / w:rPr holding ``children`` (already in schema order)."""
    _remove(style_el, tag)
    if not children:
        return
    new = OxmlElement(tag)
    for child in children:
        new.append(child)
    if tag == "w:pPr":
        style_el.insert_element_before(new, "w:rPr", "w:tblPr", "w:trPr", "w:tcPr", "w:tblStylePr")
    else:
        style_el.insert_element_before(new, "w:tblPr", "w:trPr", "w:tcPr", "w:tblStylePr")


def _spacing(before: int = 0, after: int = 0, line: int | None = None):
    attrs = {"before": str(before), "after": str(after)}
    if line:
        attrs.update(line=str(line), lineRule="auto")
    return _el("w:spacing", **attrs)


def _right_tab(pos: int):
    tabs = OxmlElement("w:tabs")
    tabs.append(_el("w:tab", val="right", pos=str(pos)))
    return tabs


def _theme_styles(styles: dict, options: RenderOptions, text_width: int) -> None:
    """The report's look, all in styles: sizes in points, spacing in twentieths of a point."""
    t = options.theme
    accent, ink, muted = t.accent, t.text, t.muted
    b = lambda: [_el("w:b"), _el("w:bCs")]  # noqa: E731
    spec = {
        "Normal": ([_spacing(0, 120, 276)], [_colour(ink, "text1"), *_size(10.5)]),
        "Title": ([_spacing(0, 120, 240), OxmlElement("w:contextualSpacing")],
                  [_major_fonts(), *b(), _colour(ink, "text1"), _el("w:kern", val="28"), *_size(24)]),
        "Subtitle": ([_spacing(0, 80)], [_colour(accent, "accent1"), *_size(11.5)]),
        "Heading 1": ([OxmlElement("w:keepNext"), OxmlElement("w:keepLines"), _spacing(280, 120),
                       _el("w:outlineLvl", val="0")],
                      [_major_fonts(), *b(), _colour(accent, "accent1"), *_size(14)]),
        "Heading 2": ([OxmlElement("w:keepNext"), OxmlElement("w:keepLines"), _spacing(200, 80),
                       _el("w:outlineLvl", val="1")],
                      [_major_fonts(), *b(), _colour(accent, "accent1"), *_size(12)]),
        "Header": ([_right_tab(text_width), _spacing(0, 0, 240)], [_colour(muted, "text2"), *_size(8)]),
        "Footer": ([_right_tab(text_width), _spacing(0, 0, 240)], [_colour(muted, "text2"), *_size(8)]),
        "Strong": (None, b()),
        "Intense Emphasis": (None, [*b(), _el("w:caps"), _colour(accent, "accent1"), *_size(9)]),
    }
    for name, (ppr, rpr) in spec.items():
        el = styles[name].element
        if ppr is not None:
            _replace(el, "w:pPr", ppr)
        _replace(el, "w:rPr", rpr)
    # List Bullet keeps its numbering (w:numPr); a little air between items, as in the PDF
    ppr = styles["List Bullet"].element.get_or_add_pPr()
    _remove(ppr, "w:contextualSpacing")
    _remove(ppr, "w:spacing")
    ppr.insert_element_before(_spacing(0, 100), "w:ind", "w:contextualSpacing", "w:jc", "w:outlineLvl", "w:rPr")
    _remove(styles["List Bullet"].element, "w:rPr")


def _theme_xml(xml: bytes, options: RenderOptions) -> bytes:
    """The theme part: Arial as heading and body font; accent, text and muted colours as
    Accent 1, Text 1 (dk1) and Text 2 (dk2)."""
    t = options.theme

    def colour(slot: str, value: str, data: bytes) -> bytes:
        tag = slot.encode()
        return re.sub(rb"<a:%s>.*?</a:%s>" % (tag, tag),
                      b'<a:%s><a:srgbClr val="%s"/></a:%s>' % (tag, value.lstrip("#").upper().encode(), tag),
                      data, count=1, flags=re.S)

    xml = re.sub(rb'(<a:(?:major|minor)Font>\s*<a:latin typeface=")[^"]*"', rb'\g<1>' + DOCX_FONT.encode() + b'"', xml)
    for slot, value in (("dk1", t.text), ("dk2", t.muted), ("accent1", t.accent)):
        xml = colour(slot, value, xml)
    return xml


def _ensure_styles(document) -> dict:
    """The styles the renderer uses; any a template lacks is copied from the default template."""
    styles = document.styles
    by_name = _styles_by_name(styles)
    missing = [name for name in STYLES if name not in by_name]
    if missing:
        default = Document()
        for name in missing:
            el = copy.deepcopy(default.styles[name].element)
            styles.element.append(el)
            if el.find(qn("w:pPr")) is not None and el.find(qn("w:pPr")).find(qn("w:numPr")) is not None:
                _copy_numbering(document, default, el)
        by_name = _styles_by_name(styles)
    return {name: by_name[name] for name in STYLES}


def _styles_by_name(styles) -> dict:
    """Our STYLES by UI name (the first of each name)."""
    out: dict = {}
    for style in styles:
        if style.name in STYLES:
            out.setdefault(style.name, style)
    return out


_REL_NUMBERING = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/numbering"
_REL_THUMBNAIL = "http://schemas.openxmlformats.org/package/2006/relationships/metadata/thumbnail"


def _copy_numbering(document, default, style_el) -> None:
    """Give a style copied from the default template (List Bullet) its bullet definition."""
    num_id_el = style_el.find(qn("w:pPr")).find(qn("w:numPr")).find(qn("w:numId"))
    if not any(rel.reltype == _REL_NUMBERING for rel in document.part.rels.values()):
        # no numbering definitions at all: take the default template's, which the style refers to
        document.part.relate_to(default.part.numbering_part, _REL_NUMBERING)
        return
    source = default.part.numbering_part.element
    num = next(n for n in source.iterchildren(qn("w:num")) if n.get(qn("w:numId")) == num_id_el.get(_W_VAL))
    abs_id = num.find(qn("w:abstractNumId")).get(_W_VAL)
    abstract = next(a for a in source.iterchildren(qn("w:abstractNum")) if a.get(qn("w:abstractNumId")) == abs_id)
    target = document.part.numbering_part.element
    new_abs = copy.deepcopy(abstract)
    new_abs.set(qn("w:abstractNumId"), str(1 + max((int(a.get(qn("w:abstractNumId")))
                                                      for a in target.iterchildren(qn("w:abstractNum"))), default=-1)))
    _remove(new_abs, "w:nsid")
    new_num = copy.deepcopy(num)
    new_num.set(qn("w:numId"), str(1 + max((int(n.get(qn("w:numId"))) for n in target.iterchildren(qn("w:num"))),
                                           default=0)))
    new_num.find(qn("w:abstractNumId")).set(_W_VAL, new_abs.get(qn("w:abstractNumId")))
    first_num = target.find(qn("w:num"))
    if first_num is not None:
        first_num.addprevious(new_abs)
    else:
        target.insert(len(target.findall(qn("w:numPicBullet"))) + len(target.findall(qn("w:abstractNum"))), new_abs)
    cleanup = target.find(qn("w:numIdMacAtCleanup"))
    if cleanup is not None:
        cleanup.addprevious(new_num)
    else:
        target.append(new_num)
    num_id_el.set(_W_VAL, new_num.get(qn("w:numId")))


def _remove(parent, tag: str) -> None:
    if parent is not None:
        for el in parent.findall(qn(tag)):
            parent.remove(el)


# --------------------------------------------------------------------------- text


def _add_text(p, text: str, rstyle: str | None = None, lang: str | None = None):
    """Append a run holding ``text``: tabs become w:tab, line breaks w:br (one paragraph)."""
    r = p.makeelement(_W_R, {})
    if rstyle or lang:
        rpr = r.makeelement(_W_RPR, {})
        if rstyle:
            rpr.append(rpr.makeelement(_W_RSTYLE, {_W_VAL: rstyle}))
        if lang:
            rpr.append(rpr.makeelement(qn("w:lang"), {_W_VAL: lang}))
        r.append(rpr)
    pieces = _SPECIAL.split(text) if _ANY_SPECIAL.search(text) else (text,)
    for piece in pieces:
        if not piece:
            continue
        if piece == "\t":
            r.append(r.makeelement(qn("w:tab"), {}))
        elif _SPECIAL.fullmatch(piece):
            r.append(r.makeelement(qn("w:br"), {}))
        else:
            t = r.makeelement(_W_T, {})
            t.text = piece
            if piece[0] == " " or piece[-1] == " ":
                t.set(_XML_SPACE, "preserve")
            r.append(t)
    p.append(r)
    return r


def _add_linked_text(p, text: str, part, lang: str | None = None) -> None:
    """Append ``text`` as :func:`_add_text` does, its URLs as hyperlinks (``w:hyperlink`` with an
    external relationship of ``part``, the document part)."""
    start = 0
    for a, b in find_urls(text):
        if a > start:
            _add_text(p, text[start:a], lang=lang)
        rid = part.relate_to(text[a:b], RT.HYPERLINK, is_external=True)
        link = p.makeelement(qn("w:hyperlink"), {qn("r:id"): rid, qn("w:history"): "1"})
        _add_text(link, text[a:b], lang=lang)
        p.append(link)
        start = b
    if start < len(text):
        _add_text(p, text[start:], lang=lang)


def _drop_hyperlinks(part) -> None:
    """Remove the previous render's hyperlink relationships from the reused document part."""
    for rid in [rid for rid, rel in part.rels.items() if rel.reltype == RT.HYPERLINK and rel.is_external]:
        del part.rels[rid]


def _draft_run(p, text: str, bold: bool = False) -> None:
    """A draft build's red mark: the one place with direct formatting (it is not for publishing)."""
    r = _add_text(p, text)
    rpr = OxmlElement("w:rPr")
    if bold:
        rpr.append(_el("w:b"))
    rpr.append(_el("w:color", val=DRAFT_RED))
    if not bold:
        rpr.extend(_size(8))
    r.insert(0, rpr)


def _paragraph(body, style_id: str | None):
    p = body.makeelement(_W_P, {})
    if style_id:
        ppr = p.makeelement(_W_PPR, {})
        ppr.append(ppr.makeelement(_W_PSTYLE, {_W_VAL: style_id}))
        p.append(ppr)
    body.append(p)
    return p


def _phrase(p, phrase: Phrase, doc: LocalizedReport, part=None) -> None:
    if part is None:
        _add_text(p, phrase.text, lang=phrase.lang)
    else:
        _add_linked_text(p, phrase.text, part, phrase.lang)
    if phrase.marked:
        _add_text(p, " ")
        _draft_run(p, doc.labels.draft_marker)


# --------------------------------------------------------------------------- footer


def _field(p, instruction: str, placeholder: str) -> None:
    """Append a complex field (w:fldChar begin / instrText / separate / result / end)."""

    def run_with(child):
        r = OxmlElement("w:r")
        r.append(child)
        p.append(r)

    run_with(_el("w:fldChar", fldCharType="begin"))
    instr = OxmlElement("w:instrText")
    instr.set(_XML_SPACE, "preserve")
    instr.text = f" {instruction} "
    run_with(instr)
    run_with(_el("w:fldChar", fldCharType="separate"))
    t = OxmlElement("w:t")
    t.text = placeholder
    run_with(t)
    run_with(_el("w:fldChar", fldCharType="end"))


def _style_ppr(document, style_id: str):
    for el in document.styles.element.iterchildren(qn("w:style")):
        if el.get(qn("w:styleId")) == style_id:
            return el.find(qn("w:pPr"))
    return None


def _footers(document) -> list:
    """The footers the pages show: default, and first-page / even-page ones when a template uses them."""
    section = document.sections[0]
    out = [section.footer]
    if section.different_first_page_header_footer:
        out.append(section.first_page_footer)
    if document.settings.odd_and_even_pages_header_footer:
        out.append(section.even_page_footer)
    return out


def _footer(document, footer, doc: LocalizedReport, style_ids: dict, text_width: int, own_tabs: bool) -> None:
    """Our footer, in the (template's) Footer style: its text must be in the document's language,
    so it replaces what a template's footer says."""
    ftr = footer._element
    for child in list(ftr):
        ftr.remove(child)
    p = _paragraph(ftr, None)
    ppr = p.get_or_add_pPr()
    ppr.append(_el("w:pStyle", val=style_ids["Footer"]))
    if not own_tabs:
        # a template's Footer style usually has centre and right tabs for another page width: clear
        # them and set one right tab at the text edge, so "Page X of Y" sits flush right
        tabs = _right_tab(text_width)
        style_ppr = _style_ppr(document, style_ids["Footer"])
        for tab in [] if style_ppr is None else style_ppr.iter(qn("w:tab")):
            if tab.get(qn("w:pos")) != str(text_width):
                tabs.append(_el("w:tab", val="clear", pos=tab.get(qn("w:pos"))))
        tabs[:] = sorted(tabs, key=lambda t: int(t.get(qn("w:pos"))))
        ppr.append(tabs)
    _add_text(p, doc.title.text, lang=doc.title.lang)
    if doc.draft:
        _draft_run(p, f"  {doc.labels.draft}", bold=True)
    _add_text(p, "\t")
    for part in doc.labels.page_footer:
        if part == "{page}":
            _field(p, "PAGE", "1")
        elif part == "{pages}":
            _field(p, "NUMPAGES", "1")
        else:
            _add_text(p, part)


# --------------------------------------------------------------------------- document


class _Prepared:
    """A template opened, set up and themed: the part of a DOCX that does not depend on the report.
    Kept per process and reused: :func:`render` replaces everything that does (the language, the
    body, the footers, the properties), so a reused one gives the same bytes as a new one."""

    def __init__(self, options: RenderOptions):
        template = options.docx_template
        self.own_template = template is None
        self.document = document = Document(str(template)) if template else Document()
        # start from an empty body (a template may carry sample text and section breaks), keeping
        # the last section's properties: the page setup, header and footer references
        body = document.element.body
        self.sect_pr = sect_pr = body.get_or_add_sectPr()
        for child in list(body):
            if child is not sect_pr:
                body.remove(child)
        section = document.sections[0]
        # our page setup; a template keeps its own, and gets ours only for what it leaves unset
        w, h = PAGE_SIZES_MM[options.theme.page_size.upper()]
        page = {"page_width": Mm(w), "page_height": Mm(h), "left_margin": Mm(20), "right_margin": Mm(20),
                "top_margin": Mm(20), "bottom_margin": Mm(22), "footer_distance": Mm(10), "header_distance": Mm(10)}
        for name, value in page.items():
            if template is None or getattr(section, name) is None:
                setattr(section, name, value)
        self.text_width = int((section.page_width - section.left_margin - section.right_margin) / 635)  # EMU -> twips
        styles = _ensure_styles(document)
        if template is None:
            _theme_styles(styles, options, self.text_width)
            _drop_styles_with_effects(document)
            _drop_table_styles(document)
        self.ids = {name: style.style_id for name, style in styles.items()}
        self.footers = _footers(document)
        self.options = options
        _drop_thumbnail(document)


def _prepared(options: RenderOptions) -> _Prepared:
    """The prepared template for these options, made once per thread (a render changes it; the
    template file's size and date are part of the key: an edited template is read again)."""
    template = options.docx_template
    stamp = (template.stat().st_mtime_ns, template.stat().st_size) if template else None
    key = (options, stamp)
    cache: dict[tuple, _Prepared] = _LOCAL.__dict__.setdefault("prepared", {})
    found = cache.pop(key, None) or _Prepared(options)
    cache[key] = found  # most recently used last
    while len(cache) > 4:
        del cache[next(iter(cache))]
    return found


_LOCAL = threading.local()


def warm(options: RenderOptions) -> None:
    """Prepare the template: what a worker process does before its first document."""
    _prepared(options)


def render(doc: LocalizedReport, options: RenderOptions) -> Rendered:
    prep = _prepared(options)
    document, sect_pr, ids = prep.document, prep.sect_pr, prep.ids
    _set_document_language(document, doc.tag)
    body = document.element.body
    for child in list(body):
        body.remove(child)
    _drop_hyperlinks(document.part)

    normal, bullet, heading = ids["Normal"], ids["List Bullet"], ids["Heading 1"]

    if doc.kind_label:
        _add_text(_paragraph(body, normal), doc.kind_label, rstyle=ids["Intense Emphasis"])
    if doc.series:
        _phrase(_paragraph(body, ids["Subtitle"]), doc.series, doc, document.part)
    _phrase(_paragraph(body, ids["Title"]), doc.title, doc)
    if doc.organiser:
        _phrase(_paragraph(body, ids["Subtitle"]), doc.organiser, doc, document.part)
    if doc.facts:
        # one paragraph, a line per fact: the title block ends with one paragraph's spacing
        p = _paragraph(body, normal)
        p[0].append(_spacing(0, 280))
        for i, (label, value) in enumerate(doc.facts):
            if i:
                p.append(_br_run(p))
            _add_text(p, doc.labels.fact_label.replace("{label}", label), rstyle=ids["Strong"])
            _add_text(p, " " + value)

    for sec in doc.sections:
        if sec.heading:
            _phrase(_paragraph(body, heading), sec.heading, doc, document.part)
        for block in sec.blocks:
            if isinstance(block, LParagraph):
                _phrase(_paragraph(body, normal), block.text, doc, document.part)
            elif isinstance(block, LBulletList):
                for item in block.items:
                    _phrase(_paragraph(body, bullet), item, doc, document.part)
    body.append(sect_pr)

    for footer in prep.footers:
        _footer(document, footer, doc, ids, prep.text_width, own_tabs=prep.own_template)
    set_properties(document.core_properties, doc)
    return Rendered(_save(prep, doc))


def _br_run(p):
    r = p.makeelement(_W_R, {})
    r.append(r.makeelement(qn("w:br"), {}))
    return r


def _drop_styles_with_effects(document) -> None:
    """The default template's Word 2010 copy of the styles would go stale: drop it."""
    rels = document.part.rels
    for rid, rel in list(rels.items()):
        if rel.reltype.endswith("/stylesWithEffects"):
            del rels[rid]


def _drop_table_styles(document) -> None:
    """python-docx's default template defines 100 table styles (nine tenths of styles.xml) for a
    report without tables: keep only the default one. Word offers its built-in table styles
    whether or not a document defines them."""
    for style in list(document.styles):
        if style.type == WD_STYLE_TYPE.TABLE and style.element.get(qn("w:default")) != "1":
            style.delete()


def _drop_thumbnail(document) -> None:
    """python-docx's default template carries a thumbnail (its own picture): not ours to show."""
    rels = document.part.package.rels
    for rid, rel in list(rels.items()):
        if rel.reltype == _REL_THUMBNAIL:
            del rels[rid]


def _save(prep: _Prepared, doc: LocalizedReport) -> bytes:
    """python-docx writes the package; it is then zipped again with fixed member dates, modes and
    order, so that the same document gives the same bytes on every system. Our ``app.xml`` (not
    python-docx's stale template one) and theme colours are put in on the way."""
    written = io.BytesIO()
    prep.document.save(written)
    replaced = {"docProps/app.xml": app_xml(doc)}

    def member(name: str, body: bytes) -> bytes:
        body = replaced.get(name) or body
        if name == "word/theme/theme1.xml" and prep.own_template:
            body = _theme_xml(body, prep.options)
        return body

    return fixed_zip(written.getvalue(), member)
