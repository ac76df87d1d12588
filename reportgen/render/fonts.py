"""The character policy of the PDF, decided before anything is rendered (standard library only).

ReportLab draws a box for a character its font lacks (it has no per-glyph fallback) and has no bidi
or shaping engine, so the build refuses such text up front, once per document, for both formats
(:func:`check_glyphs`). The fonts' coverage is read from their ``cmap`` tables here, without
ReportLab: the build's preflight runs in a process that never imports it, while the worker
processes load the renderers. The PDF renderer uses the same coverage to pick the fallback font, so
the preflight and the drawing always agree.
"""

from __future__ import annotations

import struct
import unicodedata
from functools import lru_cache
from pathlib import Path

from typing import TYPE_CHECKING

from ..errors import Diagnostic
from ..theme import Theme

if TYPE_CHECKING:  # pragma: no cover
    from ..model import LocalizedReport

FONT_DIR = Path(__file__).resolve().parent.parent / "fonts"
#: The faces a report uses (font name suffix -> file): text and headings; nothing is set in italics.
FACES = {"": "Regular", "-Bold": "Bold"}

#: Characters that are layout, not glyphs.
NOT_DRAWN = frozenset("\n\r\t")

#: What ReportLab cannot do with a character, done before drawing (docs/robustness.md):
#: it breaks lines at U+202F / U+2009 (Babel's narrow no-break and thin spaces in French numbers
#: and time ranges), so they become U+00A0; it has no tab stops, so a tab is a space; U+2028 /
#: U+2029 are line breaks. Invisible format characters (category Cf: zero-width spaces and joiners,
#: direction marks, soft hyphens, BOM) would be drawn as visible glyphs or gaps, as ReportLab has no
#: bidi or shaping engine: they are left out (the DOCX keeps them: Word uses them).
_PDF_CHARS = str.maketrans({0x202F: 0x00A0, 0x2009: 0x00A0, 0x09: 0x20, 0x2028: 0x0A, 0x2029: 0x0A})


def plain(text: str) -> str:
    """User text as the PDF draws it: composed (NFC: ReportLab does not position combining marks,
    so 'e' + U+0301 becomes 'é'), without format characters, with the spaces above replaced."""
    text = unicodedata.normalize("NFC", text).translate(_PDF_CHARS)
    if not text.isascii() and not _NOT_FORMAT.issuperset(text):
        new = set(text) - _NOT_FORMAT
        _NOT_FORMAT.update(ch for ch in new if unicodedata.category(ch) != "Cf")
        if not _NOT_FORMAT.issuperset(new):
            text = "".join(ch for ch in text if ch in _NOT_FORMAT)
    return text


#: Characters known not to be format characters (category Cf): most texts are checked by one set test.
_NOT_FORMAT: set[str] = set(map(chr, range(128)))


def font_file(family: str, face: str = "Regular") -> Path:
    """A bundled font file (reportgen/fonts/<family>-<face>.ttf)."""
    return FONT_DIR / f"{family}-{face}.ttf"


class FontError(ValueError):
    """A font file whose character map cannot be read."""


def coverage(path: Path) -> frozenset[int]:
    """The code points ``path`` (a TrueType font) maps to a glyph other than .notdef.

    Reads the Unicode subtable of the ``cmap`` table that ReportLab uses (its choice rules, formats
    0, 4, 6, 10, 12 and 13), in about a millisecond; once per process and version of the file."""
    try:
        st = path.stat()
    except OSError as exc:
        raise FontError(exc.strerror or str(exc)) from None
    return _coverage(path, st.st_mtime_ns, st.st_size)


@lru_cache(maxsize=None)
def _coverage(path: Path, mtime_ns: int, size: int) -> frozenset[int]:  # the date and size: part of the key
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise FontError(exc.strerror or str(exc)) from None
    try:
        return frozenset(_cmap(data))
    except (struct.error, IndexError, ValueError) as exc:
        if isinstance(exc, FontError):
            raise
        raise FontError("its tables are cut short or damaged") from None


def _cmap(data: bytes) -> dict[int, int]:
    """The font's Unicode character map: character -> glyph, without unmapped characters."""
    out = _subtable(data, _unicode_subtable(data))
    if 0x20 in out:  # as ReportLab does: a no-break space is drawn as a space
        out[0xA0] = out[0x20]
    elif 0xA0 in out:
        out[0x20] = out[0xA0]
    return {ch: g for ch, g in out.items() if g}


def _unicode_subtable(data: bytes) -> int:
    """Where the ``cmap`` subtable reportlab would use starts in the font file."""
    (num_tables,) = struct.unpack_from(">H", data, 4)
    for i in range(num_tables):
        tag, _, offset, _ = struct.unpack_from(">4sLLL", data, 12 + 16 * i)
        if tag == b"cmap":
            base = offset
            break
    else:
        raise FontError("no cmap table")
    version, count = struct.unpack_from(">HH", data, base)
    if count == 0 and version != 0:
        count = version
    chosen, enc = None, 0
    for i in range(count):  # the same preference as reportlab.pdfbase.ttfonts.TTFontFile.extractInfo
        platform, encoding, offset = struct.unpack_from(">HHL", data, base + 4 + 8 * i)
        if platform == 3 or (platform == 1 and encoding == 1) or (platform == 0 and encoding != 5):
            chosen, enc = offset, 1
        elif platform == 1 and encoding == 0 and enc != 1:
            chosen, enc = offset, 2
    if chosen is None:
        raise FontError("no Unicode character map")
    return base + chosen


def _subtable(data: bytes, at: int) -> dict[int, int]:
    """A ``cmap`` subtable (formats 0, 4, 6, 10, 12, 13) read: character -> glyph (0: none)."""
    u16, u32 = struct.Struct(">H").unpack_from, struct.Struct(">L").unpack_from
    (fmt,) = u16(data, at)
    out: dict[int, int] = {}
    if fmt == 4:
        (length,) = u16(data, at + 2)
        seg = u16(data, at + 6)[0] // 2
        ends = struct.unpack_from(f">{seg}H", data, at + 14)
        starts = struct.unpack_from(f">{seg}H", data, at + 16 + 2 * seg)
        deltas = struct.unpack_from(f">{seg}h", data, at + 16 + 4 * seg)
        ranges_at = at + 16 + 6 * seg
        range_offsets = struct.unpack_from(f">{seg}H", data, ranges_at)
        limit = at + length
        for n in range(seg):
            start, end, delta, ro = starts[n], ends[n], deltas[n], range_offsets[n]
            if ro == 0:
                out.update((ch, (ch + delta) & 0xFFFF) for ch in range(start, end + 1))
                continue
            for ch in range(start, end + 1):
                pos = ranges_at + 2 * n + ro + 2 * (ch - start)
                glyph = u16(data, pos)[0] if pos < limit else 0
                out[ch] = (glyph + delta) & 0xFFFF if glyph else 0
    elif fmt in (12, 13):
        (groups,) = u32(data, at + 12)
        for start, end, gid in struct.iter_unpack(">LLL", data[at + 16: at + 16 + 12 * groups]):
            for ch in range(start, end + 1):
                out[ch] = gid + (ch - start if fmt == 12 else 0)
    elif fmt == 0:
        for ch, glyph in enumerate(data[at + 6: at + 6 + 256]):
            out[ch] = glyph
    elif fmt in (6, 10):
        first, n = (u16(data, at + 6)[0], u16(data, at + 8)[0]) if fmt == 6 else (u32(data, at + 12)[0], u32(data, at + 16)[0])
        codes_at = at + (10 if fmt == 6 else 20)
        for glyph, ch in enumerate(struct.unpack_from(f">{n}H", data, codes_at), first):
            out[ch] = glyph
    else:
        raise FontError(f"unsupported character map format {fmt}")
    return out


def theme_fonts(theme: Theme) -> tuple[frozenset[int], frozenset[int] | None]:
    """Coverage of the theme's font (its regular face) and of its fallback font, if any."""
    main = coverage(font_file(theme.font))
    return main, coverage(theme.fallback_font) if theme.fallback_font is not None else None


def check_glyphs(doc: LocalizedReport, theme: Theme = Theme()) -> list[Diagnostic]:
    """An error for each character of ``doc`` that neither the theme's font nor its fallback has.

    A translated text is reported at its catalog entry (or source line when English is shown), named
    by its context; layout labels and formatted dates by their field."""
    try:
        main, fallback = theme_fonts(theme)
    except FontError as exc:  # the config checks the fallback font; a bundled one is never damaged
        return [Diagnostic("error", f"theme font: cannot read its character map: {exc}")]
    where = f"the font {theme.font}"
    if theme.fallback_font is not None:
        where += f" nor in the fallback font {theme.fallback_font.name}"
    out: list[Diagnostic] = []
    reported: set[str] = set()
    # characters known to be fine (per font pair, across documents): most strings take one set test
    good = _GOOD.setdefault((id(main), id(fallback)), set(NOT_DRAWN))

    def problems(text: str) -> list[tuple[str, str]]:
        """(character, problem) in order of appearance; right-to-left text once per string."""
        if good.issuperset(text):
            return []
        found, rtl = [], False
        for ch in dict.fromkeys(plain(text)):
            if ch in NOT_DRAWN:
                continue
            o = ord(ch)
            if o not in main and (fallback is None or o not in fallback):
                found.append((ch, f"{_char(ch)} is not in {where}"))
            elif unicodedata.bidirectional(ch) in ("R", "AL"):
                if not rtl:
                    found.append((ch, f"{_char(ch)} is right-to-left text, which the PDF renderer cannot lay out"))
                rtl = True
            else:
                good.add(ch)
        return found

    for p in doc.phrases():
        for ch, problem in problems(p.text):
            reported.add(ch)
            out.append(Diagnostic("error", f"{doc.lang}: {p.context or 'text'}: {problem}", p.origin))
    for name, text in doc.all_text():
        for ch, problem in problems(text):
            if ch not in reported:
                reported.add(ch)
                out.append(Diagnostic("error", f"{doc.lang}: {name}: {problem}"))
    return out


_GOOD: dict[tuple[int, int], set[str]] = {}  # keyed by the (cached, never freed) coverage sets


def _char(ch: str) -> str:
    shown = repr(ch) if ch.isprintable() else ""
    return f"U+{ord(ch):04X} {shown}".rstrip()
