"""Offline quality checks of translations (``reportgen check``). Standard library only.

The checks see plain :class:`Entry` values (made by :func:`reportgen.i18n.commands.check_entries`), never a
PO library object, and return :class:`~reportgen.errors.Diagnostic` values with ``path:line``.

Codes (silence them in the config with ``[check] ignore = ["code", ...]``, or for one entry with a
flag ``#, ignore-<code>`` or a translator comment ``# reportgen: ignore <code>``):

=================  ========  ==========================================================
code               severity  finds
=================  ========  ==========================================================
placeholders       error     a ``{name}`` placeholder dropped, added or renamed (names are case-sensitive)
format             error     what ``msgfmt -c`` checks: python-format (``%(name)s``, ``%s``), c-format
                             (``%d``, ``%1$s``) and python-brace-format (``{0}``, ``{name!r:>8}``)
                             directives that differ from the English, for entries with that flag
characters         error     a control character the build refuses (tab and line break are allowed)
markup             error     tags (``<b>``, ``</i>``, ``<br/>``) that differ from the English
plural-forms       error     an entry with another number of forms than the header says
plural-expression  error     a Plural-Forms header whose ``plural=`` gettext cannot evaluate, or
                             that gives a form number beyond ``nplurals``
plural-header      warning   an entry with plural forms, and the header's ``nplurals`` differs
                             from CLDR's for the language
whitespace         warning   leading or trailing whitespace that differs from the English
double-space       warning   two spaces in a row that the English does not have
punctuation        warning   the ending punctuation (. : ? ! …) differs from the English
fr-spacing         warning   French: no no-break space before : ; ! ? or inside « »
untranslated       warning   no translation
fuzzy              warning   a translation that still needs review (fuzzy)
unchanged          warning   the translation is the English text (mark intentional ones
                             with ``#, ignore-unchanged`` or ``# reportgen: ignore unchanged``)
outdated           warning   texts of the sources missing from the catalog (run update)
mail-header        error     a text that goes into an e-mail's Subject (a report's title, a kind
                             label, ``layout:mail-subject``, ``layout:mail-document``) with a line
                             break, a control character or ``=?`` (:mod:`reportgen.headers`)
term               error or  the project's glossary (``locales/glossary.csv``): a forbidden variant
                   warning   (error), none of the approved terms (warning); :mod:`reportgen.i18n.glossary`
pattern            error     a ``layout:pattern-*`` entry that is not a valid date, time or zone pattern
                             (``localize.pattern_problem``: what the build refuses)
=================  ========  ==========================================================
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable

from .. import model
from ..errors import Diagnostic, Location
from ..headers import header_problem
from . import formats
from .plural import problem as plural_problem

CODES = {
    "placeholders": "error", "format": "error", "characters": "error", "markup": "error", "plural-forms": "error",
    "plural-expression": "error", "plural-header": "warning",
    "whitespace": "warning", "double-space": "warning", "punctuation": "warning", "fr-spacing": "warning",
    "untranslated": "warning", "fuzzy": "warning", "unchanged": "warning", "outdated": "warning",
    "mail-header": "error", "term": "warning", "pattern": "error",
}
#: flag aliases other tools use (Weblate's ``ignore-same``)
_ALIASES = {"same": "unchanged"}

_BRACES = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>")
_IGNORE_COMMENT = re.compile(r"reportgen:\s*ignore\s+([\w ,-]+)", re.IGNORECASE)
_NBSP = "\u00a0\u202f"
_ENDINGS = {".": ".", ":": ":", "?": "?", "!": "!", "…": "…", ";": ";"}
_CLOSERS = "\"'»”’)]"


@dataclass(frozen=True)
class Entry:
    """One catalog entry as the checks see it."""

    msgid: str
    msgstr: tuple[str, ...]  # one item, or one per plural form
    context: str | None = None
    line: int = 0
    msgid_plural: str | None = None
    flags: frozenset[str] = frozenset()
    comments: tuple[str, ...] = ()  # translator comments

    @property
    def fuzzy(self) -> bool:
        return "fuzzy" in self.flags

    @property
    def translated(self) -> bool:
        return any(self.msgstr)

    def ignored(self) -> set[str]:
        out = {f[len("ignore-"):] for f in self.flags if f.startswith("ignore-")}
        for c in self.comments:
            for m in _IGNORE_COMMENT.finditer(c):
                out.update(w for w in re.split(r"[\s,]+", m.group(1)) if w)
        return {_ALIASES.get(code, code) for code in out}


@dataclass
class CatalogInfo:
    path: str  # as shown
    lang: str
    nplurals: int  # from the header
    expected_nplurals: int | None = None  # from CLDR, None when unknown
    header_line: int = 1
    ignore: frozenset[str] = field(default_factory=frozenset)
    header_fuzzy: bool = False
    expected_plural_forms: str = ""  # CLDR's Plural-Forms value
    plural_forms: str = ""  # the header's Plural-Forms value
    plural_line: int = 1  # its line
    #: contexts of the texts that go into an e-mail's Subject (the mail-header check)
    header_contexts: frozenset[str] = frozenset()


def check(info: CatalogInfo, entries: Iterable[Entry]) -> list[Diagnostic]:
    """Every finding of every check on ``entries``, in file order, minus the ignored codes."""
    out: list[Diagnostic] = []

    def report(code: str, message: str, line: int) -> None:
        if code not in info.ignore:
            out.append(Diagnostic(CODES[code], message, Location(info.path, line), code))

    entries = list(entries)
    plural = next((e for e in entries if e.msgid_plural is not None), None)
    if plural is not None and info.expected_nplurals and info.nplurals and info.nplurals != info.expected_nplurals:
        # only where it matters: an entry with plural forms (a catalog keeps the header it was made with)
        report("plural-header", f"{_name(plural)} has plural forms, and Plural-Forms says nplurals={info.nplurals} "
                                f"while CLDR has {info.expected_nplurals} forms for {info.lang!r}; to follow CLDR, "
                                f"write 'Plural-Forms: {info.expected_plural_forms}' in the header and give each "
                                f"plural entry {info.expected_nplurals} msgstr[N]", plural.line)
    why = plural_problem(info.plural_forms) if info.plural_forms else ""
    if why:
        report("plural-expression", f"Plural-Forms: {why}; msgfmt refuses the catalog"
                                    + (f" (CLDR's for {info.lang!r}: '{info.expected_plural_forms}')"
                                       if info.expected_plural_forms else ""), info.plural_line)
    if info.header_fuzzy:
        report("fuzzy", "the header is marked fuzzy: gettext tools (msgfmt, Weblate) then ignore the whole "
                        "catalog; remove '#, fuzzy' above msgid \"\"", info.header_line)
    french = info.lang.split("_")[0].split("-")[0] == "fr"
    for e in entries:
        if not e.msgid:
            continue
        skip = e.ignored()

        def found(code: str, message: str) -> None:
            if code not in skip:
                report(code, message, e.line)

        if not e.translated:
            found("untranslated", f"{_name(e)} is not translated")
            continue
        if e.fuzzy:
            found("fuzzy", f"{_name(e)} is fuzzy: review the translation, then remove the fuzzy mark")
        if e.msgid_plural is not None and info.nplurals and len(e.msgstr) != info.nplurals:
            found("plural-forms", f"{_name(e)} has {len(e.msgstr)} plural forms, the header says nplurals={info.nplurals}: "
                                  f"give it msgstr[0] to msgstr[{info.nplurals - 1}], or correct Plural-Forms")
        sources = [e.msgid] if e.msgid_plural is None else [e.msgid] + [e.msgid_plural] * (len(e.msgstr) - 1)
        for english, text in zip(sources, e.msgstr):
            if not text:
                continue
            for code, message in _text_problems(english, text, french):
                found(code, f"{_name(e)}: {message}")
            for message in formats.problems(e.flags, english, text, strict=e.msgid_plural is None):
                found("format", f"{_name(e)}: {message}")
            bad = model.forbidden_chars_problem(text)
            if bad:
                found("characters", f"{_name(e)}: {bad}; the build refuses the translation")
            bad = header_problem(text) if e.context in info.header_contexts else ""
            if bad:
                found("mail-header", f"{_name(e)} goes into the e-mail's Subject and {bad}; distribute refuses it")
        if e.msgid_plural is None and e.msgstr[0] == e.msgid and re.search(r"[A-Za-z]{2}", _BRACES.sub("", e.msgid)):
            found("unchanged", f"{_name(e)}: the translation is the English text (if that is right, "
                               "add the flag 'ignore-unchanged' or the comment 'reportgen: ignore unchanged')")
    return out


def _name(e: Entry) -> str:
    return repr(e.context) if e.context else repr(e.msgid if len(e.msgid) <= 40 else e.msgid[:39] + "…")


def _text_problems(english: str, text: str, french: bool) -> Iterable[tuple[str, str]]:
    want, got = Counter(_BRACES.findall(english)), Counter(_BRACES.findall(text))
    if want != got:
        missing = sorted((want - got).elements())
        extra = sorted((got - want).elements())
        if len(missing) == 1 and len(extra) == 1 and missing[0].lower() == extra[0].lower():
            yield "placeholders", (f"placeholder {{{missing[0]}}} written {{{extra[0]}}}: placeholders are "
                                   "case-sensitive, write it as in the English")
        elif len(missing) == 1 and len(extra) == 1:
            yield "placeholders", f"placeholder {{{missing[0]}}} renamed to {{{extra[0]}}}"
        else:
            parts = []
            if missing:
                parts.append("drops " + ", ".join(f"{{{n}}}" for n in missing))
            if extra:
                parts.append("adds " + ", ".join(f"{{{n}}}" for n in extra))
            yield "placeholders", "placeholders differ: the translation " + " and ".join(parts)
    tags_en, tags_tr = Counter(_TAG.findall(english)), Counter(_TAG.findall(text))
    if tags_en != tags_tr:
        missing = sorted((tags_en - tags_tr).elements())
        extra = sorted((tags_tr - tags_en).elements())
        detail = "; ".join(p for p in ("missing " + " ".join(missing) if missing else "",
                                       "extra " + " ".join(extra) if extra else "") if p)
        yield "markup", f"markup differs from the English: {detail}"
    for side, strip in (("leading", str.lstrip), ("trailing", str.rstrip)):
        if (english != strip(english)) != (text != strip(text)):
            yield "whitespace", (f"{side} whitespace differs from the English "
                                 f"({'the translation has it' if text != strip(text) else 'the English has it'})")
    if "  " in text and "  " not in english:
        yield "double-space", f"double space at column {text.index('  ') + 1}"
    end_en, end_tr = _ending(english), _ending(text)
    if end_en != end_tr:
        yield "punctuation", (f"ends with {end_tr!r}, the English with {end_en!r}" if end_tr and end_en
                              else f"ends with {end_tr!r}, the English does not" if end_tr
                              else f"does not end with {end_en!r} like the English")
    if french:
        yield from (("fr-spacing", m) for m in _french_spacing(text))


def _ending(text: str) -> str:
    t = text.rstrip(" \t\n" + _NBSP + _CLOSERS)
    if t.endswith("..."):
        return "…"
    return _ENDINGS.get(t[-1:], "") if t else ""


def _french_spacing(text: str) -> Iterable[str]:
    """French typography: a no-break space (U+00A0, or narrow U+202F) before : ; ! ? and inside « »."""
    plain = _BRACES.sub("x", text)
    for i, ch in enumerate(plain):
        before = plain[i - 1] if i else ""
        after = plain[i + 1] if i + 1 < len(plain) else ""
        if ch in ":;!?":
            if before in _NBSP or not before:
                continue
            if ch == ":" and (after.isdigit() or after == "/"):
                continue  # 16:00, https://
            if before == "?" or before == "!" or before in ":;":
                continue  # ?! and similar
            if before == " ":
                yield f"use a no-break space (U+00A0) before {ch!r}, not an ordinary space"
            elif after in ("", " ", "\n") + tuple(_NBSP) + tuple(_CLOSERS):
                yield f"add a no-break space (U+00A0) before {ch!r}"
        elif ch == "«" and after and after not in _NBSP:
            yield "add a no-break space (U+00A0) after '«'" if after != " " else \
                "use a no-break space (U+00A0) after '«', not an ordinary space"
        elif ch == "»" and before and before not in _NBSP:
            yield "add a no-break space (U+00A0) before '»'" if before != " " else \
                "use a no-break space (U+00A0) before '»', not an ordinary space"
