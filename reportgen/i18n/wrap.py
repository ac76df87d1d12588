"""PO strings written as GNU gettext writes them (``msgcat``, ``msgmerge``, Poedit). Standard library only.

A string is cut into portions after each ``\\n``; each portion is escaped (``\\\\``, ``\\"``,
``\\n``, ``\\t``, ``\\r``, ``\\a``, ``\\b``, ``\\f``, ``\\v``) and broken into lines of at most 79
columns (the quotes included) at the line-break opportunities of the Unicode line-breaking
algorithm (UAX #14), never inside an escape sequence nor just before the final ``\\n``. When the
string has more than one portion or does not fit on the keyword's line, the keyword line holds
``""`` and the text starts on the next line. This module is written from that behaviour (GNU
gettext's ``write-po.c``), not from its code.

The line-break classes are those of Unicode for ASCII and the Latin, Greek and Cyrillic letters,
the no-break spaces, quotation marks and dashes; other characters are treated as letters (class
AL), so texts in scripts that break between characters (Chinese, Japanese, Thai) may be wrapped
otherwise than GNU wraps them (still valid PO; ``msgcat`` would rewrap them). Also not reproduced:
GNU's wrapping of an entry flagged with a format (``python-brace-format``) whose text has a run
longer than a line without a break opportunity (a word of 78 letters) ending in a directive.
"""

from __future__ import annotations

import unicodedata

PAGE_WIDTH = 79

_ESCAPED = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r", "\a": "\\a", "\b": "\\b",
            "\f": "\\f", "\v": "\\v"}

# Line-break classes (UAX #14) of the characters that are not letters.
_CLASS = {
    " ": "SP", "!": "EX", '"': "QU", "$": "PR", "%": "PO", "'": "QU", "(": "OP", ")": "CP", "+": "PR",
    ",": "IS", "-": "HY", ".": "IS", "/": "SY", ":": "IS", ";": "IS", "?": "EX", "[": "OP", "\\": "PR",
    "]": "CP", "{": "OP", "|": "BA", "}": "CL", "\u00a0": "GL", "\u202f": "GL", "\u2007": "GL", "\u2011": "GL",
    "\u00ab": "QU", "\u00bb": "QU", "\u2018": "QU", "\u2019": "QU", "\u201c": "QU", "\u201d": "QU",
    "\u2039": "QU", "\u203a": "QU", "\u2013": "BA", "\u2014": "B2", "\u2026": "IN", "\u00ad": "BA",
    "\u2009": "BA", "\u2010": "BA", "\u00a1": "OP", "\u00bf": "OP", "\u00b0": "PO", "\u20ac": "PR",
    "\u00a3": "PR", "\u00a7": "AI", "\u00b7": "AI", "\u2022": "AL", "\u200b": "ZW", "\u2060": "WJ",
    "\ufeff": "WJ",
}
for _c in "0123456789":
    _CLASS[_c] = "NU"

# Which pairs of classes may break, as GNU gettext's line breaking (libunistring) decides: for
# (before, after), "_" a break is allowed; "%" only when spaces are between them; "^" never, not
# even after spaces. Measured with msgcat (tests/test_po_format.py checks it again).
_ORDER = "OP CL CP QU GL NS EX SY IS PR PO NU AL ID IN HY BA BB B2 ZW CM WJ".split()
_ROWS = {
    "OP": "^^^^^^^^^^^^^^^^^^^_%^",
    "CL": "_^^%%^^^^%%___%%%___%^",
    "CP": "_^^%%%^^^%%%%_%%%___%^",
    "QU": "^^^%%%^^^%%%%%%%%%%_%^",
    "GL": "%^^%%%^^^%%%%%%%%%%_%^",
    "NS": "_^^%%%^^^_____%%%___%^",
    "EX": "_^^%%%^^^_____%%%___%^",
    "SY": "_^^%%%^^^__%__%%%___%^",
    "IS": "_^^%%%^^^__%__%%%___%^",
    "PR": "%^^%%%^^^__%%%%%%___%^",
    "PO": "%^^%%%^^^__%%_%%%___%^",
    "NU": "%^^%%%^^^%%%%_%%%___%^",
    "AL": "%^^%%%^^^%%%%_%%%___%^",
    "ID": "_^^%%%^^^_%___%%%___%^",
    "IN": "_^^%%%^^^_____%%%___%^",
    "HY": "_^^%_%^^^__%__%%%___%^",
    "BA": "_^^%_%^^^_____%%%___%^",
    "BB": "%^^%%%^^^%%%%%%%%%%_%^",
    "B2": "_^^%%%^^^_____%%%_^_%^",
    "ZW": "______________________",
    "CM": "%^^%%%^^^%%%%%%%%%%_%^",
    "WJ": "%^^%%%^^^%%%%%%%%%%_%^",
}
_PAIRS = {(a, b): _ROWS[a][j] for a in _ORDER for j, b in enumerate(_ORDER)}


def _class(c: str) -> str:
    cls = _CLASS.get(c)
    if cls is not None:
        return cls
    cls = _CLASS[c] = _new_class(c)  # remembered: the table grows with the characters met
    return cls


def _new_class(c: str) -> str:
    if c < "\x80":
        return "AL" if c.isprintable() else "CM"
    cat = unicodedata.category(c)
    if cat[0] == "M":
        return "CM"
    if cat == "Zs":
        return "BA"
    if unicodedata.east_asian_width(c) in "WF":
        return "ID"
    return "AL"


_WIDTH: dict[str, int] = {}


def _width(c: str) -> int:
    w = _WIDTH.get(c)
    if w is None:
        w = _WIDTH[c] = _new_width(c)
    return w


def _new_width(c: str) -> int:
    if c < "\x7f":
        return 1 if c >= " " else 0
    if unicodedata.category(c) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(c) in "WF" else 1


def _opportunities(chars: list[str], glued: list[bool]) -> list[bool]:
    """allowed[i]: a line may break before chars[i] (never at 0); ``glued[i]`` forbids it."""
    n = len(chars)
    allowed = [False] * n
    classes = [_class(c) for c in chars]
    classes = ["AL" if c == "AI" else c for c in classes]
    last: str | None = None  # the class before the current run of spaces (None: only spaces so far)
    spaces = False
    for i in range(n):
        cls = classes[i]
        if cls == "SP":
            spaces = True
            continue
        if cls == "CM" and last is not None and not spaces:  # a combining mark goes with its base
            continue
        if cls == "CM":
            cls = "AL"
        if last is None:  # no break before the first character nor after spaces at the start
            last, spaces = cls, False
            continue
        rule = _PAIRS.get((last, cls), "_")
        if not glued[i] and (rule == "_" or (rule in "%@" and spaces)):
            allowed[i] = True
        last, spaces = cls, False
    return allowed


def _breaks(chars: list[str], allowed: list[bool], width: int, start: int) -> list[int]:
    """Where lines break (indices of the first char of each new line): greedy, as wide as fits.
    A piece runs from one opportunity to the next, its trailing spaces included."""
    ends = [0]
    for c in chars:
        ends.append(ends[-1] + _width(c))  # columns used by chars[:i]
    out: list[int] = []
    column = start  # where the current piece starts
    last: int | None = None  # the last opportunity
    at = 0  # where the current piece starts, as an index
    for i in [i for i, ok in enumerate(allowed) if ok] + [len(chars)]:
        piece = ends[i] - ends[at]
        if last is not None and column + piece > width:
            out.append(last)
            column = 0
        if i == len(chars):
            break
        last, column, at = i, column + piece, i
    return out


_ESCAPE_TABLE = str.maketrans(_ESCAPED)


def _escape(text: str) -> str:
    return text.translate(_ESCAPE_TABLE)


def wrap(name: str, value: str, prefix: str = "", width: int = PAGE_WIDTH) -> list[str]:
    """The lines of ``name "value"`` (name: msgid, msgstr[0]...) as GNU writes them; ``prefix``
    is "#~ " for obsolete entries, "#| " or "#~| " for previous texts."""
    if "\n" not in value[:-1]:
        escaped = _escape(value)
        room = width - len(prefix) - len(name) - 3
        if len(escaped) <= room and (escaped.isascii() or sum(map(_width, escaped)) <= room):
            return [f'{prefix}{name} "{escaped}"']
    portions = []
    start = 0
    while True:
        end = value.find("\n", start)
        if end < 0 or end == len(value) - 1:
            portions.append(value[start:])
            break
        portions.append(value[start:end + 1])
        start = end + 1
    after_break = len(prefix) + 1
    avail = width - 1 - after_break
    lines: list[str] = []
    first = True
    for k, portion in enumerate(portions):
        chars: list[str] = []
        glued: list[bool] = []
        for c in portion:
            esc = _ESCAPED.get(c)
            if esc is None:
                chars.append(c)
                glued.append(False)
            else:
                chars += [esc[0], esc[1]]
                glued += [False, True]
        if portion.endswith("\n") and len(chars) >= 2:
            glued[-2] = True
        allowed = _opportunities(chars, glued)
        startcol = (len(prefix) + len(name) + 1 + 1 - after_break) if first else 0
        cuts = _breaks(chars, allowed, avail, startcol)
        if first and chars and (k + 1 < len(portions) or startcol > avail or cuts):
            lines.append(f'{prefix}{name} ""')
            first = False
            startcol = 0
            cuts = _breaks(chars, allowed, avail, startcol)
        bounds = [0] + cuts + [len(chars)]
        for j in range(len(bounds) - 1):
            text = "".join(chars[bounds[j]:bounds[j + 1]])
            lead = f"{prefix}{name} " if first else prefix
            first = False
            lines.append(f'{lead}"{text}"')
    if not lines:
        lines.append(f'{prefix}{name} ""')
    return lines


def references(refs: list[str], width: int = PAGE_WIDTH) -> list[str]:
    """``#:`` lines: as many references per line as fit in ``width`` columns."""
    lines: list[str] = []
    line = "#:"
    column = 2
    for ref in refs:
        while ref.startswith("./"):
            ref = ref[2:]
        n = len(ref) + 1
        if column > 2 and column + n > width:
            lines.append(line)
            line, column = "#:", 2
        line += " " + ref
        column += n
    lines.append(line)
    return lines
