"""The header of a PO file (the entry msgid ""), checked field by field as tools read it. Standard library only."""

from __future__ import annotations

import bisect
import datetime as _dt
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from .scan import ScannedEntry


def _short(text: str, n: int = 40) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


#: A header line as the ``email`` package (which Babel uses) reads one: a name of printable
#: ASCII other than ':' and space, then ':'. Lines split at \r\n, \r or \n.
_HEADER_NAME = re.compile(r"[\x21-\x39\x3b-\x7e]+:")
_HEADER_BREAK = re.compile(r"\r\n|\r|\n")
_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2}) ([0-9]{2}):([0-9]{2})(?:[+-]([0-9]{2})([0-9]{2}))?")
_UTF8 = ("utf-8", "utf8")


def _fields(header: ScannedEntry, problems: list[tuple[int, str]]) -> list[tuple[str, str, int]]:
    """(name in lower case, value, line) of each field, split as the ``email`` package splits a
    header (which Babel and other tools use): lines end at \\r\\n, \\r or \\n; an empty line ends it."""
    raw = header.msgstr.get(0, "")

    starts = [start for start, _ in header.pieces]

    def line_of(offset: int) -> int:
        i = bisect.bisect_right(starts, offset)
        return header.pieces[i - 1][1] if i else header.line

    lines = []
    offset = 0
    for m in _HEADER_BREAK.finditer(raw):
        lines.append((offset, raw[offset:m.start()]))
        offset = m.end()
    if offset < len(raw):
        lines.append((offset, raw[offset:]))
    fields: list[tuple[str, str, int]] = []  # (name in lower case, value, line)
    ended = 0
    for offset, text in lines:
        at = line_of(offset)
        if not text:
            ended = ended or at
            continue
        if ended:  # the header ends at an empty line for Babel
            problems.append((ended, "an empty line inside the header (\\n\\n); the fields after it would be ignored"))
            break
        m = _HEADER_NAME.match(text)
        if not m:
            problems.append((at, f"header line {_short(text)!r} is not 'Name: value'"))
            continue
        fields.append((m.group()[:-1].lower(), text[m.end():].lstrip(" \t"), at))
    return fields


def check_header(header: ScannedEntry, problems: list[tuple[int, str]]) -> int:
    """Check the header's fields (charset, Plural-Forms, dates, Language) as translators' tools
    read them; return its nplurals (0 when it has none)."""
    fields = _fields(header, problems)
    ctype = next((value for name, value, _ in reversed(fields) if name == "content-type"), "")
    charset = _params(ctype).get("charset")
    where = header.header_lines.get("content-type", header.line)
    if charset is None:
        problems.append((where, "the header has no Content-Type with a charset; catalogs must say 'charset=UTF-8'"))
    elif charset.lower().replace("_", "-") not in _UTF8:
        problems.append((where, f"charset is {charset!r}; catalogs must be UTF-8 "
                                "('Content-Type: text/plain; charset=UTF-8')"))
    nplurals = 0
    for name, value, at in fields:
        if name in ("content-type", "plural-forms"):
            params = _params(value if name == "content-type" else " ;" + value)
            if _RFC2231 in params:
                problems.append((at, f"{'Content-Type' if name == 'content-type' else 'Plural-Forms'}: "
                                     "a parameter written 'name*=' (RFC 2231) cannot be read"))
            elif name == "plural-forms":
                count = params.get("nplurals")
                if count is None:
                    nplurals = 0  # Babel assumes 2; a plural entry needs it said
                elif _DIGITS.fullmatch(count):
                    nplurals = int(count)
                else:
                    problems.append((at, f"Plural-Forms: nplurals is {count!r}, not a whole number"))
        elif name == "pot-creation-date" or (name == "po-revision-date" and "YEAR" not in value):
            if not _date_ok(value):
                shown = "POT-Creation-Date" if name == "pot-creation-date" else "PO-Revision-Date"
                problems.append((at, f"{shown} {value!r} is not a date as 'YYYY-MM-DD HH:MM+ZZZZ'"))
        elif name == "language":
            why = _locale_problem(value.replace("-", "_")) if value else ""
            if why:
                problems.append((at, f"Language {value!r} is not a language code like 'fr' or 'pt_BR' ({why})"))
    return nplurals


_DIGITS = re.compile("[0-9]+")
_RFC2231_NAME = re.compile(r"^(?P<name>\w+)\*((?P<num>[0-9]+)\*?)?$", re.ASCII)
_RFC2231 = "\x00rfc2231"  # a key of _params: a parameter the email package decodes as RFC 2231


def _params(value: str) -> dict[str, str]:
    """The parameters of a header value as ``email.message.Message().get_params()`` gives them to
    Babel (``parse_separated_header``): the same steps as ``email.message._parseparam``,
    ``_get_params_preserve`` and ``email.utils.decode_params``; the last of a name wins. An RFC 2231
    parameter (``name*=...``), which may come out as a tuple there, is flagged under ``_RFC2231``."""
    plist = []
    s = ";" + value
    while s[:1] == ";":
        s = s[1:]
        end = s.find(";")
        while end > 0 and (s.count('"', 0, end) - s.count('\\"', 0, end)) % 2:
            end = s.find(";", end + 1)
        if end < 0:
            end = len(s)
        f = s[:end]
        if "=" in f:
            i = f.index("=")
            f = f[:i].strip().lower() + "=" + f[i + 1:].strip()
        plist.append(f.strip())
        s = s[end:]
    out = {}
    for n, p in enumerate(plist):
        name, eq, val = p.partition("=")
        name, val = (name.strip(), val.strip()) if eq else (p.strip(), "")
        if n and _RFC2231_NAME.match(name):
            out[_RFC2231] = name
            continue
        if n:  # decode_params unquotes, quotes back, get_params unquotes
            val = '"' + _unquote(val).replace("\\", "\\\\").replace('"', '\\"') + '"'
        out[name] = _unquote(val)
    return out


def _unquote(text: str) -> str:
    """``email.utils.unquote``."""
    if len(text) > 1:
        if text.startswith('"') and text.endswith('"'):
            return text[1:-1].replace("\\\\", "\\").replace('\\"', '"')
        if text.startswith("<") and text.endswith(">"):
            return text[1:-1]
    return text


def _date_ok(value: str) -> bool:
    """Whether Babel's ``_parse_datetime_header`` reads ``value`` (it raises ValueError if not)."""
    m = _DATE.fullmatch(value)
    if m:  # the usual form; the rest goes the way Babel goes
        try:
            _dt.datetime(int(m.group(1)), int(m.group(2)), int(m.group(3)), int(m.group(4)), int(m.group(5)))
        except ValueError:
            return False
        return m.group(6) is None or int(m.group(6)) * 60 + int(m.group(7)) < 24 * 60
    match = re.match(r"^(?P<datetime>.*?)(?P<tzoffset>[+-]\d{4})?$", value)
    assert match is not None
    try:
        _dt.datetime.strptime(match.group("datetime"), "%Y-%m-%d %H:%M")
        offset = match.group("tzoffset")
        if offset is not None:
            minutes = (int(offset[1:3]) * 60 + int(offset[3:])) * int(f"{offset[0]}1")
            _dt.timezone(offset=_dt.timedelta(minutes=minutes))
    except ValueError:
        return False
    return True


def _locale_problem(identifier: str) -> str:
    """Why Babel's ``parse_locale`` refuses ``identifier`` (a ValueError that ``read_po`` lets
    through), or "". A well-formed code Babel has no data for is accepted, as Babel does."""
    identifier = identifier.partition("@")[0]
    if "." in identifier:
        identifier = identifier.split(".", 1)[0]
    parts = identifier.split("_")
    lang = parts.pop(0).lower()
    if not lang.isalpha():
        return f"expected only letters, got {lang!r}"
    if parts and len(parts[0]) == 4 and parts[0].isalpha():
        parts.pop(0)  # script
    if parts:
        if len(parts[0]) == 2 and parts[0].isalpha() or len(parts[0]) == 3 and parts[0].isdigit():
            parts.pop(0)  # territory
    if parts and (len(parts[0]) == 4 and parts[0][0].isdigit() or len(parts[0]) >= 5 and parts[0][0].isalpha()):
        parts.pop()  # variant (Babel takes the last part)
    if parts:
        return f"{identifier!r} is not a valid locale identifier"
    return ""
