"""Our flowables for text (used by :mod:`reportgen.render.pdf`): :class:`Text`, a plain left-aligned
paragraph broken with cached word widths (what most of a report is), its heading variant, and the
ReportLab Paragraphs for text that needs markup. Each draws its content as the content of its
structure element (:mod:`reportgen.render.pdf_tags`): a bullet as ``Lbl``, its text as ``LBody``, a
URL as a ``Link`` with its link annotation."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import Flowable, Paragraph

from .links import find_urls
from .pdf_tags import Elem

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


def draw_bullet(c: Any, st: ParagraphStyle, y: float, bullet: str) -> None:
    """A bullet where ReportLab's Paragraph puts it: at ``bulletIndent``, on the first baseline."""
    c.setFont(st.bulletFontName, st.bulletFontSize)
    c.setFillColor(st.bulletColor or st.textColor)
    c.drawString(st.bulletIndent, y, bullet)


class MarkedParagraph(Paragraph):
    """Text with markup (a draft mark, a fallback font): a ReportLab Paragraph drawn as the content
    of its structure element ``struct``. Its bullet is drawn here, as the content of ``label``
    (``Lbl``), not by Paragraph (it would fall inside the text's marked content)."""

    def __init__(self, text, style, struct: Elem | None = None, label: Elem | None = None,
                 bullet: str | None = None, **kwargs):
        super().__init__(text, style, **kwargs)  # ReportLab makes the parts of a split with kwargs
        self.struct, self.label, self.bullet = struct, label, bullet

    def split(self, availWidth, availHeight):  # noqa: N803 - ReportLab's names
        parts = super().split(availWidth, availHeight)
        for i, part in enumerate(parts):
            part.struct = self.struct
            part.label, part.bullet = (self.label, self.bullet) if i == 0 else (None, None)
        return parts

    def draw(self) -> None:
        c, struct, label = self.canv, self.struct, self.label
        if self.bullet:
            if label is not None:
                label.tree.begin(c, label)
            draw_bullet(c, self.style, self.height - self.style.fontSize, self.bullet)
            if label is not None:
                label.tree.end(c)
        if struct is not None:
            struct.tree.begin(c, struct)
        super().draw()
        if struct is not None:
            struct.tree.end(c)


class Heading(_OutlineEntry, MarkedParagraph):
    """A heading with markup."""

    def __init__(self, text, style, key: str = "", title: str = "", **kwargs):
        super().__init__(text, style, **kwargs)
        self._key, self._title = key, title

    def split(self, availWidth, availHeight):  # noqa: N803 - ReportLab's names
        parts = super().split(availWidth, availHeight)
        for i, part in enumerate(parts):  # a heading longer than a page: the entry goes with its start
            part._key, part._title = (self._key, self._title) if i == 0 else ("", "")
        return parts


_BREAKS = re.compile(r"[ \t\r\f\v\u1680\u2000-\u2008\u200a\u205f\u3000]+")  # not U+00A0, U+202F, U+2007


class Widths:
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


class Text(Flowable):
    """A plain left-aligned paragraph in one font: what most of a report is.

    Equivalent to a ReportLab Paragraph of escaped text without markup (same style attributes:
    font, size, leading, colour, left indent, bullet, space before/after, keep with next, no orphans
    or widows), but it breaks lines with cached word widths, about three times faster on long
    reports. Words wider than the line (URLs) are broken between characters; U+00A0 never breaks.
    Text that needs markup (a draft mark, a fallback font) uses Paragraph instead.

    Each line is kept with what separated it from the next (a space, a line break, or nothing inside
    a word broken between characters), so that a part made by :meth:`split` holds its own text and
    can be broken again for another width (a table cell is split at one width and drawn at another)."""

    def __init__(self, text: str, style: ParagraphStyle, widths: Widths, bullet: str | None = None,
                 lines: list[tuple[str, str, float]] | None = None, width: float = 0,
                 struct: Elem | None = None, label: Elem | None = None):
        super().__init__()
        self.text, self.style, self._widths, self.bullet = text, style, widths, bullet
        self.struct, self.label = struct, label  # structure elements of the text and of the bullet
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
        known = widths.table(font, size)  # looked up here: a long report measures 100,000 words
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
                w = known.get(word)
                if w is None:
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
                piece, used = "", 0.0  # a word longer than the line: break it anywhere
                for ch in word:
                    cw = known.get(ch)
                    if cw is None:
                        cw = known[ch] = pdfmetrics.stringWidth(ch, font, size)
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

    def _part(self, lines: list[tuple[str, str, float]], first: bool) -> Text:
        return Text(_joined(lines), self.style, self._widths, self.bullet if first else None, lines,
                    self._for_width, self.struct, self.label if first else None)

    def draw(self) -> None:
        st, c, struct, label = self.style, self.canv, self.struct, self.label
        y = self.height - st.fontSize
        if self.bullet:
            if label is not None:
                label.tree.begin(c, label)
            draw_bullet(c, st, y, self.bullet)
            if label is not None:
                label.tree.end(c)
        lines = self._lines or ()
        if struct is None:
            self._draw_lines(lines, y)
            return
        text = "".join(line + sep for line, sep, _ in lines) if "://" in self.text else ""
        urls = list(find_urls(text))
        if urls:
            self._draw_links(struct, lines, y, urls, text)
        else:
            struct.tree.begin(c, struct)
            self._draw_lines(lines, y)
        struct.tree.end(c)

    def _draw_lines(self, lines: Any, y: float) -> None:
        st, c = self.style, self.canv
        t = c.beginText(st.leftIndent, y)
        t.setFont(st.fontName, st.fontSize, st.leading)
        t.setFillColor(st.textColor)
        for line, sep, word_space in lines:
            if sep:  # the space a line ends with is drawn (invisible): text extraction keeps the words apart
                line += " "
            if word_space:
                t.setWordSpace(word_space)
                t.textLine(line)
                t.setWordSpace(0)
            else:
                t.textLine(line)
        c.drawText(t)

    def _draw_links(self, struct: Elem, lines: Any, y: float, urls: list[tuple[int, int]], text: str) -> None:
        """The lines, piece by piece: the pieces of a URL are the content of its ``Link`` element,
        each with a link annotation over it; the rest is the content of ``struct``."""
        st, c, tree = self.style, self.canv, struct.tree
        font, size = st.fontName, st.fontSize
        links: dict[int, Elem] = {}
        offset, current = 0, None
        for line, sep, word_space in lines:
            line += " " if sep else ""  # as _draw_lines does; a URL never ends with a space
            x, cuts = st.leftIndent, sorted({0, len(line)} | {min(max(p - offset, 0), len(line))
                                                              for span in urls for p in span})
            for a, b in zip(cuts, cuts[1:]):
                piece = line[a:b]
                width = pdfmetrics.stringWidth(piece, font, size) + word_space * piece.count(" ")
                url = next((u for u in urls if u[0] <= offset + a < u[1]), None)
                if url is None:
                    owner = struct
                elif url[0] in links:
                    owner = links[url[0]]
                else:
                    owner = links[url[0]] = struct.add("Link")
                if owner is not current:  # the page's artifact, or the previous owner's content, ends
                    if current is not None:
                        tree.end(c)
                    tree.begin(c, owner)
                    current = owner
                if url is not None:
                    tree.link(c, owner, quote(text[url[0]:url[1]], safe=_URI_SAFE),
                              (x, y - 0.25 * size, x + width, y + 0.95 * size))
                self._draw_piece(piece, x, y, word_space)
                x += width
            offset += len(line)
            y -= st.leading

    def _draw_piece(self, piece: str, x: float, y: float, word_space: float) -> None:
        st, c = self.style, self.canv
        t = c.beginText(x, y)
        t.setFont(st.fontName, st.fontSize, st.leading)
        t.setFillColor(st.textColor)
        if word_space:
            t.setWordSpace(word_space)
        t.textOut(piece)
        if word_space:
            t.setWordSpace(0)
        c.drawText(t)


#: Characters a URI keeps as they are; others (non-ASCII letters of an IRI) are percent-encoded.
_URI_SAFE = "!#$%&'()*+,/:;=?@[]~"


def _joined(lines: list[tuple[str, str, float]]) -> str:
    """The text that :meth:`Text._break` made ``lines`` of (whitespace runs made single spaces)."""
    return "".join(line + sep for line, sep, _ in lines)[:-len(lines[-1][1]) or None] if lines else ""


class TextHeading(_OutlineEntry, Text):
    """A heading without markup."""

    def __init__(self, text: str, style: ParagraphStyle, widths: Widths, key: str = "", title: str = "",
                 lines: list[tuple[str, str, float]] | None = None, width: float = 0, struct: Elem | None = None):
        super().__init__(text, style, widths, None, lines, width, struct)
        self._key, self._title = key, title

    def _part(self, lines: list[tuple[str, str, float]], first: bool) -> Text:  # a heading longer than a page
        return TextHeading(_joined(lines), self.style, self._widths,
                           *((self._key, self._title) if first else ("", "")), lines=lines, width=self._for_width,
                           struct=self.struct)

