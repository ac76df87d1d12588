"""The strict PO scanner: the structure of a PO file, every problem at its line. Standard library only.

:func:`scan_po` reads a PO file in one pass (linear in its size) and returns its entries, with
their comments, flags, previous texts (``#|``, ``#~|``) and the span of lines each occupies, and
the problems it found, each at its line: unterminated strings, unknown escapes, stray text,
a missing msgstr, a blank line or a comment inside an entry, duplicate entries, a header gettext
tools would misread (a charset other than UTF-8, dates, ``Language``, ``Plural-Forms``), plural
entries whose number of forms disagrees with the header. It refuses every file Babel's
``read_po(..., abort_invalid=True)`` refuses, so that no tool the translator uses reads a catalog
otherwise than reportgen does (``tests/test_translations.py``).

:mod:`reportgen.i18n.po` builds the catalog model and writer on it; :mod:`reportgen.i18n.translator`
the build's look-up.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import Diagnostic, InputError, Location, link_escape
from .header import check_header

# --------------------------------------------------------------------------- strict PO syntax

#: A keyword and what follows it. Babel splits a keyword line at its first space, so the keyword
#: must be followed by exactly that (``msgid"x"`` and ``msgid<TAB>"x"`` are unknown keywords there).
_KEYWORD = re.compile(r"(msgctxt|msgid_plural|msgid|msgstr(?:\[([0-9]+)\])?)(.*)")
#: The same inside a ``#|`` comment (the previous msgid of a fuzzy entry), read as before.
_PREVIOUS_KEYWORD = re.compile(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s*(.*)$")
#: the escapes GNU gettext writes (\a \b \f \v only for control characters, which the checks report)
_ESCAPES = {"\\": "\\", '"': '"', "n": "\n", "t": "\t", "r": "\r", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}
#: What ``bytes.strip()`` removes: Babel strips each line as bytes, before decoding it, so a line
#: that starts with U+00A0 or U+3000 is not blank (nor a keyword) for it.
_LINE_SPACE = " \t\n\r\x0b\x0c"


class ScannedEntry:
    """One entry as written in the file."""

    __slots__ = ("line", "obsolete", "context", "msgid", "msgid_plural", "msgstr", "previous", "header_lines",
                 "flags", "pieces", "comments", "notes", "references", "first", "last")

    def __init__(self, line: int, obsolete: bool = False, context: str | None = None, msgid: str | None = None,
                 msgid_plural: str | None = None, msgstr: dict[int, str] | None = None,
                 previous: dict[str, str] | None = None, flags: list[str] | None = None):
        self.line = line  # of msgid (of msgctxt until msgid is read)
        self.obsolete = obsolete
        self.context = context
        self.msgid = msgid
        self.msgid_plural = msgid_plural
        self.msgstr: dict[int, str] = {} if msgstr is None else msgstr
        #: the previous texts of a fuzzy entry ('#|' or '#~|'): msgctxt, msgid, msgid_plural
        self.previous: dict[str, str] = {} if previous is None else previous
        #: header field -> line (of the header entry's strings that start with "Field:")
        self.header_lines: dict[str, int] = {}
        #: the ``#,`` flags, as written: the flags comments since the previous entry ended
        self.flags: list[str] = [] if flags is None else flags
        #: (offset in msgstr, line) of each string of the header's msgstr (for locating header lines)
        self.pieces: list[tuple[int, int]] = []
        self.comments: list[str] = []  # '# ' translator comments
        self.notes: list[str] = []  # '#.' extracted comments
        self.references: list[str] = []  # '#:' references, one item each
        self.first = line  # the entry's first line (its first comment) and last line
        self.last = line

    @property
    def previous_id(self) -> str | None:
        return self.previous.get("msgid")

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={getattr(self, k)!r}" for k in self.__slots__[:8])
        return f"ScannedEntry({fields})"


_SIMPLE_STRING = re.compile(r'\s*"([^"\\]*)"\s*')
#: A whole string token as _parse_string accepts it (\s is what str.strip() strips)
_STRING = re.compile(r'\s*"([^"\\]*(?:\\[\\"ntrabfv][^"\\]*)*)"\s*')
_ESCAPE = re.compile(r"\\(.)")


def _unescape(m: re.Match) -> str:
    return _ESCAPES[m.group(1)]


def _parse_string(token: str) -> tuple[str | None, str]:
    """Decode one C-style PO string token; (value, "") or (None, reason)."""
    simple = _SIMPLE_STRING.fullmatch(token)  # most strings: no escape
    if simple:
        return simple.group(1), ""
    good = _STRING.fullmatch(token)  # the rest is for the reason it is not
    if good:
        value = good.group(1)
        return (_ESCAPE.sub(_unescape, value) if "\\" in value else value), ""
    token = token.strip()
    if not token.startswith('"'):
        return None, f"expected a quoted string, got {token[:20]!r}"
    out = []
    i = 1
    while i < len(token):
        ch = token[i]
        if ch == "\\":
            if i + 1 >= len(token):
                break
            esc = token[i + 1]
            if esc not in _ESCAPES:
                return None, f"invalid escape sequence '\\{esc}' (use \\n, \\t, \\\\ or \\\")"
            out.append(_ESCAPES[esc])
            i += 2
            continue
        if ch == '"':
            if token[i + 1:].strip():
                return None, f"unexpected text after the closing quote: {token[i + 1:].strip()[:20]!r}"
            return "".join(out), ""
        out.append(ch)
        i += 1
    return None, "unterminated string (missing closing quote)"


def _isolates_problem(text: str) -> str:
    """Babel's check of a ``#:`` comment (``pofile._extract_locations``, which raises ValueError):
    file names with spaces are enclosed in U+2068 ... U+2069, which must pair up."""
    if "\u2068" not in text and "\u2069" not in text:
        return ""
    inside = False
    location = ""
    for c in text:
        if c == "\u2068":
            if inside:
                break
            inside = True
        elif c == "\u2069":
            if not inside:
                break
            inside = False
        elif c == " ":
            if inside:
                location += c
            elif location:
                location = ""
        else:
            location += c
    else:
        if not (location and inside):
            return ""
    return "unbalanced U+2068/U+2069 (the marks around a file name with spaces) in a '#:' comment"


def scan_po(text: str) -> tuple[list[ScannedEntry], list[tuple[int, str]]]:
    """Read the structure of a PO file strictly; return its entries and (line, problem) pairs,
    sorted by line: unterminated strings, bad escapes, stray text, keywords without msgid or
    msgstr, a keyword not followed by a space, a blank line or comment inside an entry, a second
    msgstr, duplicate entries, a missing or malformed header (a charset other than UTF-8, dates,
    Language and Plural-Forms that gettext tools cannot read), and plural entries whose number of
    forms disagrees with Plural-Forms. One pass; time linear in the size of the file."""
    scanner = _Scanner()
    for lineno, raw in enumerate(text.split("\n"), 1):  # not splitlines(): a PO line ends at \n only
        scanner.line(lineno, raw.strip(_LINE_SPACE))
    scanner.flush()
    entries, problems = scanner.entries, scanner.problems
    for e in entries:
        if id(e) in scanner.explained:
            continue
        if e.msgid is not None and not e.msgstr:
            problems.append((e.line, f"missing msgstr for msgid {_short(e.msgid)!r}"))
        elif e.msgid is None and e.context is not None and e.msgid_plural is None and not e.msgstr:
            problems.append((e.line, "msgctxt without msgid"))
    if not problems:
        _check_entries(entries, problems)
    problems.sort(key=_first)
    return entries, problems


class _Scanner:
    """The state of :func:`scan_po` between lines."""

    def __init__(self) -> None:
        self.problems: list[tuple[int, str]] = []
        self.entries: list[ScannedEntry] = []
        self.explained: set[int] = set()  # entries whose missing msgid/msgstr a problem already explains
        self.cur: ScannedEntry | None = None
        self.target: tuple[str, int] | None = None  # (field, index) that continuation lines extend
        self.prev_field: str | None = None
        self.pending_prev: dict[str, str] = {}
        self.pending: dict[str, list[str]] = {"flags": [], "comments": [], "notes": [], "references": []}
        self.pending_first = 0
        # (line, "blank line" or "comment", entry, target): what ended the last entry, in case the
        # next line continues it. A blank line ends an entry; so does a comment after its msgid.
        self.closed: tuple[int, str, ScannedEntry, tuple[str, int] | None] | None = None
        # continuation strings of the current target, joined once (not one concatenation per line)
        self.buf: list[str] = []
        self.buf_len = 0

    def flush(self) -> None:
        if not self.buf:
            return
        assert self.cur is not None and self.target is not None
        value = "".join(self.buf)
        name, n = self.target
        if name == "msgstr":
            self.cur.msgstr[n] = self.cur.msgstr.get(n, "") + value
        else:
            setattr(self.cur, name, (getattr(self.cur, name) or "") + value)
        self.buf, self.buf_len = [], 0

    def start(self, lineno: int, obsolete: bool) -> ScannedEntry:
        e = ScannedEntry(line=lineno, obsolete=obsolete, previous=self.pending_prev, flags=self.pending["flags"])
        e.comments, e.notes, e.references = self.pending["comments"], self.pending["notes"], self.pending["references"]
        e.first = self.pending_first or lineno
        self.pending_prev = {}
        self.pending = {"flags": [], "comments": [], "notes": [], "references": []}
        self.pending_first = 0
        self.closed = None
        self.entries.append(e)
        return e

    def reopen(self) -> None:
        """The line continues the entry that a blank line or a comment ended: say so, once."""
        assert self.closed is not None
        where, what, e, t = self.closed
        if what == "comment":
            self.problems.append((where, "a comment inside an entry ends it for gettext tools; "
                                         "put comments above the entry's msgctxt or msgid"))
        else:
            self.problems.append((where, "a blank line inside an entry; entries are separated by blank "
                                         "lines, remove it"))
        self.explained.add(id(e))
        self.closed = None
        self.cur, self.target = e, t

    def line(self, lineno: int, line: str) -> None:
        if line[:1] != '"':
            self.flush()
        if not line:
            if self.cur is not None:
                self.closed = (lineno, "blank line", self.cur, self.target)
            self.cur, self.target, self.prev_field = None, None, None
            return
        obsolete = False
        if line[0] == "#":
            if line.startswith("#~") and not line.startswith("#~|"):
                line = line[2:].strip()
                if not line:
                    return
                obsolete = True
            else:
                self.comment(lineno, line)
                return
        m = _KEYWORD.match(line)
        if m is not None:
            keyword, index, rest = m.groups()
            after = rest[:1]
            if after != " " and after and after != '"' and not after.isspace():
                m = None  # msgidx, msgstr[x]: not a keyword
            elif after != " " and after:
                self.problems.append((lineno, f"{keyword} must be followed by a space"))
        if m is not None:
            self.keyword(lineno, obsolete, keyword, index, rest)
        elif line[0] == '"':
            self.continuation(lineno, obsolete, line)
        else:
            self.problems.append((lineno, f"unexpected text {line[:30]!r} (expected msgctxt, msgid, msgstr, "
                                          "a string or a comment)"))

    def comment(self, lineno: int, line: str) -> None:
        cur = self.cur
        # a comment ends the entry whose msgid is read (flags and notes belong to the next entry);
        # one between msgctxt and msgid stays in the entry
        if cur is not None and cur.msgid is not None:
            self.closed = (lineno, "comment", cur, self.target)
            self.cur = cur = None
            self.target = None
        if cur is None and not self.pending_first:
            self.pending_first = lineno
        previous = line.startswith("#~|")
        kind = "#|" if previous else line[:2]
        if kind == "#|":
            self.previous_line(lineno, line[3:].strip() if previous else line[2:].strip())
            return
        into = cur.__getattribute__ if cur is not None else self.pending.__getitem__
        if kind == "#,":
            into("flags").extend(flag.strip() for flag in line[2:].lstrip().split(","))
        elif kind == "#:":
            why = _isolates_problem(line[2:])
            if why:
                self.problems.append((lineno, why))
            into("references").extend(line[2:].split())
        elif kind == "#.":
            into("notes").append(line[3:] if line[2:3] == " " else line[2:])
        else:
            into("comments").append(line[2:] if line[1:2] == " " else line[1:])
        if cur is not None:
            cur.last = lineno

    def previous_line(self, lineno: int, body: str) -> None:
        m = _PREVIOUS_KEYWORD.match(body)
        if m:
            self.prev_field = m.group(1)
            value, why = _parse_string(m.group(3))
        else:
            value, why = _parse_string(body)
        if value is None:
            self.problems.append((lineno, why))
        elif self.prev_field:
            self.pending_prev[self.prev_field] = self.pending_prev.get(self.prev_field, "") + value

    def keyword(self, lineno: int, obsolete: bool, keyword: str, index: str | None, rest: str) -> None:
        problems = self.problems
        value, why = _parse_string(rest)
        if value is None:
            problems.append((lineno, why))
            value = ""
        if keyword == "msgctxt":
            self.cur = self.start(lineno, obsolete)
            self.cur.context, self.target = value, ("context", 0)
            return
        if self.cur is None and self.closed is not None and _continues(self.closed[2], keyword, index):
            self.reopen()
        cur = self.cur
        if keyword == "msgid":
            if cur is None or cur.msgid is not None:
                cur = self.cur = self.start(lineno, obsolete)
            cur.msgid, cur.line, self.target = value, lineno, ("msgid", 0)
        elif keyword == "msgid_plural":
            if cur is None or cur.msgid is None:
                problems.append((lineno, "msgid_plural without msgid"))
                if cur is None:
                    cur = self.cur = self.start(lineno, obsolete)
            elif cur.msgid_plural is not None:
                problems.append((lineno, "a second msgid_plural in one entry"))
            elif cur.msgstr:
                problems.append((lineno, "msgid_plural after msgstr (it belongs right after msgid)"))
            cur.msgid_plural, self.target = value, ("msgid_plural", 0)
        else:
            n = int(index) if index is not None else 0
            if cur is None or cur.msgid is None:
                problems.append((lineno, "msgstr without msgid"))
                if cur is None:
                    cur = self.cur = self.start(lineno, obsolete)
            elif n in cur.msgstr:
                name = f"msgstr[{n}]" if index is not None and cur.msgid_plural is not None else "msgstr"
                problems.append((lineno, f"a second {name} in one entry"))
            if cur.msgid == "" and not cur.obsolete and cur.context is None and n == 0:
                cur.pieces.append((len(cur.msgstr.get(0, "")), lineno))
            cur.msgstr[n] = value
            self.target = ("msgstr", n)
        cur.last = lineno
        if cur.obsolete != obsolete:
            problems.append((lineno, "an entry mixes obsolete ('#~') and active lines"))

    def continuation(self, lineno: int, obsolete: bool, line: str) -> None:
        value, why = _parse_string(line)
        if value is None:
            self.problems.append((lineno, why))
            return
        if self.cur is None and self.closed is not None:
            self.reopen()
        cur, target = self.cur, self.target
        if cur is None or target is None:
            self.problems.append((lineno, "a string continuation line outside an entry"))
            return
        if cur.obsolete != obsolete:
            self.problems.append((lineno, "an entry mixes obsolete ('#~') and active lines"))
        cur.last = lineno
        name, n = target
        if name == "msgstr" and cur.msgid == "" and not cur.obsolete:
            if ":" in value:
                cur.header_lines.setdefault(value.split(":", 1)[0].strip().lower(), lineno)
            if n == 0 and cur.context is None:
                cur.pieces.append((len(cur.msgstr.get(0, "")) + self.buf_len, lineno))
        self.buf.append(value)
        self.buf_len += len(value)


def _check_entries(entries: list[ScannedEntry], problems: list[tuple[int, str]]) -> None:
    """The checks across entries: the header, duplicates, plural forms."""
    active = [e for e in entries if not e.obsolete]
    first = active[0] if active else None
    header = first if first is not None and first.msgid == "" and first.context is None \
        and first.msgid_plural is None else None
    nplurals = 0
    if header is None:
        problems.append((active[0].line if active else 1, 'missing header entry (msgid "" with Content-Type and '
                                                          'Plural-Forms) at the top of the file'))
    else:
        nplurals = check_header(header, problems)
    seen: dict[tuple[str | None, str], int] = {}
    seen_obsolete: dict[tuple[str | None, str], int] = {}
    before_header = header is not None
    for e in entries:
        if e is header:
            before_header = False
            continue
        if e.msgid is None:
            continue
        if before_header:
            problems.append((e.line, "an obsolete entry above the header entry (msgid \"\"), which must come first"))
            continue
        key = (e.context, e.msgid)
        ctx = f"msgctxt {e.context!r}, " if e.context is not None else ""
        if e.obsolete:
            if key in seen_obsolete:
                problems.append((e.line, f"duplicate obsolete entry ({ctx}msgid {_short(e.msgid)!r}); first at "
                                         f"line {seen_obsolete[key]}; delete one of them"))
            else:
                seen_obsolete[key] = e.line
            if e.msgid_plural is not None:
                _check_plural(e, nplurals, problems)
            continue
        if e.msgid == "":
            problems.append((e.line, 'an empty msgid; only the header entry, at the top, has msgid ""'))
            continue
        if key in seen:
            problems.append((e.line, f"duplicate entry ({ctx}msgid {_short(e.msgid)!r}); first at line {seen[key]}"))
        else:
            seen[key] = e.line
        if e.msgid_plural is not None:
            _check_plural(e, nplurals, problems)
        elif set(e.msgstr) - {0}:
            problems.append((e.line, "msgstr[N] without msgid_plural"))


def _continues(e: ScannedEntry, keyword: str, index: str | None) -> bool:
    """Whether a line with ``keyword`` (not msgctxt) is the next part of the unfinished entry ``e``."""
    if keyword == "msgid":
        return e.msgid is None
    if e.msgid is None:
        return False
    if keyword == "msgid_plural":
        return e.msgid_plural is None and not e.msgstr
    return not e.msgstr or (e.msgid_plural is not None and int(index or 0) not in e.msgstr)


def _first(problem: tuple[int, str]) -> int:
    return problem[0]


def _check_plural(e: ScannedEntry, nplurals: int, problems: list[tuple[int, str]]) -> None:
    """A plural entry needs a Plural-Forms header and msgstr[0], msgstr[1]... without gaps. (How
    many forms it has is a check, ``plural-forms``, with a hint: the file can be read.)"""
    forms = len(e.msgstr)
    if not nplurals:
        problems.append((e.line, "a plural entry, but the header has no Plural-Forms"))
    elif sorted(e.msgstr) != list(range(forms)):
        problems.append((e.line, f"plural forms msgstr[{']/['.join(map(str, sorted(e.msgstr)))}]: they must be "
                                 f"numbered from msgstr[0] without gaps"))


def _short(text: str, n: int = 40) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def decode_po(data: bytes, shown: str) -> str:
    """The text of a PO file, or an :class:`InputError` at the first byte that is not UTF-8."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError([Diagnostic("error", f"not valid UTF-8 (byte 0x{data[exc.start]:02x}); catalogs must be "
                                              "saved as UTF-8", Location(shown, line))]) from None


def scan_strictly(text: str, shown: str) -> list[ScannedEntry]:
    """The entries of a PO file, or an :class:`InputError` with every problem at ``shown:line``."""
    if not text:
        raise InputError([Diagnostic("error", "the catalog is empty (0 bytes); delete it and run "
                                              "'reportgen update --lang LANG' to create it again", Location(shown))])
    entries, problems = scan_po(text)
    if problems:
        raise InputError([Diagnostic("error", msg, Location(shown, line)) for line, msg in problems])
    return entries


def check_link(path: Path, base: Path | None, shown: str) -> None:
    escape = link_escape(path, base) if base is not None else ""
    if escape:
        raise InputError([Diagnostic("error", f"is a symbolic link to {escape}, outside the project; "
                                     "copy the file into the project", Location(shown))])
