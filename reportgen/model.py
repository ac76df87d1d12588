"""The data model: immutable records (NamedTuples: unlike dataclasses, they cost nothing to import,
which the build's worker processes do first). Standard library only.

Two layers:

* :class:`Report` is the source as written (English, with every translatable field a :class:`Text`
  carrying its stable translation context and its place in the YAML file).
* :class:`LocalizedReport` is the final, format-neutral document in one language: every string is
  translated and every date, time and number formatted. Renderers see only this.
"""

from __future__ import annotations

import datetime as _dt
import re
from typing import Iterator, NamedTuple, Union

from .errors import Diagnostic, Location
from .paths import ID_RE  # noqa: F401 - part of the model's vocabulary
from .theme import Theme  # noqa: F401 - settings data the renderers receive

#: Placeholders a source text may use; their values come from the event data.
PLACEHOLDERS = ("date", "start", "end", "time_range", "timezone", "participants", "location")

#: ``{name}``; only the names above are placeholders, any other brace text is literal.
PLACEHOLDER_RE = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


REPORT_KINDS = ("report", "outcome-report", "announcement")
PARTICIPANT_QUALIFIERS = ("exact", "over", "about")


#: Characters no text may contain, in a source or in a translation (docs/robustness.md): C0
#: controls other than tab and line feed, DEL, C1 controls, surrogates, and the noncharacters
#: U+FDD0..U+FDEF and U+xxFFFE/U+xxFFFF. XML (so DOCX) cannot carry most of them, no font draws
#: any of them, and none has a meaning in a report; the same rule holds for both formats.
FORBIDDEN_CHAR_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff"
                               "\U0001fffe-\U0001ffff\U0002fffe-\U0002ffff\U0003fffe-\U0003ffff"
                               "\U000efffe-\U000effff\U000ffffe-\U000fffff\U0010fffe-\U0010ffff]")


def forbidden_chars_problem(text: str) -> str:
    """Why ``text`` cannot be used ("" if it can): the first forbidden character, with its code
    point and position, and how many more there are."""
    m = FORBIDDEN_CHAR_RE.search(text)
    if m is None:
        return ""
    cp = ord(m.group())
    kind = "control character" if cp <= 0x9F else "surrogate" if 0xD800 <= cp <= 0xDFFF else "noncharacter"
    more = len(FORBIDDEN_CHAR_RE.findall(text, m.end()))
    extra = f" and {more} more" if more else ""
    hint = " (tab and line break are the only control characters a text may contain)" if cp <= 0x9F else ""
    return f"{kind} U+{cp:04X} at character {m.start() + 1}{extra} cannot be shown{hint}"


def placeholders_in(text: str) -> list[str]:
    """The known placeholder names used in ``text``, in order of appearance."""
    return [m.group(1) for m in PLACEHOLDER_RE.finditer(text) if m.group(1) in PLACEHOLDERS]


class Text(NamedTuple):
    """A translatable piece of source text: English ``msgid`` + stable ``context`` (msgctxt)."""

    msgid: str
    context: str
    location: Location
    comment: str = ""

    @property
    def placeholders(self) -> list[str]:
        return placeholders_in(self.msgid)


class Participants(NamedTuple):
    count: int
    qualifier: str = "exact"  # one of PARTICIPANT_QUALIFIERS


class Event(NamedTuple):
    date: _dt.date
    start: _dt.time | None = None
    end: _dt.time | None = None
    #: An IANA zone name ("Europe/Paris", "CET") or a fixed offset in minutes east of UTC.
    timezone: str | int | None = None
    location: Text | None = None
    participants: Participants | None = None


class Paragraph(NamedTuple):
    id: str
    text: Text


class BulletList(NamedTuple):
    id: str
    items: tuple[Text, ...]


Block = Union[Paragraph, BulletList]


class Section(NamedTuple):
    id: str
    heading: Text | None
    blocks: tuple[Block, ...]


class Report(NamedTuple):
    id: str
    path: str  # as shown to the user
    kind: str
    title: Text
    series: Text | None = None
    organiser: Text | None = None
    event: Event | None = None
    sections: tuple[Section, ...] = ()
    keywords: tuple[Text, ...] = ()
    id_location: Location | None = None  # where the id is given (the file's first line if by its name)
    #: Problems that do not stop a build (a misspelt placeholder): shown in its summary.
    warnings: tuple[Diagnostic, ...] = ()

    def texts(self) -> Iterator[Text]:
        """Every translatable text, in document order."""
        for t in (self.series, self.title, self.organiser):
            if t is not None:
                yield t
        if self.event is not None and self.event.location is not None:
            yield self.event.location
        yield from self.keywords
        for section in self.sections:
            if section.heading is not None:
                yield section.heading
            for block in section.blocks:
                if isinstance(block, Paragraph):
                    yield block.text
                else:
                    yield from block.items


# --------------------------------------------------------------------------- look and layout


# --------------------------------------------------------------------------- localized layer


class Phrase(NamedTuple):
    """A final string; ``marked`` asks the renderer to flag it (a draft build's fuzzy text).

    ``lang`` is the BCP 47 tag of the text when it differs from the document's (English shown in a
    translated document), so that editors check its spelling in its own language. ``context`` (the
    msgctxt, e.g. ``americas-2024:title``) and ``origin`` (the catalog entry whose translation is
    shown, or the source text when English is shown) say where the text came from, so that a problem
    found after localizing (a character the PDF font lacks) points at it."""

    text: str
    marked: bool = False
    lang: str | None = None
    context: str = ""
    origin: Location | None = None


class LParagraph(NamedTuple):
    text: Phrase


class LBulletList(NamedTuple):
    items: tuple[Phrase, ...]


LBlock = Union[LParagraph, LBulletList]


class LSection(NamedTuple):
    id: str
    heading: Phrase | None
    blocks: tuple[LBlock, ...]


class Labels(NamedTuple):
    """Layout strings in the output language."""

    #: "Page {page} of {pages}" split into literal parts and the tokens "{page}" / "{pages}".
    page_footer: tuple[str, ...]
    draft: str = "DRAFT"
    draft_marker: str = "[draft]"
    contents: str = "Contents"
    #: A fact's label before its value in running text: "{label}:" ("{label}\u00a0:" in French).
    fact_label: str = "{label}:"
    #: The alternative text of the theme's logo (PDF ``/Alt``), read by screen readers.
    logo_alt: str = "Logo"


class LocalizedReport(NamedTuple):
    source_id: str
    lang: str  # catalog language code: "es"
    tag: str  # BCP 47 tag for the document language: "es-ES"
    title: Phrase
    series: Phrase | None
    organiser: Phrase | None
    kind_label: str | None
    #: (label, value) pairs of the title block: date, time, location, participants.
    facts: tuple[tuple[str, str], ...]
    #: The facts as one line, for a subtitle or running header.
    event_line: str
    sections: tuple[LSection, ...]
    labels: Labels
    keywords: tuple[str, ...] = ()
    draft: bool = False
    #: When the document counts as created (SOURCE_DATE_EPOCH or the source's date), UTC.
    created: _dt.datetime = _dt.datetime(2000, 1, 1, tzinfo=_dt.timezone.utc)
    generator: str = "reportgen"
    #: The translated event location (also in ``facts``), kept as a Phrase for its origin.
    location: Phrase | None = None

    def phrases(self) -> Iterator[Phrase]:
        """Every translated source text that is drawn, in document order (not the keywords)."""
        for p in (self.series, self.title, self.organiser, self.location):
            if p is not None:
                yield p
        for s in self.sections:
            if s.heading is not None:
                yield s.heading
            for b in s.blocks:
                if isinstance(b, LParagraph):
                    yield b.text
                else:
                    yield from b.items

    def all_text(self) -> Iterator[tuple[str, str]]:
        """(field, text) for every string a renderer may draw."""
        for name in ("series", "title", "organiser"):
            p = getattr(self, name)
            if p is not None:
                yield name, p.text
        if self.kind_label:
            yield "kind", self.kind_label
        for label, value in self.facts:
            yield f"facts.{label}", label
            yield f"facts.{label}", value
        for s in self.sections:
            if s.heading is not None:
                yield f"sections.{s.id}.heading", s.heading.text
            for i, b in enumerate(s.blocks, 1):
                if isinstance(b, LParagraph):
                    yield f"sections.{s.id}.{i}", b.text.text
                else:
                    for j, item in enumerate(b.items, 1):
                        yield f"sections.{s.id}.{i}.{j}", item.text
        for part in self.labels.page_footer:
            yield "labels.page_footer", part
