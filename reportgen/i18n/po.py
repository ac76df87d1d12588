"""PO catalogs: the one reader and writer of reportgen. Standard library only.

Reading is :func:`reportgen.i18n.scan.scan_po` (strict: every problem at ``path:line``); the
result is a :class:`Catalog` of :class:`Entry` values that remember the lines they were read
from. Writing keeps what did not change and writes GNU's canonical form of what did:

* an entry whose content is unchanged is written back byte for byte (a translator's hand-wrapped
  msgstr is never reflowed; a file saved by msgcat, msgmerge or Poedit stays as it was);
* a new or changed entry is written exactly as GNU ``msgcat`` writes it (79 columns,
  :mod:`reportgen.i18n.wrap`; comments, references, flags, ``#|`` previous texts, ``#~``
  obsolete entries in GNU's order), so that ``msgcat`` leaves reportgen's output unchanged.

Two things GNU does that reportgen also does: an obsolete entry without a translation is not
written, and an obsolete entry keeps only its ``fuzzy`` flag. One thing it does not: GNU drops
flags it does not know (``#, ignore-unchanged``); reportgen keeps them (``msgcat`` would remove
them; the comment form ``# reportgen: ignore unchanged`` survives every tool).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..errors import display_path, read_input
from . import wrap as _wrap
from .scan import check_link, decode_po, scan_strictly


@dataclass
class Entry:
    """One entry of a catalog (the header is the entry with msgid "" and no context)."""

    msgid: str
    msgstr: tuple[str, ...] = ("",)  # one item, or one per plural form
    context: str | None = None
    msgid_plural: str | None = None
    comments: list[str] = field(default_factory=list)  # '# ' translator comments
    notes: list[str] = field(default_factory=list)  # '#.' extracted comments
    references: list[str] = field(default_factory=list)  # '#:' file:line
    flags: list[str] = field(default_factory=list)  # '#,' as written, without empty items
    previous: dict[str, str] = field(default_factory=dict)  # '#|': msgctxt, msgid, msgid_plural
    obsolete: bool = False
    line: int = 0  # of the msgid line when read from a file
    #: the lines the entry was read from, and its content then (None for a new entry)
    raw: str | None = field(default=None, repr=False, compare=False)
    read_as: tuple | None = field(default=None, repr=False, compare=False)

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.context, self.msgid)

    @property
    def fuzzy(self) -> bool:
        return "fuzzy" in self.flags

    @property
    def translated(self) -> bool:
        return any(self.msgstr)

    @property
    def pluralizable(self) -> bool:
        return self.msgid_plural is not None

    @property
    def is_header(self) -> bool:
        return self.msgid == "" and self.context is None and not self.obsolete

    def set_fuzzy(self, on: bool) -> None:
        if on and "fuzzy" not in self.flags:
            self.flags.insert(0, "fuzzy")
        elif not on:
            self.flags = [f for f in self.flags if f != "fuzzy"]

    def content(self) -> tuple:
        return (self.msgid, tuple(self.msgstr), self.context, self.msgid_plural, tuple(self.comments),
                tuple(self.notes), tuple(self.references), tuple(self.flags), tuple(sorted(self.previous.items())),
                self.obsolete)


class Catalog:
    """The entries of a PO file, header first, in file order."""

    def __init__(self, entries: list[Entry] | None = None, source: bytes | None = None):
        self.entries: list[Entry] = entries if entries is not None else []
        self.source = source  # the bytes it was read from
        self._index: tuple[int, dict] | None = None

    @property
    def header(self) -> Entry | None:
        first = self.entries[0] if self.entries else None
        return first if first is not None and first.is_header else None

    def messages(self) -> list[Entry]:
        """The active entries, header excluded."""
        return [e for e in self.entries if not e.obsolete and not e.is_header]

    def obsolete(self) -> list[Entry]:
        return [e for e in self.entries if e.obsolete]

    def get(self, msgid: str, context: str | None = None) -> Entry | None:
        """The active entry (msgctxt, msgid); the index is made again when entries were added or removed."""
        if self._index is None or self._index[0] != len(self.entries):
            self._index = (len(self.entries), self.index())
        return self._index[1].get((context, msgid))

    def index(self) -> dict[tuple[str | None, str], Entry]:
        return {e.key: e for e in self.messages()}

    def header_fields(self) -> list[tuple[str, str]]:
        """(name, value) of each 'Name: value' line of the header, as written."""
        h = self.header
        out = []
        for line in (h.msgstr[0] if h else "").split("\n"):
            name, colon, value = line.partition(":")
            if colon:
                out.append((name.strip(), value.strip()))
        return out

    def header_field(self, name: str) -> str | None:
        found = [v for n, v in self.header_fields() if n.lower() == name.lower()]
        return found[-1] if found else None

    def set_header_field(self, name: str, value: str) -> None:
        """Set (or add, at the end) one header field; the other lines stay as written."""
        h = self.header
        if h is None:
            h = Entry("", ("",))
            self.entries.insert(0, h)
        lines = h.msgstr[0].split("\n")
        for i, line in enumerate(lines):
            if line.partition(":")[0].strip().lower() == name.lower() and ":" in line:
                lines[i] = f"{name}: {value}"
                break
        else:
            if lines and lines[-1] == "":
                lines.insert(len(lines) - 1, f"{name}: {value}")
            else:  # the last line has no \n: end it
                lines += [f"{name}: {value}", ""]
        h.msgstr = ("\n".join(lines),) + tuple(h.msgstr[1:])

    def nplurals(self) -> int | None:
        forms = self.header_field("Plural-Forms") or ""
        for part in forms.split(";"):
            name, _, value = part.partition("=")
            if name.strip() == "nplurals" and value.strip().isdigit():
                return int(value.strip())
        return None

    def __len__(self) -> int:
        return len(self.messages())


# --------------------------------------------------------------------------- reading


def parse(data: bytes, shown: str) -> Catalog:
    """A catalog from the bytes of a PO file (``shown`` is its path in messages)."""
    text = decode_po(data, shown)
    scanned = scan_strictly(text, shown)
    lines = text.split("\n")
    entries = []
    for s in scanned:
        if s.msgid is None:
            continue
        n = (max(s.msgstr) + 1) if s.msgstr else 1
        e = Entry(s.msgid, tuple(s.msgstr.get(i, "") for i in range(n)), s.context, s.msgid_plural,
                  s.comments, s.notes, s.references, [f for f in s.flags if f], dict(s.previous), s.obsolete, s.line)
        e.raw = "\n".join(lines[s.first - 1:s.last])
        e.read_as = e.content()
        entries.append(e)
    return Catalog(entries, data)


def read(path: Path, base: Path | None = None) -> Catalog:
    """Read a PO file strictly; every problem is an :class:`InputError` with ``path:line``."""
    shown = display_path(path, base)
    check_link(path, base, shown)
    return parse(read_input(path, shown, "catalog"), shown)


# --------------------------------------------------------------------------- writing

#: GNU's order of the format flags (the order of its format types)
_FORMATS = ["c", "objc", "python", "python-brace", "java", "java-printf", "csharp", "javascript", "scheme", "lisp",
            "elisp", "librep", "ruby", "sh", "awk", "lua", "pascal", "smalltalk", "qt", "qt-plural", "kde",
            "kde-kuit", "boost", "tcl", "perl", "perl-brace", "php", "gcc-internal", "gfc-internal", "ycp"]
_FLAG_ORDER = {f"{kind}{name}-format": i for i, name in enumerate(_FORMATS) for kind in ("", "no-")}


def _flags_line(e: Entry) -> str | None:
    if e.obsolete:
        return "#, fuzzy" if e.fuzzy else None
    flags = [f for f in dict.fromkeys(e.flags) if f != "fuzzy"]
    known = sorted((f for f in flags if f in _FLAG_ORDER), key=_FLAG_ORDER.__getitem__)
    ranges = [f for f in flags if f.startswith("range:")]
    wraps = [f for f in flags if f in ("wrap", "no-wrap")]
    others = [f for f in flags if f not in _FLAG_ORDER and f not in ranges and f not in wraps]
    out = (["fuzzy"] if e.fuzzy and e.msgstr[0] else []) + known + ranges + wraps + others
    return "#, " + ", ".join(out) if out else None


def format_entry(e: Entry) -> str:
    """The entry as GNU msgcat writes it."""
    width = 2 ** 31 if "no-wrap" in e.flags else _wrap.PAGE_WIDTH
    lines = []
    for c in e.comments:
        lines += [f"# {part}" if part else "#" for part in c.split("\n")]
    lines += [f"#. {n}" if n else "#." for n in e.notes]
    if e.references:
        lines += _wrap.references(list(dict.fromkeys(e.references)))
    flags = _flags_line(e)
    if flags:
        lines.append(flags)
    prev_prefix = "#~| " if e.obsolete else "#| "
    for name in ("msgctxt", "msgid", "msgid_plural"):
        if name in e.previous:
            lines += _wrap.wrap(name, e.previous[name], prev_prefix, width)
    prefix = "#~ " if e.obsolete else ""
    if e.context is not None:
        lines += _wrap.wrap("msgctxt", e.context, prefix, width)
    lines += _wrap.wrap("msgid", e.msgid, prefix, width)
    if e.msgid_plural is not None:
        lines += _wrap.wrap("msgid_plural", e.msgid_plural, prefix, width)
        for i, s in enumerate(e.msgstr):
            lines += _wrap.wrap(f"msgstr[{i}]", s, prefix, width)
    else:
        lines += _wrap.wrap("msgstr", e.msgstr[0], prefix, width)
    return "\n".join(lines)


def dump(catalog: Catalog) -> bytes:
    """The PO file: unchanged entries as they were read, the others as GNU writes them; obsolete
    entries last, as GNU writes them."""
    parts = []
    for e in sorted(catalog.entries, key=lambda e: e.obsolete):
        if e.obsolete and not e.msgstr[0]:
            continue  # as GNU: an obsolete entry without translation is not written
        if e.raw is not None and e.read_as == e.content():
            parts.append(e.raw)
        else:
            parts.append(format_entry(e))
    return ("\n\n".join(parts) + "\n").encode("utf-8") if parts else b""
