"""Report + Translator + locale -> LocalizedReport: every string final, every date formatted.

This is the only module that formats dates, times and numbers (with Babel's CLDR data); the
renderers receive finished strings.
"""

from __future__ import annotations

import datetime as _dt
import zoneinfo
from functools import lru_cache
from typing import NamedTuple

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_interval, format_time, get_timezone_name
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

#: Default BCP 47 tag (document language, date formats) for each catalog language code.
DEFAULT_TAGS = {"en": "en-GB", "es": "es-ES", "fr": "fr-FR", "pt": "pt-BR"}


def language_tag(lang: str, overrides: dict[str, str] | None = None) -> str:
    if overrides and lang in overrides:
        return overrides[lang]
    return DEFAULT_TAGS.get(lang, lang.replace("_", "-"))


@lru_cache(maxsize=64)
def babel_locale(tag: str) -> Locale:
    return Locale.parse(tag.replace("-", "_"))


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

    def label(self, key: str, **values: str) -> str:
        english = LAYOUT[key][0]
        return _fill(self._lookup(english, f"layout:{key}", None).text, values)

    def phrase(self, t: model.Text, values: dict[str, str]) -> model.Phrase:
        found = self._lookup(t.msgid, t.context, t.location)
        lang = self.source_tag if found.state in ("untranslated", "fuzzy") else None
        return model.Phrase(_fill(found.text, values), found.state == "draft", lang,
                            context=t.context, origin=found.location or t.location)

    def _lookup(self, msgid: str, context: str, location: Location | None) -> Lookup:
        found = self.tr.lookup(msgid, context)
        if found.state in ("untranslated", "fuzzy", "draft"):
            self.fallbacks.append(Fallback(context, found.state, location))
        return found

    # -- data formatting
    def values(self) -> dict[str, str]:
        ev = self.report.event
        if ev is None:
            return {}
        loc = self.locale
        out = {"date": format_date(ev.date, "long", locale=loc)}
        if ev.start:
            start = _dt.datetime.combine(ev.date, ev.start)
            out["start"] = format_time(ev.start, "short", locale=loc)
            if ev.end:
                end = _dt.datetime.combine(ev.date, ev.end)
                out["end"] = format_time(ev.end, "short", locale=loc)
                out["time_range"] = format_interval(start, end, "Hm", locale=loc)
            else:
                out["time_range"] = out["start"]
            if ev.timezone is not None:
                out["timezone"] = zone_name(ev.timezone, start, loc)
        if ev.participants:
            out["participants"] = format_decimal(ev.participants.count, locale=loc)
        if ev.location:
            self.location = self.phrase(ev.location, {})
            out["location"] = self.location.text
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
        labels = model.Labels(
            page_footer=split_fields(self.label("page-footer")),
            draft=self.label("draft"),
            draft_marker=self.label("draft-marker"),
            contents=self.label("contents"),
            fact_label=self.label("fact-label"),
        )
        return model.LocalizedReport(
            source_id=r.id,
            lang=self.tr.lang,
            tag=self.tag,
            title=self.phrase(r.title, values),
            series=self.phrase(r.series, values) if r.series else None,
            organiser=self.phrase(r.organiser, values) if r.organiser else None,
            kind_label=kind_label,
            facts=tuple(facts),
            event_line=" · ".join(v for _, v in facts if v),
            sections=tuple(sections),
            labels=labels,
            keywords=tuple(self.phrase(k, values).text for k in r.keywords),
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


def zone_name(zone: str | int, when: _dt.datetime, locale: Locale) -> str:
    """A short time-zone name readers of ``locale`` know: CLDR's abbreviation where the locale
    has one (CET in en-GB and es), else the localized GMT format (GMT+1, UTC+1 in French)."""
    if isinstance(zone, str):
        aware = when.replace(tzinfo=zoneinfo.ZoneInfo(zone))
        short = get_timezone_name(aware, "short", locale=locale)
        if short and short[0] not in "+-" and "GMT" not in short and "UTC" not in short:
            return short
        offset = int(aware.utcoffset().total_seconds() // 60)  # type: ignore[union-attr]
    else:
        offset = zone
    sign = "-" if offset < 0 else "+"
    hours, minutes = divmod(abs(offset), 60)
    amount = f"{sign}{hours}" + (f":{minutes:02d}" if minutes else "")
    return locale.zone_formats["gmt"] % amount


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
    """(key, English, comment) of every layout label, for the bundled template."""
    return [(k, en, note) for k, (en, note) in LAYOUT.items()]
