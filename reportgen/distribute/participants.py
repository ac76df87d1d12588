"""Participants file (CSV or YAML, UTF-8) -> validated :class:`Participant` list; language choice per person.

The file has a header row naming its columns, in any order::

    name,email,language,organisation
    Ana Souza,ana@example.org,pt-BR,Instituto Exemplo

``organisation`` (or ``organization``) is optional; other columns are ignored with a warning.
A ``.yaml``/``.yml`` file is a list of records with the same keys (``- name: Ana Souza``), optionally
under ``participants:``.
Excel in many European locales saves CSV with ``;`` between fields: that is recognised from the
header. Every problem is reported as ``path:line: error: column: message``; the format is
documented in ``docs/distribution.md``.

Personal data never goes into a diagnostic except the e-mail address, and only when the address
itself is the problem.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from ..errors import Diagnostic, Diagnostics, InputError, Location, did_you_mean, display_path, read_input
from ..localize import is_known_language
from ..sources import read_records

REQUIRED = ("name", "email", "language")
ALIASES = {"e-mail": "email", "mail": "email", "lang": "language", "organization": "organisation",
           "organisation": "organisation"}
COLUMNS = REQUIRED + ("organisation",)

# A practical address check (RFC 5321 dot-atom local part, a domain with a dot); no quoted local
# parts, no IP literals, ASCII only (internationalised addresses need SMTPUTF8, see the docs).
_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
EMAIL_RE = re.compile(rf"^{_ATEXT}(?:\.{_ATEXT})*@{_LABEL}(?:\.{_LABEL})*\.[A-Za-z]{{2,63}}$")
# BCP 47 language tag: language[-script][-region][-variant...]; extensions and private use are refused.
TAG_RE = re.compile(r"^([A-Za-z]{2,3})(?:-([A-Za-z]{4}))?(?:-([A-Za-z]{2}|\d{3}))?((?:-(?:[A-Za-z\d]{5,8}|\d[A-Za-z\d]{3}))*)$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class Participant:
    name: str
    email: str
    #: Preferred language as a normalized BCP 47 tag ("pt-BR", "es-419", "zh-Hant").
    language: str
    organisation: str
    location: Location

    @property
    def key(self) -> str:
        """Identity of the participant in the state file (the address, case-folded)."""
        return self.email.casefold()


@dataclass(frozen=True)
class Choice:
    """The language a participant receives, and why."""

    lang: str  #: a language the project builds ("pt")
    rule: str  #: "exact" | "parent" | "sibling" | "fallback"
    reason: str  #: one English sentence for the manifest


def normalize_tag(tag: str) -> str | None:
    """'pt_br' -> 'pt-BR', 'zh-hant-tw' -> 'zh-Hant-TW'; None when it is not a BCP 47 tag."""
    m = TAG_RE.match(tag.strip().replace("_", "-"))
    if not m:
        return None
    lang, script, region, variants = m.groups()
    parts = [lang.lower()]
    if script:
        parts.append(script.title())
    if region:
        parts.append(region.upper())
    if variants:
        parts += [v.lower() for v in variants.strip("-").split("-")]
    return "-".join(parts)


def _key(tag: str) -> str:
    return tag.replace("_", "-").lower()


def choose_language(tag: str, available: Sequence[str], fallback: str) -> Choice:
    """Pick the language of the report for a preferred ``tag`` among the ``available`` languages.

    The chain (RFC 4647 lookup, then the same language in another variety, then the fallback):
    ``pt-BR`` -> ``pt-BR``, ``pt`` -> another ``pt-*`` the project has -> ``fallback``.
    """
    by_key = {_key(a): a for a in available}
    subtags = tag.split("-")
    chain = ["-".join(subtags[:n]) for n in range(len(subtags), 0, -1)]
    for n, candidate in enumerate(chain):
        if _key(candidate) in by_key:
            lang = by_key[_key(candidate)]
            if n == 0:
                return Choice(lang, "exact", f"{tag} is available")
            return Choice(lang, "parent", f"{tag} is not available; {lang} is the closest")
    primary = subtags[0].lower()
    siblings = sorted(a for a in available if _key(a).split("-")[0] == primary)
    if siblings:
        return Choice(siblings[0], "sibling", f"{tag} is not available; {siblings[0]} is the same language")
    tried = ", ".join(chain)
    return Choice(fallback, "fallback", f"no report in {tried}; {fallback} is the final fallback")


def load_participants(path: Path, base: Path | None = None) -> tuple[list[Participant], list[Diagnostic]]:
    """Read and validate the participants file (CSV, or YAML for ``.yaml``/``.yml``); return
    (participants, warnings). Every error of the file is raised at once as :class:`InputError`."""
    if path.suffix.lower() in (".yaml", ".yml"):
        records, diags = _yaml_records(path, base)
    else:
        records, diags = _csv_records(path, base)
    people: list[Participant] = []
    seen: dict[str, int] = {}
    for loc, record in records:
        person = _check(record, loc, seen, diags)
        if person is not None:
            people.append(person)
    if not people and not diags.errors:
        diags.error("no participants", Location(display_path(path, base), 1))
    diags.raise_if_errors()
    return people, diags.warnings


def _column(raw: str) -> str:
    name = raw.strip().lower()
    return ALIASES.get(name, name)


def _yaml_records(path: Path, base: Path | None) -> tuple[list[tuple[Location, dict[str, str]]], Diagnostics]:
    found, problems = read_records(path, base, "participants file")
    diags = Diagnostics(list(problems))
    out = []
    warned: set[str] = set()
    for loc, raw in found:
        record = {}
        for key, value in raw.items():
            name = _column(key)
            if name in COLUMNS:
                record[name] = value
            elif name not in warned:
                warned.add(name)
                diags.warning(f"key {key!r} is ignored" + did_you_mean(name, COLUMNS), loc)
        missing = [name for name in REQUIRED if name not in record]
        for name in missing:
            diags.error(f"{name}: missing", loc)
        if not missing:
            out.append((loc, record))
    return out, diags


def _csv_records(path: Path, base: Path | None) -> tuple[list[tuple[Location, dict[str, str]]], Diagnostics]:
    shown = display_path(path, base)
    data = read_input(path, shown, "participants file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError([Diagnostic("error", f"not valid UTF-8 (byte 0x{data[exc.start]:02x}); save the file "
                                     "as CSV UTF-8", Location(shown, line))]) from None
    diags = Diagnostics()
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise InputError([Diagnostic("error", f"CSV syntax: {exc}", Location(shown, 1))]) from None
    if not header or not any(h.strip() for h in header):
        raise InputError([Diagnostic("error", "empty file; expected a header row: "
                                     + delimiter.join(COLUMNS), Location(shown, 1))])
    columns: dict[str, int] = {}
    for i, raw in enumerate(header):
        name = _column(raw)
        if name in COLUMNS:
            if name in columns:
                diags.error(f"column {raw.strip()!r} appears twice", Location(shown, 1))
            columns[name] = i
        elif name:
            diags.warning(f"column {raw.strip()!r} is ignored" + did_you_mean(name, COLUMNS), Location(shown, 1))
    for name in REQUIRED:
        if name not in columns:
            unknown = [h.strip().lower() for h in header if _column(h) not in COLUMNS]
            hint = did_you_mean(name, unknown) if unknown else ""
            diags.error(f"missing column {name!r}" + hint, Location(shown, 1))
    diags.raise_if_errors()

    out = []
    line = reader.line_num
    while True:
        start = line + 1
        try:
            row = next(reader, None)
        except csv.Error as exc:
            diags.error(f"CSV syntax: {exc}", Location(shown, reader.line_num))
            break
        if row is None:
            break
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(header):
            diags.error(f"{len(row)} fields, but the header has {len(header)}", Location(shown, start))
            continue
        out.append((Location(shown, start), {c: row[i] for c, i in columns.items() if i < len(row)}))
    return out, diags


def _check(record: dict[str, str], loc: Location, seen: dict[str, int], diags: Diagnostics) -> Participant | None:
    """Validate one record; report its problems; the participant, or None."""
    name, email, lang, org = (record.get(c, "").strip() for c in COLUMNS)
    ok = True
    for column, value in (("name", name), ("organisation", org)):
        if _CONTROL.search(value):
            diags.error(f"{column}: contains a line break or control character", loc)
            ok = False
    if not name:
        diags.error("name: empty", loc)
        ok = False
    if not email:
        diags.error("email: empty", loc)
        ok = False
    elif not EMAIL_RE.match(email):
        diags.error(f"email: {email!r} is not a valid e-mail address", loc)
        ok = False
    elif email.casefold() in seen:
        diags.error(f"email: {email!r} is also on line {seen[email.casefold()]}", loc)
        ok = False
    else:
        seen[email.casefold()] = loc.line
    tag = normalize_tag(lang) if lang else None
    if not lang:
        diags.error("language: empty; expected a BCP 47 language tag such as pt-BR, es-419 or fr", loc)
        ok = False
    elif tag is None:
        diags.error(f"language: {lang!r} is not a BCP 47 language tag (such as pt-BR, es-419 or fr)", loc)
        ok = False
    elif not is_known_language(tag.split("-")[0]):
        diags.error(f"language: unknown language {lang!r}", loc)
        ok = False
    return Participant(name, email, tag or lang, org, loc) if ok else None
