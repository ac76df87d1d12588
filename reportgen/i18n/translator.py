"""Looking texts up: the build's reader of catalogs and the :class:`Translator`. Standard library only.

``build`` only looks texts up, so it reads each catalog with :func:`read_translations`: the entries
:func:`reportgen.i18n.scan.scan_po` finds (the same strict scan as every other command), as a
small read-only :class:`Messages` mapping. A :class:`Translator` is an ordinary object, one per
language; there is no global state.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable, Iterator, NamedTuple

from .. import model
from ..errors import Diagnostics, Location, display_path, read_input
from ..paths import LAYOUT_DOMAIN, bundled_catalog_path, catalog_path
from .scan import ScannedEntry, check_link, decode_po, scan_strictly

class Translation:
    """One entry of a catalog, with the attributes the look-up uses of Babel's ``Message``."""

    __slots__ = ("id", "string", "context", "flags", "lineno")

    def __init__(self, id: str | tuple[str, str], string: str | tuple[str, ...], context: str | None,
                 flags: frozenset[str], lineno: int):
        self.id = id  # msgid, or (msgid, msgid_plural)
        self.string = string  # msgstr, or (msgstr[0], msgstr[1], ...)
        self.context = context
        self.flags = flags  # the '#,' flags as written
        self.lineno = lineno  # of the msgid line, 1-based

    @property
    def fuzzy(self) -> bool:
        return "fuzzy" in self.flags

    @property
    def pluralizable(self) -> bool:
        return isinstance(self.id, tuple)

    def __repr__(self) -> str:
        return f"<Translation {self.id!r} context={self.context!r} line {self.lineno}>"


class Messages:
    """The active entries of a catalog (not the header, not obsolete ones), read-only, keyed like
    Babel's ``Catalog``: msgid, or (msgid, msgctxt)."""

    __slots__ = ("_by_key",)

    def __init__(self, entries: list[ScannedEntry]):
        by_key: dict[str | tuple[str, str], Translation] = {}
        for e in entries:
            if e.obsolete or not e.msgid:  # not the header nor an entry scan_po refused
                continue
            if e.msgid_plural is not None:
                msgid: str | tuple[str, str] = (e.msgid, e.msgid_plural)
                string: str | tuple[str, ...] = tuple(e.msgstr.get(i, "") for i in range(len(e.msgstr)))
            else:
                msgid, string = e.msgid, e.msgstr.get(0, "")
            key = e.msgid if e.context is None else (e.msgid, e.context)
            by_key[key] = Translation(msgid, string, e.context, frozenset(f for f in e.flags if f), e.line)
        self._by_key = by_key

    def get(self, msgid: str, context: str | None = None) -> Translation | None:
        return self._by_key.get(msgid if context is None else (msgid, context))

    def __getitem__(self, key: str | tuple[str, str]) -> Translation:
        return self._by_key[key]

    def __contains__(self, key: object) -> bool:
        return key in self._by_key

    def __iter__(self) -> Iterator[str | tuple[str, str]]:
        return iter(self._by_key)

    def __len__(self) -> int:
        return len(self._by_key)

    def keys(self):
        return self._by_key.keys()

    def values(self):
        return self._by_key.values()

    def items(self):
        return self._by_key.items()

    def __repr__(self) -> str:
        return f"<Messages: {len(self)} entries>"


def read_translations(path: Path, base: Path | None = None) -> Messages:
    """Read a PO file strictly, for looking texts up; every problem is an :class:`InputError` with
    ``path:line``, the same as :func:`reportgen.i18n.po.read` reports."""
    shown = display_path(path, base)
    check_link(path, base, shown)
    return parse_translations(read_input(path, shown, "catalog"), shown)


def parse_translations(data: bytes, shown: str) -> Messages:
    """The bytes of a PO file as :class:`Messages` (``shown`` is its path in messages)."""
    return Messages(scan_strictly(decode_po(data, shown), shown))


# --------------------------------------------------------------------------- translating


class Lookup(NamedTuple):  # records, not dataclasses: `dataclasses` costs 3 ms to import
    text: str
    #: "translated"; "draft" (a fuzzy translation, used in draft builds); "fuzzy" (a fuzzy
    #: translation, English used); "untranslated" (English used); "source" (English document).
    state: str
    #: The catalog entry the text comes from (None when English is used).
    location: Location | None = None


class Translator:
    """Translations of one language: project catalog first, then the bundled layout catalog.

    ``catalogs``: (shown path, catalog), in lookup order; a catalog is :class:`Messages` or anything
    with the same ``get(msgid, context=...)`` (a :class:`reportgen.i18n.po.Catalog`). ``diagnostics`` collects the
    broken translations met while looking up."""

    def __init__(self, lang: str, catalogs: tuple[tuple[str, Messages], ...] = (), use_fuzzy: bool = False,
                 diagnostics: Diagnostics | None = None):
        self.lang = lang
        self.catalogs = catalogs
        self.use_fuzzy = use_fuzzy
        self.diagnostics = Diagnostics() if diagnostics is None else diagnostics

    def __repr__(self) -> str:
        return f"Translator({self.lang!r}, {len(self.catalogs)} catalogs, use_fuzzy={self.use_fuzzy})"

    @property
    def is_source_language(self) -> bool:
        return not self.catalogs

    def lookup(self, msgid: str, context: str) -> Lookup:
        """The translation of ``msgid`` in ``context``; English when missing, fuzzy (unless
        ``use_fuzzy``) or broken, with the reason in ``state``."""
        if self.is_source_language:
            return Lookup(msgid, "source")
        state = "untranslated"
        for shown, cat in self.catalogs:
            msg = cat.get(msgid, context=context)
            if msg is None or msg.pluralizable or not msg.string:
                continue
            if msg.fuzzy and not self.use_fuzzy:
                state = "fuzzy"
                continue
            bad = _placeholder_problem(msgid, msg.string)
            if bad:
                self.diagnostics.error(
                    f"{self.lang}: translation of {context!r} {bad}", Location(shown, msg.lineno or 0),
                    code="placeholders",
                )
                continue
            bad = model.forbidden_chars_problem(msg.string)
            if bad:  # the same rule as for source texts (docs/robustness.md)
                self.diagnostics.error(f"{self.lang}: translation of {context!r}: {bad}",
                                       Location(shown, msg.lineno or 0), code="characters")
                continue
            return Lookup(msg.string, "draft" if msg.fuzzy else "translated", Location(shown, msg.lineno or 0))
        return Lookup(msgid, state)

    def text(self, t: model.Text) -> Lookup:
        return self.lookup(t.msgid, t.context)


def _placeholder_problem(msgid: str, msgstr: str) -> str:
    want = sorted(set(model.placeholders_in(msgid)))
    got = sorted(set(model.placeholders_in(msgstr)))
    if want == got:
        return ""
    missing = [f"{{{n}}}" for n in want if n not in got]
    extra = [f"{{{n}}}" for n in got if n not in want]
    parts = []
    if missing:
        parts.append("drops " + ", ".join(missing))
    if extra:
        parts.append("adds " + ", ".join(extra))
    return " and ".join(parts)


def load_translator(lang: str, locales_dir: Path, source_lang: str = "en", use_fuzzy: bool = False,
                    base: Path | None = None) -> Translator:
    """The translator for ``lang``; the source language needs no catalog."""
    if lang == source_lang:
        return Translator(lang)
    found: list[tuple[str, Messages]] = []
    project = catalog_path(locales_dir, lang)
    if project.exists():
        found.append((display_path(project, base), read_translations(project, base)))
    bundled = bundled_catalog_path(lang)  # pt_BR: the bundled pt labels
    if bundled.exists():
        found.append((f"<reportgen>/locales/{bundled.parent.parent.name}/LC_MESSAGES/{LAYOUT_DOMAIN}.po",
                      read_translations(bundled)))
    return Translator(lang, tuple(found), use_fuzzy)


def _has_string(m) -> bool:  # type: ignore[no-untyped-def]
    s = m.string if hasattr(m, "string") else m.msgstr
    return any(s) if isinstance(s, (tuple, list)) else bool(s)


def is_translated(catalog, msgid: str, context: str | None) -> str:  # type: ignore[no-untyped-def]
    """"translated", "fuzzy" or "untranslated": the state of one text in ``catalog`` (:class:`Messages`
    or a :class:`reportgen.i18n.po.Catalog`)."""
    m = catalog.get(msgid, context=context) if catalog is not None else None
    if m is None or not _has_string(m):
        return "untranslated"
    return "fuzzy" if m.fuzzy else "translated"


#: the msgctxt prefix of the date, time and zone patterns (``localize.PATTERNS``): settings of the
#: layout, whose empty value means CLDR's format; not texts to translate
PATTERN_CONTEXT = "layout:pattern-"


def is_pattern(context: str | None) -> bool:
    """Whether ``context`` is a date, time or zone pattern's (``layout:pattern-time``)."""
    return (context or "").startswith(PATTERN_CONTEXT)


def completeness(translator: Translator, texts: Iterable[model.Text]) -> tuple[int, int]:
    """(translated, total) of ``texts`` for ``translator``; fuzzy is never translated; the patterns
    (:func:`is_pattern`) are not counted."""
    total = done = 0
    for t in texts:
        if is_pattern(t.context):
            continue
        total += 1
        if translator.is_source_language:
            done += 1
            continue
        for _, cat in translator.catalogs:
            if is_translated(cat, t.msgid, t.context) == "translated":
                done += 1
                break
    return done, total
