"""PDF renderer (ReportLab, with its flowables in ``pdf_text`` and the tagging in ``pdf_tags``).

What every PDF gets (docs/pdf.md): the bundled Noto Sans family embedded (subset), and nothing
else, unless the theme names a fallback font for other scripts; a first page with the organiser (and
logo), series, title and the event facts; sections with bookmarks, bullets with hanging indents; a
running footer with the title and a localized "Page X of Y"; document language (/Lang), title shown in
the viewer's window, Info metadata and the same in an XMP stream; outlines open by default; page
labels; and byte-for-byte reproducible output for the same input and ``created`` date.

Every PDF is tagged (PDF/UA-1's machine-checkable requirements, docs/pdf.md): the story is built
together with its structure tree (:mod:`reportgen.render.pdf_tags`), the flowables of
:mod:`reportgen.render.pdf_text` draw their text as their element's marked content, and the canvas
below keeps everything else an artifact and writes the tree when the document is saved.

Before rendering, :func:`reportgen.glyphs.check_glyphs` (called by the build, once per document, for
both formats) finds every character the fonts cannot draw: ReportLab has no per-glyph fallback and
would draw a box. Text is drawn as :func:`reportgen.glyphs.plain` makes it.
"""

from __future__ import annotations

import io
import threading
import time
import zlib
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator, NamedTuple

from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfdoc import PDFDictionary, PDFName, PDFStream
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas as rl_canvas
from reportlab.platypus import Flowable, Image, KeepTogether, SimpleDocTemplate, Spacer, Table, TableStyle

from .fonts import FACES, NOT_DRAWN, font_file, plain, theme_fonts
from ..model import LBulletList, LocalizedReport, LParagraph, Phrase, Theme
from . import Rendered, RenderOptions, escape

PAGE_SIZES = {"A4": A4, "LETTER": LETTER}
MARGIN = 20 * mm


from .pdf_tags import Elem, Tree  # noqa: E402 - apart from the import block above (ReportLab's)
from .pdf_text import Heading, MarkedParagraph, Text, TextHeading, Widths  # noqa: E402


# --------------------------------------------------------------------------- fonts


@lru_cache(maxsize=None)
def register_family(family: str = "NotoSans") -> TTFont:
    """Register a bundled static TTF family once per process; return the regular face. Reports
    set nothing in italics, so the italic slots of the family are its upright faces."""
    for suffix, face in FACES.items():
        pdfmetrics.registerFont(TTFont(family + suffix, str(font_file(family, face))))
    bold = family + "-Bold"
    pdfmetrics.registerFontFamily(family, normal=family, bold=bold, italic=family, boldItalic=bold)
    return pdfmetrics.getFont(family)  # type: ignore[return-value]


@lru_cache(maxsize=None)
def _register_fallback(path: Path) -> str:
    """Register a project's fallback TTF (one face, used for every style); return its font name."""
    name = f"Fallback-{zlib.crc32(str(path).encode()):08x}"
    pdfmetrics.registerFont(TTFont(name, str(path)))
    return name


class _Fonts(NamedTuple):
    main: str
    main_cmap: frozenset[int]  # code points with a glyph (glyphs.coverage)
    fallback: str | None = None

    def runs(self, text: str) -> Iterator[tuple[str | None, str]]:
        """Split ``text`` into (font name or None for the main font, chunk) runs."""
        if self.fallback is None:
            yield None, text
            return
        main, start, current = self.main_cmap, 0, None
        for i, ch in enumerate(text):
            font = None if ord(ch) in main or ch in NOT_DRAWN else self.fallback
            if font != current and i > start:
                yield current, text[start:i]
                start = i
            current = font
        if start < len(text):
            yield current, text[start:]


def _fonts(theme: Theme) -> _Fonts:
    register_family(theme.font)
    if theme.fallback_font is None:  # every text in the main font: its coverage is not needed (1 ms)
        return _Fonts(theme.font, frozenset())
    main, _ = theme_fonts(theme)  # the preflight's coverage: drawing and checking agree
    return _Fonts(theme.font, main, _register_fallback(theme.fallback_font))


# --------------------------------------------------------------------------- text


def markup(text: str, fonts: _Fonts | None = None) -> str:
    """User text -> Paragraph markup: escaped (``&``, ``<``, ``>`` appear literally), spaces that must
    not break made non-breaking, and characters of other scripts set in the fallback font."""
    text = plain(text)
    if fonts is None or fonts.fallback is None:
        out = escape(text)
    else:
        out = "".join(escape(chunk) if font is None else f'<font face="{font}">{escape(chunk)}</font>'
                      for font, chunk in fonts.runs(text))
    return out.replace("\n", "<br/>")


class _Styles:
    def __init__(self, font: str, theme: Theme):
        accent, ink, muted = colors.HexColor(theme.accent), colors.HexColor(theme.text), colors.HexColor(theme.muted)
        self.accent, self.ink, self.muted = accent, ink, muted
        bold = font + "-Bold"

        def style(name: str, **kw) -> ParagraphStyle:
            base = dict(fontName=font, textColor=ink, alignment=TA_LEFT, splitLongWords=1,
                        bulletFontName=font, allowOrphans=0, allowWidows=0)
            return ParagraphStyle(name, **{**base, **kw})

        self.organiser = style("organiser", fontSize=10, leading=13, textColor=muted, spaceAfter=14)
        self.kind = style("kind", fontName=bold, fontSize=9, leading=12, textColor=accent, spaceAfter=2)
        self.series = style("series", fontSize=11.5, leading=15, textColor=accent, spaceAfter=4)
        self.title = style("title", fontName=bold, fontSize=24, leading=29, spaceAfter=10)
        self.fact_label = style("fact_label", fontName=bold, fontSize=9.5, leading=13, textColor=muted)
        self.fact_value = style("fact_value", fontSize=9.5, leading=13)
        self.heading = style("heading", fontName=bold, fontSize=14, leading=18, textColor=accent,
                             spaceBefore=14, spaceAfter=6, keepWithNext=1)
        self.body = style("body", fontSize=10.5, leading=15, spaceAfter=8)
        self.bullet = style("bullet", fontSize=10.5, leading=15, spaceAfter=4, leftIndent=14, bulletIndent=3,
                            bulletFontSize=10.5, bulletColor=accent)
        self.bullet_last = ParagraphStyle("bullet_last", parent=self.bullet, spaceAfter=10)



class _KeepWithNext(KeepTogether):
    """Headings (keepWithNext) + the next flowable. ReportLab's KeepTogether moves the whole group to
    the next page when it does not fit, wasting the space a long paragraph could use; this one keeps
    the heading with the first lines of the next flowable when at least two of them fit."""

    def split(self, aW, aH):  # noqa: N803 - ReportLab's names
        if getattr(self, "_wrapInfo", None) != (aW, aH):
            self.wrap(aW, aH)
        *head, nxt = self._content
        if head and self._H > aH:
            used = 0.0
            for i, f in enumerate(head):
                _, h = f.wrap(aW, aH)
                used += h + f.getSpaceAfter() + (f.getSpaceBefore() if i else 0)
            room = aH - used - nxt.getSpaceBefore()
            if room > 0:
                parts = nxt.split(aW, room)
                if len(parts) > 1:
                    return [*head, *parts]
        return super().split(aW, aH)


# --------------------------------------------------------------------------- page furniture


def _numbered_canvas(doc: LocalizedReport, st: _Styles, fonts: _Fonts, created: float, xmp: bytes, tree: Tree):
    """A canvas class that knows the page count when it draws the footers ("Page X of Y"), and
    writes the marked content of each page and the structure tree (``tree``)."""
    font = fonts.main

    class NumberedCanvas(rl_canvas.Canvas):
        page_count = 0

        def __init__(self, *args, **kwargs):
            kwargs["initialFontName"] = font  # else Helvetica lands in every page's resources
            super().__init__(*args, **kwargs)
            _fix_timestamp(_document(self), created)
            self._pages: list[dict] = []
            tree.open_page(self)

        def showPage(self):  # noqa: N802 - ReportLab's name
            self._pages.append(dict(self.__dict__))
            self._startPage()
            tree.open_page(self)

        def save(self):
            total = len(self._pages)
            NumberedCanvas.page_count = total
            pages: list[Any] = []
            annots: dict[int, list[Any]] = {}
            for number, state in enumerate(self._pages, 1):
                self.__dict__.update(state)
                tree.footer(self, lambda: self._footer(total))
                super().showPage()
                page = _page_dictionary(self, tree.page_entries(number))
                pages.append(_document(self).Reference(page))
                if tree.has_links(number):
                    annots[number] = list(page.Annots)
            tree.write(_document(self).Reference, self.setCatalogEntry, pages, annots)
            self.showOutline()  # PageMode /UseOutlines: bookmarks open in the viewer
            self.addPageLabel(0, style="D")  # logical page numbers 1, 2, ... match the footer
            self.setCatalogEntry("Metadata", PDFStream(
                PDFDictionary({"Type": PDFName("Metadata"), "Subtype": PDFName("XML")}), xmp, filters=[]))
            super().save()

        def _footer(self, total: int) -> None:
            _draw_footer(self, doc, st, fonts, self.getPageNumber(), total, self._pagesize[0])

    return NumberedCanvas


def _draw_footer(c: Any, doc: LocalizedReport, st: _Styles, fonts: _Fonts, page: int, total: int,
                 width: float) -> None:
    """The running footer: a rule, the title (shortened to fit) and "Page X of Y"."""
    font = fonts.main
    label = "".join(str(page) if p == "{page}" else str(total) if p == "{pages}" else p for p in doc.labels.page_footer)
    label = " ".join(plain(label).split())
    left, right, y = MARGIN, width - MARGIN, 12 * mm
    c.saveState()
    c.setStrokeColor(st.accent)
    c.setLineWidth(0.4)
    c.line(left, y + 10, right, y + 10)
    c.setFillColor(st.muted)
    label_w = _width(label, fonts, font, 8)
    _draw(c, right - label_w, y, label, fonts, font, 8)
    title = _fit(" ".join(plain(doc.title.text).split()), fonts, font, 8, right - left - label_w - 12 * mm)
    _draw(c, left, y, title, fonts, font, 8)
    if doc.draft:
        c.setFillColor(colors.HexColor("#B00020"))
        _draw(c, (left + right) / 2 + 10 * mm, y, doc.labels.draft, fonts, font + "-Bold", 8)
    c.restoreState()


def _document(canvas: Any) -> Any:
    """The canvas's ``PDFDocument``: the one private attribute of ReportLab used here (ReportLab
    4.1-5.1 have no public accessor). Needed for what the canvas's public API cannot do: making
    objects indirect (``Reference``: structure elements refer to their parents), the page
    dictionaries (below) and the fixed timestamp. ``tests/test_pdf_tags.py`` fails loudly if
    ReportLab changes any of this."""
    return canvas._doc


def _page_dictionary(canvas: Any, entries: dict[str, Any]) -> Any:
    """Add ``entries`` (``/StructParents``, ``/Tabs``) to the page ``canvas.showPage`` just added,
    and return that page. ``PDFPage`` writes only the keys its ``__NoDefault__`` lists, and
    ``showPage`` offers no way to add one: the list is extended on this page object only."""
    page = _document(canvas).Pages[-1]
    page.__NoDefault__ = [*page.__NoDefault__, *entries]
    for key, value in entries.items():
        setattr(page, key, value)
    return page


def _width(text: str, fonts: _Fonts, font: str, size: float) -> float:
    return sum(pdfmetrics.stringWidth(chunk, f or font, size) for f, chunk in fonts.runs(text))


def _draw(c, x: float, y: float, text: str, fonts: _Fonts, font: str, size: float) -> None:
    for f, chunk in fonts.runs(text):
        c.setFont(f or font, size)
        c.drawString(x, y, chunk)
        x += pdfmetrics.stringWidth(chunk, f or font, size)


def _fit(text: str, fonts: _Fonts, font: str, size: float, width: float) -> str:
    if _width(text, fonts, font, size) <= width:
        return text
    lo, hi = 0, len(text)  # the longest prefix that fits with its ellipsis
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if _width(text[:mid].rstrip() + "…", fonts, font, size) <= width:
            lo = mid
        else:
            hi = mid - 1
    return text[:lo].rstrip() + "…"


def _fix_timestamp(pdfdoc, created: float) -> None:
    """Make the PDF's creation/modification dates ``created`` (UTC), whatever the environment."""
    ts = pdfdoc._timeStamp
    ts.t = created
    ts.lt = time.gmtime(created)
    ts.YMDhms = tuple(ts.lt)[:6]
    ts.dhh = ts.dmm = 0
    ts.tzname = "UTC"


def xmp_packet(doc: LocalizedReport, subject: str) -> bytes:
    """XMP metadata with the same title, author, subject, keywords, language and dates as /Info, and
    the PDF/UA-1 identification (``pdfuaid:part``)."""
    e = escape
    stamp = doc.created.strftime("%Y-%m-%dT%H:%M:%SZ")
    title = e(doc.title.text)
    lines = [
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>',
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">',
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">',
        '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"'
        ' xmlns:pdf="http://ns.adobe.com/pdf/1.3/" xmlns:xmp="http://ns.adobe.com/xap/1.0/">',
        "<dc:format>application/pdf</dc:format>",
        f'<dc:title><rdf:Alt><rdf:li xml:lang="x-default">{title}</rdf:li>'
        f'<rdf:li xml:lang="{e(doc.tag)}">{title}</rdf:li></rdf:Alt></dc:title>',
        f"<dc:language><rdf:Bag><rdf:li>{e(doc.tag)}</rdf:li></rdf:Bag></dc:language>",
    ]
    if doc.organiser:
        lines.append(f"<dc:creator><rdf:Seq><rdf:li>{e(doc.organiser.text)}</rdf:li></rdf:Seq></dc:creator>")
    if subject:
        lines.append(f'<dc:description><rdf:Alt><rdf:li xml:lang="x-default">{e(subject)}</rdf:li></rdf:Alt>'
                     "</dc:description>")
    if doc.keywords:
        items = "".join(f"<rdf:li>{e(k)}</rdf:li>" for k in doc.keywords)
        lines.append(f"<dc:subject><rdf:Bag>{items}</rdf:Bag></dc:subject>")
        lines.append(f"<pdf:Keywords>{e(', '.join(doc.keywords))}</pdf:Keywords>")
    lines += [
        f"<pdf:Producer>{e(doc.generator)}</pdf:Producer>",
        f"<xmp:CreatorTool>{e(doc.generator)}</xmp:CreatorTool>",
        f"<xmp:CreateDate>{stamp}</xmp:CreateDate>",
        f"<xmp:ModifyDate>{stamp}</xmp:ModifyDate>",
        f"<xmp:MetadataDate>{stamp}</xmp:MetadataDate>",
        "</rdf:Description>",
        '<rdf:Description rdf:about="" xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/">'
        "<pdfuaid:part>1</pdfuaid:part></rdf:Description>",
        "</rdf:RDF>",
        "</x:xmpmeta>",
        '<?xpacket end="r"?>',
    ]
    return "\n".join(lines).encode("utf-8")


# --------------------------------------------------------------------------- first page and body


def _phrase(p: Phrase, doc: LocalizedReport, fonts: _Fonts) -> str:
    text = markup(p.text, fonts)
    if p.marked:
        text += f' <font color="#B00020" size="8">{markup(doc.labels.draft_marker, fonts)}</font>'
    return text


class _Blocks:
    """The flowables of one document's text, each the content of a structure element: :class:`Text`
    (a third of a Paragraph's cost) for text in the main font without a draft mark, which is nearly
    all of it; a Paragraph (markup) for the rest."""

    def __init__(self, doc: LocalizedReport, fonts: _Fonts):
        self.doc, self.fonts, self.widths = doc, fonts, Widths()

    def _plain(self, p: Phrase) -> str | None:
        """``p``'s text as drawn, if it needs no markup."""
        text = plain(p.text)
        fonts = self.fonts
        if p.marked or (fonts.fallback is not None and any(ord(ch) not in fonts.main_cmap
                                                           for ch in set(text) - NOT_DRAWN)):
            return None
        return text

    def text(self, p: Phrase | str, style: ParagraphStyle, parent: Elem, role: str = "P") -> Flowable:
        """``p`` as a new ``role`` element of ``parent`` (with its own language, if it has one)."""
        p = Phrase(p) if isinstance(p, str) else p
        return self.flowable(p, style, parent.add(role, p.lang))

    def item(self, p: Phrase, style: ParagraphStyle, parent: Elem) -> Flowable:
        """A bullet of list ``parent``: ``LI`` with the bullet as ``Lbl`` and the text as ``LBody``."""
        li = parent.add("LI")
        label = li.add("Lbl")
        return self.flowable(p, style, li.add("LBody", p.lang), "•", label)

    def flowable(self, p: Phrase, style: ParagraphStyle, struct: Elem, bullet: str | None = None,
              label: Elem | None = None) -> Flowable:
        text = self._plain(p)
        if text is not None:
            return Text(text, style, self.widths, bullet, struct=struct, label=label)
        return MarkedParagraph(_phrase(p, self.doc, self.fonts), style, struct, label, bullet)

    def heading(self, p: Phrase, style: ParagraphStyle, key: str, struct: Elem) -> Flowable:
        title = p.text.replace("\n", " ")
        text = self._plain(p)
        if p.lang:
            struct.lang = p.lang
        if text is not None:
            return TextHeading(text, style, self.widths, key, title, struct=struct)
        return Heading(_phrase(p, self.doc, self.fonts), style, key, title, struct=struct)


class _Figure(Image):
    """An image drawn as the content of its ``Figure`` element (none: an artifact)."""

    struct: Elem | None = None

    def draw(self) -> None:
        if self.struct is None:
            super().draw()
            return
        self.struct.tree.begin(self.canv, self.struct)
        super().draw()
        self.struct.tree.end(self.canv)


def _logo(path: Path, max_w: float, max_h: float, struct: Elem | None) -> Image:
    w, h = ImageReader(str(path)).getSize()
    scale = min(max_w / w, max_h / h)
    img = _Figure(str(path), width=w * scale, height=h * scale)
    img.hAlign = "LEFT"
    img.struct = struct
    return img


def _title_block(doc: LocalizedReport, st: _Styles, blocks: _Blocks, width: float, theme: Theme,
                 root: Elem) -> list[Flowable]:
    fonts = blocks.fonts
    out: list[Flowable] = []
    if theme.logo is not None:
        figure = None if theme.logo_decorative else root.add("Figure", alt=doc.labels.logo_alt)
        logo = _logo(theme.logo, 60 * mm, 18 * mm, figure)
    organiser = blocks.text(doc.organiser, st.organiser, root) if doc.organiser else None
    if theme.logo is not None:
        if organiser is None:
            out += [logo, Spacer(1, 12)]
        else:  # letterhead: logo, then the organiser's name beside it (a layout table: not tagged)
            logo_w = logo.drawWidth + 6 * mm
            table = Table([[logo, organiser]], colWidths=[logo_w, width - logo_w], hAlign="LEFT")
            table.setStyle(TableStyle([
                ("FONTNAME", (0, 0), (-1, -1), fonts.main),  # the cell default is Helvetica
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 12),
            ]))
            out.append(table)
    elif organiser is not None:
        out.append(organiser)
    if doc.kind_label:
        out.append(blocks.text(doc.kind_label.upper(), st.kind, root))
    if doc.series:
        out.append(blocks.text(doc.series, st.series, root))
    out.append(blocks.heading(doc.title, st.title, "top", root.add("H1")))
    if doc.facts:
        out.append(_facts(doc, st, blocks, width, root.add("Table")))
    out.append(Spacer(1, 8))
    return out


def _facts(doc: LocalizedReport, st: _Styles, blocks: _Blocks, width: float, table: Elem) -> Table:
    """The event facts: a table of one row per fact, its label a row header (``TH``)."""
    fonts = blocks.fonts
    widest = max(_width(k, fonts, st.fact_label.fontName, st.fact_label.fontSize) for k, _ in doc.facts)
    label_w = min(max(28 * mm, widest + 16), width / 3)
    rows = []
    for k, v in doc.facts:
        tr = table.add("TR")
        value = doc.location if doc.location is not None and v == doc.location.text else Phrase(v)
        rows.append([blocks.flowable(Phrase(k), st.fact_label, tr.add("TH", attrs={"O": "Table", "Scope": "Row"})),
                     blocks.flowable(value, st.fact_value, tr.add("TD", value.lang))])
    flowable = Table(rows, colWidths=[label_w, width - label_w], hAlign="LEFT", splitInRow=1)
    flowable.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#F2F5F9")),
        ("LINEABOVE", (0, 0), (-1, 0), 1.2, st.accent),
        ("FONTNAME", (0, 0), (-1, -1), fonts.main),  # the cell default is Helvetica
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("LEFTPADDING", (0, 0), (-1, -1), 6),
        ("TOPPADDING", (0, 0), (-1, 0), 6),
        ("BOTTOMPADDING", (0, -1), (-1, -1), 6),
    ]))
    return flowable


def _body(doc: LocalizedReport, st: _Styles, blocks: _Blocks, root: Elem) -> list[Flowable]:
    story: list[Flowable] = []
    for i, section in enumerate(doc.sections):
        if section.heading:
            story.append(blocks.heading(section.heading, st.heading, f"s{i}", root.add("H2")))
        for b in section.blocks:
            if isinstance(b, LParagraph):
                story.append(blocks.text(b.text, st.body, root))
            elif isinstance(b, LBulletList):
                # one flowable per bullet (hanging indent from the style): a long list splits
                # between bullets and a heading stays with the first bullet only
                lst = root.add("L")
                for j, item in enumerate(b.items, 1):
                    story.append(blocks.item(item, st.bullet_last if j == len(b.items) else st.bullet, lst))
    return story


def warm(options: RenderOptions) -> None:
    """Load the theme's fonts: what a worker process does before its first document."""
    _fonts(options.theme)


def render(doc: LocalizedReport, options: RenderOptions) -> Rendered:
    theme = options.theme
    fonts = _fonts(theme)
    st = _Styles(fonts.main, theme)
    pagesize = PAGE_SIZES[theme.page_size.upper()]
    buf = io.BytesIO()
    subject = doc.series.text if doc.series else doc.event_line
    template = SimpleDocTemplate(
        buf,
        pagesize=pagesize,
        leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN, bottomMargin=24 * mm,
        title=doc.title.text,
        author=doc.organiser.text if doc.organiser else "",
        subject=subject,
        keywords=", ".join(doc.keywords),
        creator=doc.generator,
        producer=doc.generator,
        lang=doc.tag,
        displayDocTitle=1,
        invariant=1,
        initialFontName=fonts.main,
        keepTogetherClass=_KeepWithNext,
    )
    width = pagesize[0] - 2 * MARGIN
    blocks = _Blocks(doc, fonts)
    tree = Tree()
    story = _title_block(doc, st, blocks, width, theme, tree.root) + _body(doc, st, blocks, tree.root)
    canvasmaker = _numbered_canvas(doc, st, fonts, doc.created.timestamp(), xmp_packet(doc, subject), tree)
    # ReportLab's settings and font registry are global: one document at a time per process (threads
    # would gain nothing under the GIL, and another thread's restored setting would change our bytes)
    with _BUILDING:
        a85, rl_config.useA85 = rl_config.useA85, 0  # binary streams: smaller, no pure-Python ASCII85 pass
        try:
            template.build(story, canvasmaker=canvasmaker)
        finally:
            rl_config.useA85 = a85
    return Rendered(buf.getvalue(), canvasmaker.page_count)


_BUILDING = threading.Lock()
