"""Merging a template into a catalog (``reportgen update``), and new catalogs. The only home of ``babel.messages``.

The msgctxt is each text's identity. For each entry of the template, in its order:

* same msgctxt and msgid: the old entry, unchanged (translation, fuzzy mark, comments, flags);
  its notes, references and format flags come from the template;
* the same as an obsolete entry: that entry comes back with the state it had (a fuzzy one stays
  fuzzy, with its previous text), so a translation is never "reviewed" by being removed and restored;
* same msgctxt, other msgid (the English changed): the old translation, fuzzy, with the English
  it was made for as ``#| msgid``;
* an empty layout label: the translation that ships with reportgen;
* otherwise the old entry (left unused) with the same English, then the most similar one
  (:mod:`reportgen.i18n.fuzzy`), fuzzy with ``#| msgctxt`` / ``#| msgid``;
* otherwise the translation memory: a reviewed translation of the same English anywhere in the
  catalog (another entry in use, an obsolete one), else of the most similar English, as a fuzzy
  suggestion with a comment naming its origin (and ``#| msgid`` when only similar); else empty.

The memory's lookups come between the moves': the same English from the memory before a similar
text is moved (docs/translators.md, "Translation memory").

An old entry nobody uses any more is kept as obsolete (``#~``) with its fuzzy mark and previous
text when it has a translation. Nothing changed: the same bytes (header dates included). The
header's Plural-Forms is kept; a header without one gets CLDR's (delete the line to ask for it).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from . import fuzzy
from .extract import GENERATED_BY, creation_date, header, po_date
from .po import Catalog, Entry
from .translator import is_pattern

_TEMPLATE_FLAGS = {"python-format", "python-brace-format", "no-python-format", "no-python-brace-format"}
Key = tuple  # (msgctxt, msgid)


def plural_forms(lang: str) -> tuple[int, str] | None:
    """(nplurals, "nplurals=N; plural=...;") of ``lang`` from Babel's CLDR data (public API), or
    None for a language CLDR does not know."""
    from babel import UnknownLocaleError
    from babel.messages.plurals import get_plural

    try:
        rule = get_plural(lang.replace("-", "_"))
    except (ValueError, LookupError, UnknownLocaleError):
        return None
    return rule.num_plurals, rule.plural_forms


def language_name(lang: str) -> str:
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse(lang.replace("-", "_")).english_name or lang
    except (ValueError, UnknownLocaleError):
        return lang


def new_language_catalog(lang: str) -> Catalog:
    """An empty catalog for a new language: Language, CLDR's Plural-Forms, UTF-8, a header that
    is not fuzzy (a fuzzy header makes gettext tools ignore the whole file)."""
    now = po_date(creation_date())
    name = language_name(lang)
    return Catalog([header([
        ("Project-Id-Version", "reportgen VERSION"), ("Report-Msgid-Bugs-To", "EMAIL@ADDRESS"),
        ("POT-Creation-Date", now), ("PO-Revision-Date", now),
        ("Last-Translator", "Automatically generated"), ("Language", lang.replace("-", "_")),
        ("Language-Team", name), ("Plural-Forms", (plural_forms(lang) or (2, "nplurals=2; plural=(n != 1);"))[1]), ("MIME-Version", "1.0"),
        ("Content-Type", "text/plain; charset=utf-8"), ("Content-Transfer-Encoding", "8bit"),
        ("Generated-By", GENERATED_BY),
    ], f"{name} translations for reportgen.", creation_date().year)])


@dataclass
class UpdateStats:
    added: int = 0  # new, empty (or filled from the bundled layout translation)
    fuzzy: int = 0  # changed English text: old translation kept, marked fuzzy
    obsolete: int = 0  # removed from the sources, kept as #~
    kept: int = 0  # unchanged
    suggested: int = 0  # of the fuzzy ones: new texts given the translation memory's suggestion


def _merged(t: Entry, o: Entry, nplurals: int) -> Entry:
    """``t`` (from the template) with what the translator wrote in ``o``."""
    flags = [f for f in o.flags if f not in _TEMPLATE_FLAGS] + [f for f in t.flags if f in _TEMPLATE_FLAGS]
    msgstr = o.msgstr
    if t.pluralizable != o.pluralizable:
        msgstr = ("",) * nplurals if t.pluralizable else ("",)
        flags = [f for f in flags if f != "fuzzy"]
    m = replace(o, msgid=t.msgid, msgid_plural=t.msgid_plural, context=t.context, notes=list(t.notes),
                references=list(t.references), flags=flags, msgstr=msgstr, obsolete=False,
                comments=list(o.comments), previous=dict(o.previous))
    m.raw, m.read_as = o.raw, o.read_as
    return m


def _as_fuzzy(t: Entry, o: Entry, nplurals: int, same_context: bool) -> Entry:
    """``t`` with the translation of ``o``, fuzzy, and the English it was made for (``#|``)."""
    m = _merged(t, o, nplurals)
    if not o.translated or t.pluralizable != o.pluralizable:
        m.set_fuzzy(False)
        m.previous = {}
        return m
    if o.fuzzy and o.previous:  # still not reviewed: the English of the last review
        m.previous = dict(o.previous)
    else:
        m.previous = {"msgid": o.msgid}
        if o.msgid_plural is not None:
            m.previous["msgid_plural"] = o.msgid_plural
        if not same_context and o.context is not None:
            m.previous = {"msgctxt": o.context, **m.previous}
    m.set_fuzzy(True)
    return m


def _empty(t: Entry, nplurals: int, string: str = "") -> Entry:
    return replace(t, msgstr=("",) * nplurals if t.pluralizable else (string,), flags=[f for f in t.flags if f != "fuzzy"],
                   previous={}, notes=list(t.notes), references=list(t.references), comments=[])


class _Merge:
    def __init__(self, template: Catalog, catalog: Catalog, bundled: Catalog | None):
        self.template, self.catalog, self.bundled = template, catalog, bundled
        self.nplurals = catalog.nplurals() or 2
        self.old = catalog.index()
        self.gone = {e.key: e for e in catalog.obsolete()}
        self.used: set[Key] = set()
        self.stats = UpdateStats()

    def run(self) -> list[Entry]:
        results: list[Entry | None] = []
        pending: list[tuple[int, Entry]] = []
        for t in self.template.messages():
            if t.key in self.old:
                self.used.add(t.key)
                m = _merged(t, self.old[t.key], self.nplurals)
                if not m.fuzzy:
                    m.previous = {}  # reviewed: the previous text has served its purpose
                results.append(m)
                self.stats.kept += 1
            elif t.key in self.gone:
                results.append(_merged(t, self.gone.pop(t.key), self.nplurals))
                self.stats.kept += 1
            else:
                pending.append((len(results), t))
                results.append(None)
        self._twins(pending, results)
        done = [m for m in results if m is not None]
        return done + self._obsolete()

    def _twins(self, pending: list[tuple[int, Entry]], results: list[Entry | None]) -> None:
        by_context: dict[str | None, list[Key]] = {}
        for key in self.old:
            by_context.setdefault(key[0], []).append(key)
        still = []
        for pos, t in pending:
            twins = [k for k in by_context.get(t.context, ()) if k not in self.used] if t.context else []
            ready = self._bundled(t)
            if len(twins) == 1:
                self.used.add(twins[0])
                results[pos] = _as_fuzzy(t, self.old[twins[0]], self.nplurals, True)
                self._count(results[pos])
            elif ready:
                results[pos] = _empty(t, self.nplurals, ready)
                self.stats.added += 1
            else:
                still.append((pos, t))
        self._similar(still, results)

    def _count(self, m: Entry | None) -> None:
        if m is not None and m.fuzzy:
            self.stats.fuzzy += 1
        else:
            self.stats.added += 1

    def _similar(self, still: list[tuple[int, Entry]], results: list[Entry | None]) -> None:
        """Texts under a new id: the same English first (exactly), then the most similar."""
        donors = [e for k, e in self.old.items() if k not in self.used and e.translated]
        donors += [e for e in self.gone.values() if e.translated]
        exact: dict[str, int] = {}
        for j, d in enumerate(donors):
            exact.setdefault(d.msgid, j)
        taken: set[int] = set()
        rest = []
        for pos, t in still:
            j = exact.get(t.msgid)
            if j is not None and j not in taken:
                taken.add(j)
                results[pos] = _as_fuzzy(t, donors[j], self.nplurals, False)
                self.stats.fuzzy += 1
            else:
                rest.append((pos, t))
        memory = _Memory(self.catalog)
        rest = [(pos, t) for pos, t in rest if not self._suggest(pos, t, memory.same(t), "same", results)]
        free = [j for j in range(len(donors)) if j not in taken]
        pairs = fuzzy.match([t.msgid for _, t in rest], [donors[j].msgid for j in free])
        left = []
        for n, (pos, t) in enumerate(rest):
            if n in pairs:
                taken.add(free[pairs[n]])
                results[pos] = _as_fuzzy(t, donors[free[pairs[n]]], self.nplurals, False)
                self.stats.fuzzy += 1
            else:
                left.append((pos, t))
        near = memory.near([t for _, t in left])
        for n, (pos, t) in enumerate(left):
            if not self._suggest(pos, t, near.get(n), "similar", results):
                results[pos] = _empty(t, self.nplurals)
                self.stats.added += 1
        for j in taken:
            self.used.add(donors[j].key)
            if donors[j].obsolete:
                self.gone.pop(donors[j].key, None)

    def _suggest(self, pos: int, t: Entry, donor: Entry | None, how: str, results: list[Entry | None]) -> bool:
        """Put the translation memory's suggestion ``donor`` at ``pos``: fuzzy, with a comment
        naming where it came from (and ``#| msgid`` when the English is only similar)."""
        if donor is None:
            return False
        m = _empty(t, self.nplurals, donor.msgstr[0])
        where = donor.context if donor.context is not None else "an entry without context"
        m.comments = [f"suggested from {where} ({'obsolete, ' if donor.obsolete else ''}{how} English)"]
        m.previous = {"msgid": donor.msgid} if how == "similar" else {}
        m.set_fuzzy(True)
        results[pos] = m
        self.stats.fuzzy += 1
        self.stats.suggested += 1
        return True

    def _bundled(self, t: Entry) -> str:
        if self.bundled is None or t.pluralizable or not (t.context or "").startswith("layout:"):
            return ""
        ready = self.bundled.get(t.msgid, t.context)
        return ready.msgstr[0] if ready is not None and ready.msgstr[0] and not ready.fuzzy else ""

    def _obsolete(self) -> list[Entry]:
        """Old entries nobody uses: kept as obsolete (#~) when translated; the obsolete ones stay."""
        out = []
        newly = {}
        for key, e in self.old.items():
            if key not in self.used and e.translated:
                o = replace(e, obsolete=True, references=[], notes=[], flags=["fuzzy"] if e.fuzzy else [],
                            comments=list(e.comments), previous=dict(e.previous))
                newly[key] = o
                self.stats.obsolete += 1
        for e in self.catalog.entries:
            if e.obsolete and e.key in self.gone and e.key not in newly:
                out.append(e)
        return out + list(newly.values())


class _Memory:
    """The translation memory of a catalog: its reviewed translations (active entries, then
    obsolete ones; neither fuzzy nor plural nor a layout pattern), looked up by their English:
    the same English through a dict, similar English through :func:`fuzzy.nearest`."""

    def __init__(self, catalog: Catalog):
        self.by_english: dict[str, Entry] = {}
        for e in catalog.messages() + catalog.obsolete():
            if _remembered(e):
                self.by_english.setdefault(e.msgid, e)

    def same(self, t: Entry) -> Entry | None:
        return self.by_english.get(t.msgid) if _wanted(t) else None

    def near(self, texts: list[Entry]) -> dict[int, Entry]:
        wanted = [n for n, t in enumerate(texts) if _wanted(t)]
        if not wanted or not self.by_english:
            return {}
        english = list(self.by_english)
        found = fuzzy.nearest([texts[n].msgid for n in wanted], english)
        return {wanted[i]: self.by_english[english[j]] for i, j in found.items()}


def _remembered(e: Entry) -> bool:
    return bool(e.msgid) and e.translated and not e.fuzzy and not e.pluralizable and not is_pattern(e.context)


def _wanted(t: Entry) -> bool:
    return not t.pluralizable and not is_pattern(t.context)


def update_catalog(template: Catalog, catalog: Catalog, bundled: Catalog | None = None) -> tuple[Catalog, UpdateStats]:
    """Merge ``template`` into ``catalog`` (which is not modified); return the new catalog. Running
    it again with the same template changes nothing; with nothing changed, the bytes are the same."""
    merge = _Merge(template, catalog, bundled)
    entries = merge.run()
    head = catalog.header
    out = Catalog(([replace(head, msgstr=tuple(head.msgstr))] if head is not None else []) + entries)
    if head is not None:
        out.entries[0].raw, out.entries[0].read_as = head.raw, head.read_as
    lang = (catalog.header_field("Language") or "").strip()
    cldr = plural_forms(lang) if lang and head is not None and catalog.header_field("Plural-Forms") is None else None
    if cldr is not None:  # the way to ask for CLDR's current Plural-Forms: delete the line
        out.set_header_field("Plural-Forms", cldr[1])
    elif catalog.source is not None and _same(out, catalog):
        out.source = catalog.source
        return out, merge.stats
    created = template.header_field("POT-Creation-Date")
    if created:
        out.set_header_field("POT-Creation-Date", created)
    if out.header_field("Generated-By") is not None:
        out.set_header_field("Generated-By", GENERATED_BY)
    return out, merge.stats


def _same(new: Catalog, old: Catalog) -> bool:
    """Whether ``new`` has the entries of ``old``, unchanged, in the same order (then the file is
    kept byte for byte, whatever its spacing)."""
    if len(new.entries) != len(old.entries):
        return False
    return all(n.raw is o.raw and n.raw is not None and n.content() == o.read_as == o.content()
               for n, o in zip(new.entries, old.entries))
