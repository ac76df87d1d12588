"""Report + Translator + locale -> LocalizedReport: every string final, every date formatted.

This is the only module that formats dates, times and numbers (with Babel's CLDR data); the
renderers receive finished strings.
"""

from __future__ import annotations

import datetime as _dt
import zoneinfo
from functools import lru_cache
from typing import Callable, NamedTuple

from babel import Locale, UnknownLocaleError
from babel.core import get_global
from babel.dates import format_date, format_interval, format_time
from babel.numbers import format_decimal

from . import __version__, model
from .i18n.translator import Lookup, Translator
from .errors import Location

#: The tool's own strings: key -> (English, note for translators). Context is "layout:<key>".
LAYOUT: dict[str, tuple[str, str]] = {
    "date": ("Date", "Label in the title block, before the date of the event"),
    "time": ("Time", "Label in the title block, before the time range and time zone"),
    "location": ("Location", "Label in the title block, before the place of the event"),
    "participants": ("Participants", "Label in the title block, before the number of participants"),
    "participants-over": ("over {count}", "Number of participants when the source says 'over N'"),
    "participants-about": ("about {count}", "Number of participants when the source says 'about N'"),
    "time-with-zone": ("{time_range} ({timezone})", "Time range of the event followed by its time zone, e.g. '16:00–17:30 (CET)'"),
    "page-footer": ("Page {page} of {pages}", "Page footer; {page} is the page number, {pages} the page count"),
    "kind-outcome-report": ("Outcome report", "Kind of document, shown above the title"),
    "kind-announcement": ("Announcement", "Kind of document, shown above the title"),
    "draft": ("DRAFT", "Footer mark of a draft build (with unreviewed translations)"),
    "draft-marker": ("[draft]", "Mark beside a text whose translation is not yet reviewed (fuzzy)"),
    "contents": ("Contents", "Title of the bookmarks / table of contents"),
    "logo-alt": ("Logo of {organiser}", "Alternative text of the organiser's logo on the first page, read by "
                 "screen readers; {organiser} is the organiser's name (the report's title when it names none)"),
    "fact-label": ("{label}:", "A label of the title block before its value in running text (DOCX), "
                   "e.g. 'Date:'; keep {label}, add the spacing your language puts before a colon"),
    "mail-subject": ("{document}: {title}", "Subject of the e-mail that sends a report to a participant; "
                     "{document} is the kind of document ('Outcome report'), {title} the report's title"),
    "mail-document": ("Report", "Kind of document in the e-mail subject when the report names no kind"),
    "mail-greeting": ("Dear {name},", "First line of the e-mail that sends a report; {name} is the participant's "
                      "full name (no gender is known)"),
    "mail-attached": ("Please find attached “{title}” as a PDF file.", "Sentence of the e-mail that sends a report; "
                      "{title} is the report's title"),
    "mail-fallback": ("This document is not available in {requested}, so we are sending it in {language}.",
                      "Sentence of the e-mail when the participant's preferred language has no report; {requested} "
                      "and {language} are language names as written inside a sentence ('German', 'English')"),
    "mail-checksum": ("To check that the file arrived intact, compare its SHA-256 fingerprint: {sha256}",
                      "Sentence of the e-mail; {sha256} is a 64-character hexadecimal fingerprint of the attached file"),
    "mail-closing": ("Kind regards,", "Closing line of the e-mail, before the name of the organiser"),
}

#: How dates, times and zones are written: key -> (default, note for translators), context
#: "layout:<key>" (docs/terminology.md). The default is CLDR's format for the language, also what an
#: untranslated entry gives. They ship in the bundled layout catalogs and are in the project template
#: (layout_entries); a project catalog overrides one like a layout label. They are settings, not
#: texts: status and the build's completeness do not count them (i18n.translator.is_pattern).
PATTERNS: dict[str, tuple[str, str]] = {
    "pattern-date": ("long", "How the event's date {date} is written. 'short', 'medium', 'long' or 'full': "
                     "your language's CLDR format ('long': 18 January 2024); or a date pattern in Unicode LDML "
                     "letters, literal text in 'quotes': d 'de' MMMM 'de' y -> 18 de enero de 2024"),
    "pattern-time": ("short", "How a time of day {start} {end} is written in running text. 'short': your "
                     "language's CLDR format (16:00); or an LDML time pattern: H:mm -> 9:30; [a|b] writes a when "
                     "the minutes are not zero, b when they are: H[ 'h' mm| 'heures'] -> 9 h 30, 16 heures"),
    "pattern-time-range": ("Hm", "How the title block's time range {time_range} is written. 'Hm': your language's "
                           "CLDR interval format (16:00–17:30); or the start's and the end's time patterns with "
                           "the separator between them, [a|b] as in layout:pattern-time: H'h'[mm]–H'h'[mm] -> "
                           "16h–17h30, 9h30–11h"),
    "pattern-zone": ("z", "How the time zone {timezone} is written. z: its abbreviation (CET) when the time-zone "
                     "database has one, else as O; O: always the offset from UTC in your language's CLDR format "
                     "(GMT+1; UTC+1 in French)"),
}

#: Default BCP 47 tag (document language, date formats) for each catalog language code.
DEFAULT_TAGS = {"en": "en-GB", "es": "es-ES", "fr": "fr-FR", "pt": "pt-BR"}


def language_tag(lang: str, overrides: dict[str, str] | None = None) -> str:
    if overrides and lang in overrides:
        return overrides[lang]
    return DEFAULT_TAGS.get(lang, lang.replace("_", "-"))


@lru_cache(maxsize=64)
def babel_locale(tag: str) -> Locale:
    return Locale.parse(tag.replace("-", "_"))


def suggest_tag(lang: str) -> str:
    """A language tag CLDR knows for a catalog code: its likely region ('de' -> 'de-DE')."""
    likely = get_global("likely_subtags").get(lang.replace("-", "_").split("_")[0].lower())
    if not likely:
        return "fr-FR"
    parts = likely.split("_")
    return f"{parts[0]}-{parts[-1]}"


def is_known_language(lang: str) -> bool:
    try:
        babel_locale(lang)
    except (ValueError, LookupError, UnknownLocaleError):
        return False
    return True


class Fallback(NamedTuple):  # records, not dataclasses: `dataclasses` costs 3 ms to import
    """A text shown in English (or fuzzy) in a translated document."""

    context: str
    state: str  # "untranslated" | "fuzzy" (English used) | "draft" (fuzzy text used, marked)
    location: Location | None


class Localized(NamedTuple):
    report: model.LocalizedReport
    fallbacks: list[Fallback]


class _Builder:
    def __init__(self, report: model.Report, tr: Translator, tag: str, draft: bool, source_tag: str | None = None):
        # draft builds are Translators with use_fuzzy=True; ``draft`` only marks the footer
        self.report = report
        self.tr = tr
        self.tag = tag
        self.locale = babel_locale(tag)
        self.draft = draft
        #: the tag English fallbacks carry in a translated document (their own proofing language)
        self.source_tag = source_tag if source_tag and source_tag != tag else None
        self.fallbacks: list[Fallback] = []
        self.location: model.Phrase | None = None
        #: the placeholders' values as the source language writes them, for text shown in English
        self.source_values: dict[str, str] | None = None

    def label(self, key: str, **values: str) -> str:
        english = LAYOUT[key][0]
        return _fill(self._lookup(english, f"layout:{key}", None).text, values)

    def phrase(self, t: model.Text, values: dict[str, str]) -> model.Phrase:
        found = self._lookup(t.msgid, t.context, t.location)
        lang = self.source_tag if found.state in ("untranslated", "fuzzy") else None
        if lang and self.source_values is not None:  # English text reads as English: "16 January 2024"
            values = self.source_values
        return model.Phrase(_fill(found.text, values), found.state == "draft", lang,
                            context=t.context, origin=found.location or t.location)

    def _lookup(self, msgid: str, context: str, location: Location | None) -> Lookup:
        found = self.tr.lookup(msgid, context)
        if found.state in ("untranslated", "fuzzy", "draft"):
            self.fallbacks.append(Fallback(context, found.state, location))
        return found

    # -- data formatting
    def pattern(self, key: str) -> str:
        """The pattern of ``layout:<key>`` (pattern-date...): the catalog's, or its default when the
        catalog has none or a broken one (reported at its entry)."""
        default = PATTERNS[key][0]
        found = self.tr.lookup(default, f"layout:{key}")  # a default is no fallback: not recorded
        if found.state not in ("translated", "draft") or found.text == default:
            return default
        problem = pattern_problem(key, found.text)
        if problem:
            self.tr.diagnostics.error(f"{self.tr.lang}: layout:{key}: {problem}", found.location, code="pattern")
            return default
        return found.text

    def values(self) -> dict[str, str]:
        """The placeholders' values in the document's language (its catalog's patterns)."""
        out = self._values(self.locale, self.pattern)
        ev = self.report.event
        if ev is not None and ev.location:
            self.location = self.phrase(ev.location, {})
            out["location"] = self.location.text
        return out

    def english_values(self) -> dict[str, str] | None:
        """The same values with the source language's conventions and default patterns, and the
        location in English; None when the document is in the source language."""
        if self.source_tag is None:
            return None
        out = self._values(babel_locale(self.source_tag), lambda key: PATTERNS[key][0])
        ev = self.report.event
        if ev is not None and ev.location:
            out["location"] = _fill(ev.location.msgid, {})
        return out

    def _values(self, loc: Locale, pattern: Callable[[str], str]) -> dict[str, str]:
        ev = self.report.event
        if ev is None:
            return {}
        out = {"date": format_date(ev.date, pattern("pattern-date"), locale=loc)}
        if ev.start:
            start = _dt.datetime.combine(ev.date, ev.start)
            out["start"] = time_text(ev.start, pattern("pattern-time"), loc)
            if ev.end:
                out["end"] = time_text(ev.end, pattern("pattern-time"), loc)
                out["time_range"] = time_range_text(ev.start, ev.end, pattern("pattern-time-range"), loc)
            else:
                out["time_range"] = out["start"]
            if ev.timezone is not None:
                out["timezone"] = zone_name(ev.timezone, start, loc, pattern("pattern-zone"))
        if ev.participants:
            out["participants"] = format_decimal(ev.participants.count, locale=loc)
        return out

    def facts(self, values: dict[str, str]) -> list[tuple[str, str]]:
        ev = self.report.event
        if ev is None:
            return []
        facts = [(self.label("date"), values["date"])]
        if "time_range" in values:
            when = values["time_range"]
            if "timezone" in values:
                when = self.label("time-with-zone", time_range=when, timezone=values["timezone"])
            facts.append((self.label("time"), when))
        if "location" in values:
            facts.append((self.label("location"), values["location"]))
        if ev.participants:
            count = values["participants"]
            if ev.participants.qualifier != "exact":
                count = self.label(f"participants-{ev.participants.qualifier}", count=count)
            facts.append((self.label("participants"), count))
        return facts

    def build(self, created: _dt.datetime) -> model.LocalizedReport:
        r = self.report
        values = self.values()
        self.source_values = self.english_values()
        facts = self.facts(values)
        sections = []
        for s in r.sections:
            blocks: list[model.LBlock] = []
            for b in s.blocks:
                if isinstance(b, model.Paragraph):
                    blocks.append(model.LParagraph(self.phrase(b.text, values)))
                else:
                    blocks.append(model.LBulletList(tuple(self.phrase(i, values) for i in b.items)))
            heading = self.phrase(s.heading, values) if s.heading else None
            sections.append(model.LSection(s.id, heading, tuple(blocks)))
        kind_label = self.label(f"kind-{r.kind}") if f"kind-{r.kind}" in LAYOUT else None
        title = self.phrase(r.title, values)
        series = self.phrase(r.series, values) if r.series else None
        organiser = self.phrase(r.organiser, values) if r.organiser else None
        labels = model.Labels(
            page_footer=split_fields(self.label("page-footer")),
            draft=self.label("draft"),
            draft_marker=self.label("draft-marker"),
            contents=self.label("contents"),
            fact_label=self.label("fact-label"),
            logo_alt=self.label("logo-alt", organiser=(organiser or title).text),
        )
        return model.LocalizedReport(
            source_id=r.id,
            lang=self.tr.lang,
            tag=self.tag,
            title=title,
            series=series,
            organiser=organiser,
            kind_label=kind_label,
            facts=tuple(facts),
            event_line=" · ".join(v for _, v in facts if v),
            sections=tuple(sections),
            labels=labels,
            # a draft says so in its metadata too (PDF /Keywords and XMP, DOCX keywords), in English for tools
            keywords=tuple(self.phrase(k, values).text for k in r.keywords) + (("draft",) if self.draft else ()),
            draft=self.draft,
            created=created,
            generator=f"reportgen {__version__}",
            location=self.location,
        )


def _fill(template: str, values: dict[str, str]) -> str:
    """Replace known ``{name}`` placeholders; any other brace text stays literal."""
    if "{" not in template:
        return template

    def repl(m):  # type: ignore[no-untyped-def]
        name = m.group(1)
        return values.get(name, m.group(0))

    return model.PLACEHOLDER_RE.sub(repl, template)


def split_fields(template: str) -> tuple[str, ...]:
    """'Página {page} de {pages}' -> ('Página ', '{page}', ' de ', '{pages}')."""
    parts: list[str] = []
    pos = 0
    for m in model.PLACEHOLDER_RE.finditer(template):
        if m.group(1) not in ("page", "pages"):
            continue
        if m.start() > pos:
            parts.append(template[pos:m.start()])
        parts.append(m.group(0))
        pos = m.end()
    if pos < len(template):
        parts.append(template[pos:])
    return tuple(parts)


#: LDML field letters a pattern may use (no zones: the zone is layout:pattern-zone)
DATE_FIELDS = frozenset("GyYuUrQqMLlwWdDFgEec")
TIME_FIELDS = frozenset("aBbhHKkjJmsSA")
FORMAT_NAMES = ("short", "medium", "long", "full")


def _tokens(pattern: str) -> list[tuple[str, str]]:
    """LDML pattern -> (kind, text) with kind "field" (a run of one letter), "literal" (quoted text,
    '' for a quote, or any other character) or "[", "|", "]". ValueError for an unclosed quote."""
    out: list[tuple[str, str]] = []
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "'" and pattern[i + 1:i + 2] == "'":
            out.append(("literal", "'"))
            i += 2
        elif ch == "'":
            text, j = "", i + 1
            while j < len(pattern) and (pattern[j] != "'" or pattern[j + 1:j + 2] == "'"):
                text += pattern[j]
                j += 2 if pattern[j] == "'" else 1
            if j >= len(pattern):
                raise ValueError(f"unclosed quote at column {i + 1} (quote literal text: 'h', '' for a quote)")
            out.append(("literal", text))
            i = j + 1
        elif "a" <= ch.lower() <= "z":
            j = i
            while j < len(pattern) and pattern[j] == ch:
                j += 1
            out.append(("field", pattern[i:j]))
            i = j
        else:
            out.append((ch if ch in "[|]" else "literal", ch))
            i += 1
    return out


def _check_fields(tokens: list[tuple[str, str]], allowed: frozenset[str], brackets: bool) -> None:
    depth = 0
    for kind, text in tokens:
        if kind == "field" and text[0] not in allowed:
            raise ValueError(f"{text[0]!r} is not a field of this pattern (quote literal text: '{text}')")
        if kind in "[|]" and not brackets:
            raise ValueError(f"{kind!r} has no meaning here (quote it: '{kind}')")
        depth += {"[": 1, "]": -1}.get(kind, 0)
        if depth not in (0, 1) or (kind == "|" and depth != 1):
            raise ValueError("[a|b] groups must be closed and cannot be nested")
    if depth:
        raise ValueError("[a|b] groups must be closed and cannot be nested")


def _pattern_text(tokens: list[tuple[str, str]], on_the_hour: bool) -> str:
    """Back to an LDML pattern Babel reads, with each [a|b] group resolved: a, or b on the hour."""
    out, literal, part = [], "", 0  # part: 0 outside a group, 1 in a, 2 in b
    for kind, text in tokens + [("field", "")]:
        if kind in "[|]":
            part = {"[": 1, "|": 2, "]": 0}[kind]
        elif part == 0 or (part == 2) == on_the_hour:
            if kind == "literal":
                literal += text
                continue
            if literal:  # one quoted run: Babel reads '' inside quotes as a quote
                out.append("''" * len(literal) if literal == "'" * len(literal)
                           else "'" + literal.replace("'", "''") + "'")
                literal = ""
            out.append(text)
    return "".join(out)


def _split_interval(tokens: list[tuple[str, str]]) -> int:
    """Where the end's pattern starts: at the first field seen before (CLDR's interval formats)."""
    seen = set()
    for n, (kind, text) in enumerate(tokens):
        if kind == "field":
            if text[0] in seen:
                return n
            seen.add(text[0])
    raise ValueError("write the start's and the end's patterns, e.g. H:mm–H:mm")


def pattern_problem(key: str, pattern: str) -> str:
    """Why ``pattern`` cannot be the value of ``layout:<key>``, or ""."""
    try:
        if key == "pattern-zone":
            if pattern not in ("z", "O"):
                raise ValueError("write z (the zone's abbreviation, else the offset) or O (the offset)")
        elif key == "pattern-date":
            if pattern not in FORMAT_NAMES:
                _check_fields(_tokens(pattern), DATE_FIELDS, brackets=False)
        elif key == "pattern-time":
            if pattern not in FORMAT_NAMES:
                _check_fields(_tokens(pattern), TIME_FIELDS, brackets=True)
        elif key == "pattern-time-range" and not pattern.isalpha():
            tokens = _tokens(pattern)
            _check_fields(tokens, TIME_FIELDS, brackets=True)
            _split_interval(tokens)
        if not pattern.strip():
            raise ValueError("the pattern is empty")
    except ValueError as exc:
        return f"{pattern!r}: {exc}"
    return ""


def time_text(t: _dt.time, pattern: str, locale: Locale) -> str:
    """A time of day: ``pattern`` is a CLDR format name or an LDML pattern with [a|b] groups."""
    if pattern in FORMAT_NAMES:
        return format_time(t, pattern, locale=locale)
    return format_time(t, _pattern_text(_tokens(pattern), t.minute == 0), locale=locale)


def time_range_text(start: _dt.time, end: _dt.time, pattern: str, locale: Locale) -> str:
    """A time range: ``pattern`` is a CLDR skeleton (Hm) or two LDML patterns (see time_text)."""
    if pattern.isalpha():
        day = _dt.date(2000, 1, 1)
        return format_interval(_dt.datetime.combine(day, start), _dt.datetime.combine(day, end), pattern,
                               locale=locale)
    tokens = _tokens(pattern)
    cut = _split_interval(tokens)
    return (format_time(start, _pattern_text(tokens[:cut], start.minute == 0), locale=locale)
            + format_time(end, _pattern_text(tokens[cut:], end.minute == 0), locale=locale))


def zone_name(zone: str | int, when: _dt.datetime, locale: Locale, pattern: str = "z") -> str:
    """The time zone as ``pattern`` says: "z" its abbreviation (CET) where the time-zone database has
    a letter one, else as "O": the offset in the locale's CLDR GMT format, always written label
    first (GMT+1; UTC+1 in French), whatever the CLDR version (Babel 2.19's Portuguese says
    "+1 GMT", which Brazilian readers do not write). The abbreviation comes from the time-zone
    database, not from CLDR, whose short names vary between versions (CET for en-GB in Babel
    2.19, "+0100" in 2.14)."""
    if isinstance(zone, str):
        aware = when.replace(tzinfo=zoneinfo.ZoneInfo(zone))
        short = aware.tzname() or ""
        if pattern == "z" and short.isalpha() and short.isascii():
            return short
        offset = int(aware.utcoffset().total_seconds() // 60)  # type: ignore[union-attr]
    else:
        offset = zone
    sign = "-" if offset < 0 else "+"
    hours, minutes = divmod(abs(offset), 60)
    amount = f"{sign}{hours}" + (f":{minutes:02d}" if minutes else "")
    label = locale.zone_formats["gmt"].replace("%s", "").strip() or "GMT"
    return label + amount


def localize(report: model.Report, tr: Translator, tag: str, *, draft: bool = False,
             created: _dt.datetime | None = None, source_tag: str | None = None) -> Localized:
    """``source_tag``: the language tag of the source text, given to text shown untranslated."""
    b = _Builder(report, tr, tag, draft, source_tag)
    created = created or _dt.datetime(2000, 1, 1, tzinfo=_dt.timezone.utc)
    doc = b.build(created)
    return Localized(doc, b.fallbacks)


def label(tr: Translator, key: str, **values: str) -> str:
    """A layout label in ``tr``'s language (project catalog first, then the bundled one), English
    when it has no translation; ``{name}`` placeholders filled from ``values``."""
    return _fill(tr.lookup(LAYOUT[key][0], f"layout:{key}").text, values)


def language_name(lang: str, in_tag: str) -> str:
    """The name of ``lang``'s language as written inside a sentence in ``in_tag``: 'German',
    'alemán', 'allemand'. Falls back to the code when CLDR does not know it."""
    code = lang.replace("_", "-").split("-")[0].lower()
    try:
        return babel_locale(in_tag).languages.get(code, code)
    except (ValueError, LookupError, UnknownLocaleError):
        return code


def layout_entries() -> list[tuple[str, str, str]]:
    """(key, English, comment) of every layout entry: the labels, then the date, time and zone
    patterns; the project's template and the bundled one (``reportgen/locales/layout.pot``)."""
    return [(k, en, note) for k, (en, note) in LAYOUT.items()] + [(k, en, note) for k, (en, note) in PATTERNS.items()]


def bundled_layout_entries() -> list[tuple[str, str, str]]:
    """The entries of the bundled template: the same as the project's (:func:`layout_entries`)."""
    return layout_entries()
