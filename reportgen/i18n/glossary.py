"""A project's terminology (``locales/glossary.csv`` or a TBX file) and the ``[term]`` check.

Standard library only. The checks see plain tuples, never a PO library object.

The CSV glossary (UTF-8, one concept per row, the first row names the columns)::

    en,es,es!,fr,fr!,note
    Cybercrime Convention,Convención contra la Ciberdelincuencia,Convención sobre la Ciberdelincuencia,...
    stakeholder,parte interesada,,partie prenante|multipartite,,

- ``en``: the English term; several forms separated by ``|``.
- ``<lang>`` (``es``, ``fr``, ``pt``, ``pt_BR``): the approved terms, several forms separated by ``|``.
- ``<lang>!``: forbidden variants, separated by ``|``.
- ``note``: for people; not used by the check. Empty rows and rows whose ``en`` starts with ``#``
  are skipped.

TBX (TBX-Basic, as Weblate and terminology tools export it: ``martif``/``termEntry``/``langSet``/
``tig``/``term``, or TBX 2019's ``conceptEntry``/``langSec``/``termSec``): one concept per entry;
a term whose ``administrativeStatus`` is ``deprecatedTerm-admn-sts`` or ``supersededTerm-admn-sts``
(or Weblate's ``forbidden`` / ``obsolete``) is a forbidden variant; ``descrip``/``note`` give the note.

How :func:`term_findings` matches (docs/terminology.md, "Glossary"):

- **English**: case-insensitive, whole words; the last word may take a simple English plural
  (stakeholder/stakeholders, policy/policies, process/processes); spaces and hyphens between
  words are alike (capacity building, capacity-building).
- **Translations**: case-insensitive but accent-sensitive (Unicode NFC), and each word of a form
  matches the start of a word, so that inflected forms match without being listed: "parte
  interesada" matches "partes interesadas", "partie prenante" matches "parties prenantes". A form
  whose inflection changes its stem ("ciudadano"/"ciudadanía") is listed explicitly with ``|``.
- A warning when the English has a term and the translation has none of its approved forms; an
  error when it has a forbidden variant (then no warning for that concept).
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from typing import Iterable, NamedTuple
from xml.parsers import expat

from ..errors import Diagnostic, InputError, Location, did_you_mean

_LANG_COLUMN = re.compile(r"[A-Za-z]{2,3}(?:[_-][A-Za-z0-9]{2,8})*!?")
#: administrativeStatus values of a forbidden variant: TBX-Basic's, and Weblate's "forbidden", "obsolete"
_FORBIDDEN_STATUS = {"deprecatedterm-admn-sts", "supersededterm-admn-sts", "forbidden", "obsolete"}
_SPACE = r"[\s\u00a0\u202f\u2009\-‐‑]+"


class Concept(NamedTuple):
    """One row of the glossary."""

    english: tuple[str, ...]
    approved: dict[str, tuple[str, ...]]  # language -> approved forms
    forbidden: dict[str, tuple[str, ...]]  # language -> forbidden variants
    note: str
    location: Location


class Glossary(NamedTuple):
    path: str
    concepts: tuple[Concept, ...]

    def languages(self) -> set[str]:
        return {lang for c in self.concepts for lang in (*c.approved, *c.forbidden)}


def norm_lang(code: str) -> str:
    """'pt-BR' -> 'pt_BR', 'PT' -> 'pt'."""
    base, _, rest = code.replace("-", "_").partition("_")
    return base.lower() + ("_" + rest if rest else "")


def _forms(cell: str) -> tuple[str, ...]:
    return tuple(f for f in (" ".join(x.split()) for x in cell.split("|")) if f)


# --------------------------------------------------------------------------- reading


def load_glossary(path, shown: str | None = None) -> Glossary:
    """Read a CSV or TBX glossary; every problem is an :class:`InputError` at ``path:line``."""
    shown = shown or str(path)
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as exc:
        raise InputError([Diagnostic("error", f"cannot read the glossary: {exc.strerror or exc}",
                                     Location(shown))]) from None
    if str(path).lower().endswith((".tbx", ".xml")) or data.lstrip().startswith(b"<"):
        return parse_tbx(data, shown)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise InputError([Diagnostic("error", "the glossary is not UTF-8 text", Location(shown, line))]) from None
    return parse_csv(text, shown)


def parse_csv(text: str, shown: str) -> Glossary:
    errors: list[Diagnostic] = []
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
        if header is None:
            raise InputError([Diagnostic("error", "the glossary is empty: its first row names the columns "
                                                  "(en, one per language, <lang>!, note)", Location(shown, 1))])
        columns = _header(header, shown, errors)
        concepts: list[Concept] = []
        seen: dict[str, int] = {}
        end = reader.line_num
        for row in reader:
            line, end = end + 1, reader.line_num
            if not any(cell.strip() for cell in row) or row[0].lstrip().startswith("#"):
                continue
            concept = _row(row, columns, Location(shown, line), errors)
            if concept is None:
                continue
            for term in concept.english:
                key = term.casefold()
                if key in seen:
                    errors.append(Diagnostic("error", f"the English term {term!r} is also on line {seen[key]}",
                                             concept.location))
                seen.setdefault(key, line)
            concepts.append(concept)
    except csv.Error as exc:
        errors.append(Diagnostic("error", f"invalid CSV: {exc}", Location(shown, reader.line_num)))
    if errors:
        raise InputError(errors)
    return Glossary(shown, tuple(concepts))


def _header(header: list[str], shown: str, errors: list[Diagnostic]) -> list[str]:
    """The column names: "en", "note", a language code, or a code and "!"; "" for ignored."""
    names = [h.strip() for h in header]
    out = []
    for n, name in enumerate(names):
        if name.lower() in ("en", "note", ""):
            out.append(name.lower())
        elif _LANG_COLUMN.fullmatch(name):
            out.append(norm_lang(name.rstrip("!")) + ("!" if name.endswith("!") else ""))
        else:
            errors.append(Diagnostic("error", f"column {n + 1} {name!r}: not 'en', 'note', a language code (es, "
                                     f"pt_BR) or a code and '!' (forbidden variants)"
                                     + did_you_mean(name, ["en", "note"]), Location(shown, 1)))
            out.append("")
    if "en" not in out:
        errors.append(Diagnostic("error", "the glossary has no 'en' column (the English terms)", Location(shown, 1)))
    dup = [c for c in set(out) if c and out.count(c) > 1]
    if dup:
        errors.append(Diagnostic("error", f"the column {sorted(dup)[0]!r} appears twice", Location(shown, 1)))
    if errors:
        raise InputError(errors)
    return out


def _row(row: list[str], columns: list[str], where: Location, errors: list[Diagnostic]) -> Concept | None:
    if len(row) > len(columns) and any(cell.strip() for cell in row[len(columns):]):
        errors.append(Diagnostic("error", f"{len(row)} fields, the header names {len(columns)} columns "
                                          "(quote a field that holds a comma)", where))
        return None
    values = dict(zip(columns, row))
    english = _forms(values.get("en", ""))
    if not english:
        errors.append(Diagnostic("error", "no English term in the 'en' column", where))
        return None
    approved = {c: _forms(v) for c, v in values.items() if c not in ("en", "note", "") and not c.endswith("!")}
    forbidden = {c[:-1]: _forms(v) for c, v in values.items() if c.endswith("!")}
    return _concept(english, approved, forbidden, values.get("note", "").strip(), where, errors)


def _concept(english, approved, forbidden, note, where, errors) -> Concept | None:
    approved = {k: v for k, v in approved.items() if v}
    forbidden = {k: v for k, v in forbidden.items() if v}
    for lang, variants in forbidden.items():
        allowed = {a.casefold() for a in approved.get(lang, ())}
        both = [v for v in variants if v.casefold() in allowed]
        if both:
            errors.append(Diagnostic("error", f"{lang}: {both[0]!r} is both approved and forbidden", where))
            return None
    return Concept(english, approved, forbidden, note, where)


# --------------------------------------------------------------------------- TBX


class _Node:
    __slots__ = ("tag", "attrs", "text", "children", "line")

    def __init__(self, tag: str, attrs: dict[str, str], line: int):
        self.tag, self.attrs, self.line = tag, attrs, line
        self.text = ""
        self.children: list[_Node] = []

    def find_all(self, *tags: str) -> Iterable[_Node]:
        for c in self.children:
            if c.tag in tags:
                yield c
            yield from c.find_all(*tags)

    def lang(self) -> str:
        return next((v for k, v in self.attrs.items() if k.rsplit(":", 1)[-1] == "lang"), "")


def _xml_tree(data: bytes, shown: str) -> _Node:
    """The document as _Node values with line numbers (expat, as xml.etree uses; no DTD or
    external entity is loaded)."""
    parser = expat.ParserCreate()
    root = _Node("", {}, 0)
    stack = [root]

    def start(tag, attrs):
        node = _Node(tag.rsplit(":", 1)[-1], attrs, parser.CurrentLineNumber)
        stack[-1].children.append(node)
        stack.append(node)

    def end(tag):
        stack.pop()

    def chars(text):
        stack[-1].text += text

    def no_entities(*args):
        raise ValueError("the glossary declares entities; TBX files need none")

    parser.StartElementHandler, parser.EndElementHandler, parser.CharacterDataHandler = start, end, chars
    parser.EntityDeclHandler = no_entities
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        raise InputError([Diagnostic("error", f"invalid XML: {expat.ErrorString(exc.code)}",
                                     Location(shown, exc.lineno, exc.offset + 1))]) from None
    except ValueError as exc:
        raise InputError([Diagnostic("error", str(exc), Location(shown, parser.CurrentLineNumber))]) from None
    return root


def parse_tbx(data: bytes, shown: str) -> Glossary:
    root = _xml_tree(data, shown)
    errors: list[Diagnostic] = []
    concepts: list[Concept] = []
    entries = list(root.find_all("termEntry", "conceptEntry"))
    if not entries:
        raise InputError([Diagnostic("error", "no termEntry (TBX-Basic) or conceptEntry (TBX 2019) in the glossary",
                                     Location(shown, 1))])
    for entry in entries:
        where = Location(shown, entry.line)
        english: list[str] = []
        approved: dict[str, list[str]] = {}
        forbidden: dict[str, list[str]] = {}
        for lang_set in entry.find_all("langSet", "langSec"):
            lang = norm_lang(lang_set.lang())
            for tig in lang_set.find_all("tig", "ntig", "termSec"):
                term = " ".join(" ".join(t.text for t in tig.find_all("term")).split())
                status = " ".join(n.text.strip().lower() for n in tig.find_all("termNote")
                                  if n.attrs.get("type") == "administrativeStatus")
                if not term:
                    continue
                if lang.split("_")[0] == "en":
                    english.append(term)
                elif status in _FORBIDDEN_STATUS:
                    forbidden.setdefault(lang, []).append(term)
                else:
                    approved.setdefault(lang, []).append(term)
        if not english:
            errors.append(Diagnostic("error", "a term entry without an English term (langSet xml:lang=\"en\")", where))
            continue
        note = " ".join(" ".join(n.text for n in entry.children if n.tag in ("descrip", "note")).split())
        concept = _concept(tuple(english), {k: tuple(v) for k, v in approved.items()},
                           {k: tuple(v) for k, v in forbidden.items()}, note, where, errors)
        if concept is not None:
            concepts.append(concept)
    if errors:
        raise InputError(errors)
    return Glossary(shown, tuple(concepts))


# --------------------------------------------------------------------------- the check


def _english_pattern(term: str) -> re.Pattern[str]:
    words = [re.escape(w) for w in term.split()]
    last = term.split()[-1]
    if re.search(r"[^aeiou]y$", last, re.IGNORECASE):
        words[-1] = re.escape(last[:-1]) + "(?:y|ies)"
    elif re.search(r"(?:s|x|z|ch|sh)$", last, re.IGNORECASE):
        words[-1] += "(?:es)?"
    elif last[-1:].isalpha():
        words[-1] += "s?"
    return re.compile(r"(?<!\w)" + _SPACE.join(words) + r"(?!\w)", re.IGNORECASE)


def _form_pattern(form: str) -> re.Pattern[str]:
    """Each word of ``form`` at the start of a word, in order (inflection: word prefixes)."""
    words = [re.escape(unicodedata.normalize("NFC", w)) for w in form.split()]
    return re.compile(r"(?<!\w)" + (r"\w*" + _SPACE).join(words), re.IGNORECASE)


class _Compiled(NamedTuple):
    concept: Concept
    english: tuple[re.Pattern[str], ...]
    approved: tuple[re.Pattern[str], ...]
    forbidden: tuple[tuple[str, re.Pattern[str]], ...]


def _forms_for(table: dict[str, tuple[str, ...]], lang: str) -> tuple[str, ...]:
    """The forms for ``lang`` (pt_BR), else for its base language (pt)."""
    lang = norm_lang(lang)
    return table.get(lang) or table.get(lang.split("_")[0], ())


def term_findings(glossary: Glossary, lang: str,
                  entries: Iterable[tuple[str, str, Location | None, str | None]]) -> list[Diagnostic]:
    """``[term]`` findings of the translations into ``lang``: ``entries`` are (msgid, msgstr,
    location, context); an empty msgstr is skipped (that is the ``untranslated`` check's)."""
    compiled = []
    for c in glossary.concepts:
        approved, forbidden = _forms_for(c.approved, lang), _forms_for(c.forbidden, lang)
        if approved or forbidden:
            compiled.append(_Compiled(c, tuple(_english_pattern(t) for t in c.english),
                                      tuple(_form_pattern(f) for f in approved),
                                      tuple((f, _form_pattern(f)) for f in forbidden)))
    out: list[Diagnostic] = []
    for msgid, msgstr, location, context in entries:
        if not msgid or not msgstr:
            continue
        text = unicodedata.normalize("NFC", msgstr)
        name = repr(context) if context else repr(msgid if len(msgid) <= 40 else msgid[:39] + "…")
        for k in compiled:
            found = next((m.group(0) for p in k.english for m in [p.search(msgid)] if m), None)
            if found is None:
                continue
            where = f"(glossary {k.concept.location})"
            bad = next((f for f, p in k.forbidden if p.search(text)), None)
            if bad is not None:
                use = " or ".join(repr(a) for a in _forms_for(k.concept.approved, lang))
                out.append(Diagnostic("error", f"{name}: {bad!r} is a forbidden translation of {found!r} "
                                      f"{where}" + (f"; use {use}" if use else ""), location, "term"))
            elif k.approved and not any(p.search(text) for p in k.approved):
                use = " or ".join(repr(a) for a in _forms_for(k.concept.approved, lang))
                out.append(Diagnostic("warning", f"{name}: the English has {found!r}, the translation has none "
                                      f"of the glossary's terms {where}: {use}", location, "term"))
    return out
