"""PDF renderer (ReportLab). The only module that imports reportlab.

What every PDF gets (docs/pdf.md): the bundled Noto Sans family embedded (subset), and nothing
else, unless the theme names a fallback font for other scripts; a first page with the organiser (and
logo), series, title and the event facts; sections with bookmarks, bullets with hanging indents; a
running footer with the title and a localized "Page X of Y"; document language (/Lang), title shown in
the viewer's window, Info metadata and the same in an XMP stream; outlines open by default; page
labels; and byte-for-byte reproducible output for the same input and ``created`` date.

Before rendering, :func:`reportgen.glyphs.check_glyphs` (called by the build, once per document, for
both formats) finds every character the fonts cannot draw: ReportLab has no per-glyph fallback and
would draw a box. Text is drawn as :func:`reportgen.glyphs.plain` makes it.
"""

from __future__ import annotations

import io
import re
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
from reportlab.platypus import Flowable, Image, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from .fonts import FACES, NOT_DRAWN, font_file, plain, theme_fonts
from ..model import LBulletList, LocalizedReport, LParagraph, Phrase, Theme
from . import Rendered, RenderOptions, escape

PAGE_SIZES = {"A4": A4, "LETTER": LETTER}
MARGIN = 20 * mm


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


class _OutlineEntry:
    """For a heading: it puts its own outline entry where it is drawn (so the bookmark lands on the
    page the heading moved to, never on the page before)."""

    _key = _title = ""
    canv: Any
    height: float
    style: ParagraphStyle

    def draw(self) -> None:
        if self._key:
            c = self.canv
            c.bookmarkHorizontal(self._key, 0, self.height + self.style.spaceBefore)
            c.addOutlineEntry(self._title, self._key, level=0, closed=False)
        super().draw()  # type: ignore[misc]


class _Heading(_OutlineEntry, Paragraph):
    """A heading with markup."""

    def __init__(self, text, style, key: str = "", title: str = "", **kwargs):
        super().__init__(text, style, **kwargs)  # ReportLab makes the parts of a split with kwargs
        self._key, self._title = key, title

    def split(self, availWidth, availHeight):  # noqa: N803 - ReportLab's names
        parts = super().split(availWidth, availHeight)
        for i, part in enumerate(parts):  # a heading longer than a page: the entry goes with its start
            part._key, part._title = (self._key, self._title) if i == 0 else ("", "")
        return parts


_BREAKS = re.compile(r"[ \t\r\f\v\u1680\u2000-\u2008\u200a\u205f\u3000]+")  # not U+00A0, U+202F, U+2007


class _Widths:
    """Word widths of one render, cached: reports repeat their words, and ReportLab measures TTF text
    in pure Python, which dominates the cost of line breaking."""

    def __init__(self) -> None:
        self._cache: dict[tuple[str, float], dict[str, float]] = {}

    def table(self, font: str, size: float) -> dict[str, float]:
        return self._cache.setdefault((font, size), {})

    def of(self, word: str, font: str, size: float) -> float:
        table = self.table(font, size)
        w = table.get(word)
        if w is None:
            w = table[word] = pdfmetrics.stringWidth(word, font, size)
        return w


class _Text(Flowable):
    """A plain left-aligned paragraph in one font: what most of a report is.

    Equivalent to a ReportLab Paragraph of escaped text without markup (same style attributes:
    font, size, leading, colour, left indent, bullet, space before/after, keep with next, no orphans
    or widows), but it breaks lines with cached word widths, about three times faster on long
    reports. Words wider than the line (URLs) are broken between characters; U+00A0 never breaks.
    Text that needs markup (a draft mark, a fallback font) uses Paragraph instead.

    Each line is kept with what separated it from the next (a space, a line break, or nothing inside
    a word broken between characters), so that a part made by :meth:`split` holds its own text and
    can be broken again for another width (a table cell is split at one width and drawn at another)."""

    def __init__(self, text: str, style: ParagraphStyle, widths: _Widths, bullet: str | None = None,
                 lines: list[tuple[str, str, float]] | None = None, width: float = 0):
        super().__init__()
        self.text, self.style, self._widths, self.bullet = text, style, widths, bullet
        self.spaceBefore, self.spaceAfter = style.spaceBefore, style.spaceAfter
        self.keepWithNext = getattr(style, "keepWithNext", 0)
        self._lines, self._for_width = lines, width if lines is not None else -1.0

    def _break(self, avail: float) -> list[tuple[str, str, float]]:
        """(line, separator from the next line, word spacing): as a Paragraph does, a line may be
        up to ``spaceShrinkage`` (5 %) of its spaces too long, and its spaces (U+00A0 included,
        drawn as spaces) are then drawn that much narrower."""
        st = self.style
        font, size = st.fontName, st.fontSize
        widths = self._widths
        space = widths.of(" ", font, size)
        shrink = getattr(st, "spaceShrinkage", 0.0) * space
        lines: list[tuple[str, str, float]] = []

        def done(words: list[str], used: float, sep: str) -> None:
            text = " ".join(words)
            spaces = len(words) - 1 + text.count("\xa0")
            lines.append((text, sep, (avail - used) / spaces if used - avail > 1e-8 and spaces > 0 else 0.0))

        for para in self.text.split("\n"):
            line: list[str] = []
            used = 0.0
            for word in _BREAKS.split(para.strip()):
                if not word:
                    continue
                w = widths.of(word, font, size)
                if line and used + space + w <= avail + shrink * len(line):
                    line.append(word)
                    used += space + w
                    continue
                if line:
                    done(line, used, " ")
                if w <= avail:
                    line, used = [word], w
                    continue
                chars = widths.table(font, size)  # a word longer than the line: break it anywhere
                piece, used = "", 0.0
                for ch in word:
                    cw = chars.get(ch)
                    if cw is None:
                        cw = chars[ch] = pdfmetrics.stringWidth(ch, font, size)
                    if piece and used + cw > avail:
                        lines.append((piece, "", 0.0))
                        piece, used = "", 0.0
                    piece += ch
                    used += cw
                line = [piece]
            done(line, used, "\n")
        return lines

    def wrap(self, availWidth, availHeight):  # noqa: N803 - ReportLab's names
        avail = availWidth - self.style.leftIndent - self.style.rightIndent
        if self._lines is None or self._for_width != avail:
            self._lines, self._for_width = self._break(avail), avail
        self.width, self.height = availWidth, len(self._lines) * self.style.leading
        return self.width, self.height

    def split(self, availWidth, availHeight):  # noqa: N803
        self.wrap(availWidth, availHeight)
        lines, leading = self._lines or [], self.style.leading
        fit = int((availHeight + 1e-6) // leading)
        if len(lines) - fit < 2:  # no widow: at least two lines move
            fit = len(lines) - 2
        if fit < 2 or fit >= len(lines):  # no orphan: at least two lines stay
            return []
        first, rest = self._part(lines[:fit], True), self._part(lines[fit:], False)
        first.spaceAfter = rest.spaceBefore = 0
        for part in first, rest:  # measured already, as ReportLab's own parts are (a table reads them)
            part.width, part.height = availWidth, len(part._lines or ()) * leading
        return [first, rest]

    def _part(self, lines: list[tuple[str, str, float]], first: bool) -> _Text:
        return _Text(_joined(lines), self.style, self._widths, self.bullet if first else None, lines,
                     self._for_width)

    def draw(self) -> None:
        st, c = self.style, self.canv
        y = self.height - st.fontSize
        if self.bullet:
            c.setFont(st.bulletFontName, st.bulletFontSize)
            c.setFillColor(st.bulletColor or st.textColor)
            c.drawString(st.bulletIndent, y, self.bullet)
        t = c.beginText(st.leftIndent, y)
        t.setFont(st.fontName, st.fontSize, st.leading)
        t.setFillColor(st.textColor)
        for line, _, word_space in self._lines or ():
            if word_space:
                t.setWordSpace(word_space)
                t.textLine(line)
                t.setWordSpace(0)
            else:
                t.textLine(line)
        c.drawText(t)


def _joined(lines: list[tuple[str, str, float]]) -> str:
    """The text that :meth:`_Text._break` made ``lines`` of (whitespace runs made single spaces)."""
    return "".join(line + sep for line, sep, _ in lines)[:-len(lines[-1][1]) or None] if lines else ""


class _TextHeading(_OutlineEntry, _Text):
    """A heading without markup."""

    def __init__(self, text: str, style: ParagraphStyle, widths: _Widths, key: str = "", title: str = "",
                 lines: list[tuple[str, str, float]] | None = None, width: float = 0):
        super().__init__(text, style, widths, None, lines, width)
        self._key, self._title = key, title

    def _part(self, lines: list[tuple[str, str, float]], first: bool) -> _Text:  # a heading longer than a page
        return _TextHeading(_joined(lines), self.style, self._widths,
                            *((self._key, self._title) if first else ("", "")), lines=lines, width=self._for_width)


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


def _numbered_canvas(doc: LocalizedReport, st: _Styles, fonts: _Fonts, created: float, xmp: bytes):
    """A canvas class that knows the page count when it draws the footers ("Page X of Y")."""
    footer_parts = doc.labels.page_footer
    font = fonts.main

    class NumberedCanvas(rl_canvas.Canvas):
        page_count = 0

        def __init__(self, *args, **kwargs):
            kwargs["initialFontName"] = font  # else Helvetica lands in every page's resources
            super().__init__(*args, **kwargs)
            _fix_timestamp(self._doc, created)
            self._pages: list[dict] = []

        def showPage(self):  # noqa: N802 - ReportLab's name
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            NumberedCanvas.page_count = total
            for state in self._pages:
                self.__dict__.update(state)
                self._footer(total)
                super().showPage()
            self.showOutline()  # PageMode /UseOutlines: bookmarks open in the viewer
            self.addPageLabel(0, style="D")  # logical page numbers 1, 2, ... match the footer
            self._doc.Catalog.Metadata = PDFStream(
                PDFDictionary({"Type": PDFName("Metadata"), "Subtype": PDFName("XML")}), xmp, filters=[])
            super().save()

        def _footer(self, total: int) -> None:
            page = self._pageNumber
            label = "".join(str(page) if p == "{page}" else str(total) if p == "{pages}" else p for p in footer_parts)
            label = " ".join(plain(label).split())
            width, _ = self._pagesize
            left, right, y = MARGIN, width - MARGIN, 12 * mm
            self.saveState()
            self.setStrokeColor(st.accent)
            self.setLineWidth(0.4)
            self.line(left, y + 10, right, y + 10)
            self.setFillColor(st.muted)
            label_w = _width(label, fonts, font, 8)
            _draw(self, right - label_w, y, label, fonts, font, 8)
            title = _fit(" ".join(plain(doc.title.text).split()), fonts, font, 8,
                         right - left - label_w - 12 * mm)
            _draw(self, left, y, title, fonts, font, 8)
            if doc.draft:
                self.setFillColor(colors.HexColor("#B00020"))
                _draw(self, (left + right) / 2 + 10 * mm, y, doc.labels.draft, fonts, font + "-Bold", 8)
            self.restoreState()

    return NumberedCanvas


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
    """XMP metadata with the same title, author, subject, keywords, language and dates as /Info."""
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
    """The flowables of one document's text: :class:`_Text` (a third of a Paragraph's cost) for
    text in the main font without a draft mark, which is nearly all of it; Paragraph (markup) for
    the rest."""

    def __init__(self, doc: LocalizedReport, fonts: _Fonts):
        self.doc, self.fonts, self.widths = doc, fonts, _Widths()

    def _plain(self, p: Phrase) -> str | None:
        """``p``'s text as drawn, if it needs no markup."""
        text = plain(p.text)
        fonts = self.fonts
        if p.marked or (fonts.fallback is not None and any(ord(ch) not in fonts.main_cmap
                                                           for ch in set(text) - NOT_DRAWN)):
            return None
        return text

    def text(self, p: Phrase | str, style: ParagraphStyle, bullet: str | None = None) -> Flowable:
        p = Phrase(p) if isinstance(p, str) else p
        text = self._plain(p)
        if text is not None:
            return _Text(text, style, self.widths, bullet)
        return Paragraph(_phrase(p, self.doc, self.fonts), style, bulletText=bullet)

    def heading(self, p: Phrase, style: ParagraphStyle, key: str) -> Flowable:
        title = p.text.replace("\n", " ")
        text = self._plain(p)
        if text is not None:
            return _TextHeading(text, style, self.widths, key, title)
        return _Heading(_phrase(p, self.doc, self.fonts), style, key, title)


def _logo(path: Path, max_w: float, max_h: float) -> Image:
    w, h = ImageReader(str(path)).getSize()
    scale = min(max_w / w, max_h / h)
    img = Image(str(path), width=w * scale, height=h * scale)
    img.hAlign = "LEFT"
    return img


def _title_block(doc: LocalizedReport, st: _Styles, blocks: _Blocks, width: float, theme: Theme) -> list[Flowable]:
    fonts = blocks.fonts
    out: list[Flowable] = []
    organiser = blocks.text(doc.organiser, st.organiser) if doc.organiser else None
    if theme.logo is not None:
        logo = _logo(theme.logo, 60 * mm, 18 * mm)
        if organiser is None:
            out += [logo, Spacer(1, 12)]
        else:  # letterhead: logo, then the organiser's name beside it
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
        out.append(blocks.text(doc.kind_label.upper(), st.kind))
    if doc.series:
        out.append(blocks.text(doc.series, st.series))
    out.append(blocks.heading(doc.title, st.title, "top"))
    if doc.facts:
        widest = max(_width(k, fonts, st.fact_label.fontName, st.fact_label.fontSize) for k, _ in doc.facts)
        label_w = min(max(28 * mm, widest + 16), width / 3)
        rows = [[blocks.text(k, st.fact_label), blocks.text(v, st.fact_value)] for k, v in doc.facts]
        table = Table(rows, colWidths=[label_w, width - label_w], hAlign="LEFT", splitInRow=1)
        table.setStyle(TableStyle([
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
        out.append(table)
    out.append(Spacer(1, 8))
    return out


def _body(doc: LocalizedReport, st: _Styles, blocks: _Blocks) -> list[Flowable]:
    story: list[Flowable] = []
    for i, section in enumerate(doc.sections):
        if section.heading:
            story.append(blocks.heading(section.heading, st.heading, f"s{i}"))
        for b in section.blocks:
            if isinstance(b, LParagraph):
                story.append(blocks.text(b.text, st.body))
            elif isinstance(b, LBulletList):
                # one Paragraph per bullet (hanging indent from the style): a long list splits
                # between bullets and a heading stays with the first bullet only
                for j, item in enumerate(b.items, 1):
                    story.append(blocks.text(item, st.bullet_last if j == len(b.items) else st.bullet, "•"))
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
    story = _title_block(doc, st, blocks, width, theme) + _body(doc, st, blocks)
    canvasmaker = _numbered_canvas(doc, st, fonts, doc.created.timestamp(), xmp_packet(doc, subject))
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
