"""PDF renderer (ReportLab). The only module that imports reportlab.

What every PDF gets: the bundled Noto Sans family embedded (subset), a title block, sections with
bookmarks, bullets with hanging indents, a running footer with the title and a localized
"Page X of Y", document language (/Lang), title shown in the viewer's window, metadata, and
byte-for-byte reproducible output for the same input and ``created`` date.
"""

from __future__ import annotations

import io
import time
import unicodedata
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas as rl_canvas
from reportlab.platypus import (
    Flowable, ListFlowable, ListItem, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle,
)

from ..model import LBulletList, LocalizedReport, LParagraph, Phrase
from . import Rendered, RenderOptions

FONT_DIR = Path(__file__).resolve().parent.parent / "fonts"
_FACES = {"": "Regular", "-Bold": "Bold", "-Italic": "Italic", "-BoldItalic": "BoldItalic"}
PAGE_SIZES = {"A4": A4, "LETTER": LETTER}
_registered: set[str] = set()


def register_family(family: str = "NotoSans") -> TTFont:
    """Register the bundled static TTF family once per process; return the regular face."""
    if family not in _registered:
        for suffix, face in _FACES.items():
            pdfmetrics.registerFont(TTFont(family + suffix, str(FONT_DIR / f"{family}-{face}.ttf")))
        pdfmetrics.registerFontFamily(
            family, normal=family, bold=family + "-Bold", italic=family + "-Italic", boldItalic=family + "-BoldItalic"
        )
        _registered.add(family)
    return pdfmetrics.getFont(family)  # type: ignore[return-value]


def missing_glyphs(doc: LocalizedReport, family: str = "NotoSans") -> list[tuple[str, str]]:
    """(field, character) for every character the font cannot draw."""
    cmap = register_family(family).face.charToGlyph
    out = []
    seen: set[str] = set()
    for name, text in doc.all_text():
        for ch in plain(text):  # what is drawn: format characters are left out
            if ch in seen or ord(ch) in cmap or ch in "\n\t":
                continue
            seen.add(ch)
            out.append((name, ch))
    return out


#: What ReportLab cannot do with a character, done before drawing (docs/robustness.md):
#: it breaks lines at U+202F / U+2009 (Babel's narrow no-break and thin spaces in French numbers
#: and time ranges), so they become U+00A0; it has no tab stops, so a tab is a space; it has no
#: bidi or shaping engine, so invisible format characters (zero-width spaces and joiners, direction
#: marks, soft hyphens, BOM: Unicode category Cf) would be drawn as visible glyphs or gaps, and
#: are left out (the DOCX keeps them: Word uses them); U+2028 / U+2029 are line breaks.
_PDF_CHARS = {0x202F: 0x00A0, 0x2009: 0x00A0, 0x09: 0x20, 0x2028: 0x0A, 0x2029: 0x0A}


def plain(text: str) -> str:
    """User text as ReportLab can draw it: composed (NFC: it does not position combining marks,
    so 'e' + U+0301 becomes 'é'), without format characters, with the spaces above replaced."""
    text = unicodedata.normalize("NFC", text).translate(_PDF_CHARS)
    if not text.isascii():
        text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    return text


def markup(text: str) -> str:
    """User text -> Paragraph markup: :func:`plain`, escaped (``<b>`` in a source is text, never
    markup: no font change, no link, no image fetched), line breaks as ``<br/>``."""
    return escape(plain(text)).replace("\n", "<br/>")


class _Styles:
    def __init__(self, font: str, opts: RenderOptions):
        t = opts.theme
        accent, ink, muted = colors.HexColor(t.accent), colors.HexColor(t.text), colors.HexColor(t.muted)
        self.accent, self.ink, self.muted = accent, ink, muted
        bold = font + "-Bold"
        base = dict(fontName=font, textColor=ink, alignment=TA_LEFT, wordWrap=None, splitLongWords=1)
        self.kind = ParagraphStyle("kind", fontName=bold, fontSize=9, leading=12, textColor=accent,
                                   spaceAfter=2, **{k: v for k, v in base.items() if k not in ("fontName", "textColor")})
        self.series = ParagraphStyle("series", fontSize=11.5, leading=15, textColor=accent, spaceAfter=4,
                                     **{k: v for k, v in base.items() if k != "textColor"})
        self.title = ParagraphStyle("title", fontName=bold, fontSize=24, leading=29, textColor=ink, spaceAfter=8,
                                    **{k: v for k, v in base.items() if k not in ("fontName", "textColor")})
        self.organiser = ParagraphStyle("organiser", fontSize=10.5, leading=14, textColor=muted, spaceAfter=10,
                                        **{k: v for k, v in base.items() if k != "textColor"})
        self.fact_label = ParagraphStyle("fact_label", fontName=bold, fontSize=9.5, leading=13, textColor=muted,
                                         **{k: v for k, v in base.items() if k not in ("fontName", "textColor")})
        self.fact_value = ParagraphStyle("fact_value", fontSize=9.5, leading=13, **base)
        self.heading = ParagraphStyle("heading", fontName=bold, fontSize=14, leading=18, textColor=accent,
                                      spaceBefore=14, spaceAfter=6, keepWithNext=1,
                                      **{k: v for k, v in base.items() if k not in ("fontName", "textColor")})
        self.body = ParagraphStyle("body", fontSize=10.5, leading=15, spaceAfter=8, **base)
        self.bullet = ParagraphStyle("bullet", fontSize=10.5, leading=15, spaceAfter=4, **base)


class _Bookmark(Flowable):
    """Zero-size flowable that records an outline entry at its position."""

    def __init__(self, key: str, title: str, level: int = 0):
        super().__init__()
        self.key, self.title, self.level = key, title, level
        self.width = self.height = 0

    def wrap(self, availWidth, availHeight):  # noqa: N803 - ReportLab's names
        return 0, 0

    def draw(self) -> None:
        c = self.canv
        c.bookmarkPage(self.key)
        c.addOutlineEntry(self.title, self.key, level=self.level, closed=False)


def _numbered_canvas(doc: LocalizedReport, styles: _Styles, font: str, created: float):
    """A canvas class that knows the page count when it draws the footers ("Page X of Y")."""
    footer_parts = doc.labels.page_footer

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
            super().save()

        def _footer(self, total: int) -> None:
            page = self._pageNumber
            label = "".join(str(page) if p == "{page}" else str(total) if p == "{pages}" else p for p in footer_parts)
            width, _ = self._pagesize
            left, right, y = 20 * mm, width - 20 * mm, 12 * mm
            self.saveState()
            self.setStrokeColor(styles.accent)
            self.setLineWidth(0.4)
            self.line(left, y + 10, right, y + 10)
            self.setFont(font, 8)
            self.setFillColor(styles.muted)
            label = " ".join(plain(label).split())
            label_w = pdfmetrics.stringWidth(label, font, 8)
            title = _fit(plain(doc.title.text), font, 8, right - left - label_w - 12 * mm)
            self.drawString(left, y, title)
            self.drawRightString(right, y, label)
            if doc.draft:
                self.setFont(font + "-Bold", 8)
                self.setFillColor(colors.HexColor("#B00020"))
                self.drawCentredString((left + right) / 2 + 10 * mm, y, plain(doc.labels.draft))
            self.restoreState()

    return NumberedCanvas


def _fit(text: str, font: str, size: float, width: float) -> str:
    """``text`` on one line of ``width``, cut with an ellipsis if needed (binary search: a title
    may be thousands of characters long)."""
    text = " ".join(text.split())
    limit = 4 * int(width)  # more characters than fit in ``width``: never measure more than that
    if len(text) <= limit and pdfmetrics.stringWidth(text, font, size) <= width:
        return text
    lo, hi = 0, min(len(text), limit)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if pdfmetrics.stringWidth(text[:mid] + "…", font, size) <= width:
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


def _phrase(p: Phrase, doc: LocalizedReport) -> str:
    text = markup(p.text)
    if p.marked:
        text += f' <font color="#B00020" size="8">{markup(doc.labels.draft_marker)}</font>'
    return text


def _title_block(doc: LocalizedReport, st: _Styles, width: float) -> list[Flowable]:
    out: list[Flowable] = []
    if doc.kind_label:
        out.append(Paragraph(markup(doc.kind_label.upper()), st.kind))
    if doc.series:
        out.append(Paragraph(_phrase(doc.series, doc), st.series))
    out.append(Paragraph(_phrase(doc.title, doc), st.title))
    if doc.organiser:
        out.append(Paragraph(_phrase(doc.organiser, doc), st.organiser))
    if doc.facts:
        widest = max(pdfmetrics.stringWidth(plain(k), st.fact_label.fontName, st.fact_label.fontSize) for k, _ in doc.facts)
        label_w = min(max(28 * mm, widest + 16), width / 3)
        rows = [[Paragraph(markup(k), st.fact_label), Paragraph(markup(v), st.fact_value)] for k, v in doc.facts]
        table = Table(rows, colWidths=[label_w, width - label_w], hAlign="LEFT", splitInRow=1)
        table.setStyle(TableStyle([
            ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#F2F5F9")),
            ("LINEABOVE", (0, 0), (-1, 0), 1.2, st.accent),
            ("FONTNAME", (0, 0), (-1, -1), st.fact_value.fontName),  # cell default is Helvetica
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


def render(doc: LocalizedReport, options: RenderOptions) -> Rendered:
    font = options.theme.font
    register_family(font)
    st = _Styles(font, options)
    pagesize = PAGE_SIZES[options.theme.page_size.upper()]
    buf = io.BytesIO()
    margin = 20 * mm
    template = SimpleDocTemplate(
        buf,
        pagesize=pagesize,
        leftMargin=margin, rightMargin=margin, topMargin=margin, bottomMargin=24 * mm,
        title=doc.title.text,
        author=doc.organiser.text if doc.organiser else "",
        subject=doc.event_line or (doc.series.text if doc.series else ""),
        keywords=list(doc.keywords),
        creator=doc.generator,
        producer=doc.generator,
        lang=doc.tag,
        displayDocTitle=1,
        invariant=1,
        initialFontName=font,
    )
    width = pagesize[0] - 2 * margin
    story: list[Flowable] = [_Bookmark("top", doc.title.text)]
    story += _title_block(doc, st, width)
    for i, section in enumerate(doc.sections):
        flow: list[Flowable] = []
        if section.heading:
            flow.append(_Bookmark(f"s{i}", section.heading.text, level=1))
            flow.append(Paragraph(_phrase(section.heading, doc), st.heading))
        for block in section.blocks:
            if isinstance(block, LParagraph):
                flow.append(Paragraph(_phrase(block.text, doc), st.body))
            elif isinstance(block, LBulletList):
                items = [ListItem(Paragraph(_phrase(item, doc), st.bullet), leftIndent=14, value="•")
                         for item in block.items]
                flow.append(ListFlowable(items, bulletType="bullet", start="•", leftIndent=14,
                                         bulletFontName=font, bulletFontSize=10.5, bulletColor=st.accent,
                                         spaceAfter=6))
        story += flow  # headings have keepWithNext: never alone at the foot of a page
    created = doc.created.timestamp()
    canvasmaker = _numbered_canvas(doc, st, font, created)
    template.build(story, canvasmaker=canvasmaker)
    return Rendered(buf.getvalue(), canvasmaker.page_count)
