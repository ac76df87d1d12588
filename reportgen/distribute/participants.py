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
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

from ..errors import Diagnostic, Diagnostics, InputError, Location, did_you_mean, display_path
from ..localize import is_known_language
from ..sources import read_records
from ..headers import header_problem

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
#: RFC 5321 4.5.3.1: at most 64 octets before the @, 255 after it, 254 for the whole address
MAX_LOCAL, MAX_DOMAIN, MAX_ADDRESS = 64, 255, 254

# Limits of a participants file (docs/robustness.md): far above any real list, far below what
# would take minutes or gigabytes (a 50-million-column header line did).
MAX_BYTES = 20 * 1024 * 1024  #: size of the file
MAX_ROWS = 100_000  #: lines of a CSV file
MAX_LINE = 4096  #: characters on one line of a CSV file
MAX_COLUMNS = 50  #: columns of the header


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


def choose_language(tag: str, available: Sequence[str], fallback: str,
                    withheld: Mapping[str, str] | None = None) -> Choice:
    """Pick the language of the report for a preferred ``tag`` among the ``available`` languages.

    The chain (RFC 4647 lookup, then the same language in another variety, then the fallback):
    ``pt-BR`` -> ``pt-BR``, ``pt`` -> another ``pt-*`` the project has -> ``fallback``. A language
    in ``withheld`` (language -> why, e.g. "0% translated") is not offered; the reason names it.
    """
    withheld = withheld or {}
    by_key = {_key(a): a for a in available if a not in withheld}
    subtags = tag.split("-")
    chain = ["-".join(subtags[:n]) for n in range(len(subtags), 0, -1)]
    why = [f"{lang}: {reason}" for lang, reason in sorted(withheld.items())
           if _key(lang) in {_key(c) for c in chain} or _key(lang).split("-")[0] == subtags[0].lower()]
    for n, candidate in enumerate(chain):
        if _key(candidate) in by_key:
            lang = by_key[_key(candidate)]
            if n == 0:
                return Choice(lang, "exact", f"{tag} is available")
            return Choice(lang, "parent", f"{tag} is not available; {lang} is the closest")
    primary = subtags[0].lower()
    siblings = sorted(a for a in by_key.values() if _key(a).split("-")[0] == primary)
    if siblings:
        return Choice(siblings[0], "sibling", f"{tag} is not available; {siblings[0]} is the same language")
    tried = ", ".join(chain) + (f" ({'; '.join(why)})" if why else "")
    return Choice(fallback, "fallback", f"no report in {tried}; {fallback} is the final fallback")


def load_participants(path: Path, base: Path | None = None) -> tuple[list[Participant], list[Diagnostic]]:
    """Read and validate the participants file (CSV, or YAML for ``.yaml``/``.yml``); return
    (participants, warnings). Every error of the file is raised at once as :class:`InputError`."""
    shown = display_path(path, base)
    if path.suffix.lower() in (".yaml", ".yml"):
        _check_file(path, shown)
        records, diags = _yaml_records(path, base)
    else:
        records, diags = _csv_records(path, shown)
    people: list[Participant] = []
    seen: dict[str, int] = {}
    for loc, record in records:
        person = _check(record, loc, seen, diags)
        if person is not None:
            people.append(person)
    if not people and not diags.errors:
        diags.error("no participants", Location(shown, 1))
    diags.raise_if_errors()
    return people, diags.warnings


def _check_file(path: Path, shown: str) -> None:
    """A participants file is a regular file of at most MAX_BYTES: ``/dev/zero`` would be read until
    memory runs out, a FIFO would wait for ever (it is opened without waiting for a writer)."""
    _read(path, shown, 0)


def _read(path: Path, shown: str, limit: int) -> bytes:
    """Up to ``limit`` bytes of a regular file (nothing with 0), or a located error."""
    what = "participants file"
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise InputError([Diagnostic("error", f"no such {what}", Location(shown))]) from None
    except OSError as exc:
        raise InputError([Diagnostic("error", f"cannot read {what}: {exc.strerror}", Location(shown))]) from None
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise InputError([Diagnostic("error", f"is a directory, not a {what}", Location(shown))])
        if not stat.S_ISREG(st.st_mode):
            raise InputError([Diagnostic("error", f"not a regular file (a device, pipe or socket); save the {what} "
                                         "as a file", Location(shown))])
        with os.fdopen(os.dup(fd), "rb") as f:
            data = f.read(limit + 1) if limit else b""
    finally:
        os.close(fd)
    if st.st_size > MAX_BYTES or len(data) > limit:
        raise InputError([Diagnostic("error", f"file too large ({max(st.st_size, len(data)):,} bytes; the limit "
                                     f"is {MAX_BYTES:,})", Location(shown))])
    return data


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


def _csv_records(path: Path, shown: str) -> tuple[list[tuple[Location, dict[str, str]]], Diagnostics]:
    data = _read(path, shown, MAX_BYTES)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError([Diagnostic("error", f"not valid UTF-8 (byte 0x{data[exc.start]:02x}); save the file "
                                     "as CSV UTF-8", Location(shown, line))]) from None
    _check_shape(text, shown)
    lines = text.split("\n")
    head = next((n for n, line in enumerate(lines) if line.strip()), 0)  # blank lines before the header
    first = lines[head]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    if max(first.count(";"), first.count(",")) >= MAX_COLUMNS:
        raise InputError([Diagnostic("error", f"the header has more than {MAX_COLUMNS} columns; expected "
                                     + ",".join(COLUMNS), Location(shown, head + 1))])
    diags = Diagnostics()
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    header: list[str] = []
    try:
        while not any(h.strip() for h in header):  # blank lines before the header are skipped
            row = next(reader, None)
            if row is None:
                break
            header = row
    except csv.Error as exc:
        raise InputError([Diagnostic("error", f"CSV syntax: {exc}", Location(shown, head + 1))]) from None
    at = Location(shown, head + 1)
    if not any(h.strip() for h in header):
        raise InputError([Diagnostic("error", "empty file; expected a header row: " + delimiter.join(COLUMNS), at)])
    columns = _header_columns(header, at, diags)
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


def _check_shape(text: str, shown: str) -> None:
    """Refuse a file with too many lines, or a line too long, before the CSV reader sees it."""
    rows = text.count("\n") + 1
    if rows > MAX_ROWS:
        raise InputError([Diagnostic("error", f"too many lines ({rows:,}; the limit is {MAX_ROWS:,}); split the "
                                     "list into several files", Location(shown, MAX_ROWS + 1))])
    start = 0
    for n in range(1, rows + 1):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        if end - start > MAX_LINE:
            raise InputError([Diagnostic("error", f"line too long ({end - start:,} characters; the limit is "
                                         f"{MAX_LINE:,})", Location(shown, n))])
        start = end + 1


def _header_columns(header: list[str], at: Location, diags: Diagnostics) -> dict[str, int]:
    columns: dict[str, int] = {}
    for i, raw in enumerate(header):
        name = _column(raw)
        if name in COLUMNS:
            if name in columns:
                diags.error(f"column {raw.strip()!r} appears twice", at)
            columns[name] = i
        elif name:
            diags.warning(f"column {raw.strip()!r} is ignored" + did_you_mean(name, COLUMNS), at)
    for name in REQUIRED:
        if name not in columns:
            unknown = [h.strip().lower() for h in header if _column(h) not in COLUMNS]
            hint = did_you_mean(name, unknown) if unknown else ""
            diags.error(f"missing column {name!r}" + hint, at)
    return columns


def _check(record: dict[str, str], loc: Location, seen: dict[str, int], diags: Diagnostics) -> Participant | None:
    """Validate one record; report its problems; the participant, or None."""
    name, email, lang, org = (record.get(c, "").strip() for c in COLUMNS)
    ok = True
    for column, value in (("name", name), ("organisation", org)):
        problem = header_problem(value)  # a name goes into the To: header
        if problem:
            diags.error(f"{column}: {problem}", loc)
            ok = False
    if not name:
        diags.error("name: empty", loc)
        ok = False
    if not email:
        diags.error("email: empty", loc)
        ok = False
    elif not EMAIL_RE.match(email):
        diags.error(f"email: {_short(email)!r} is not a valid e-mail address", loc)
        ok = False
    elif _too_long(email):
        diags.error(f"email: {_short(email)!r} is too long ({_too_long(email)})", loc)
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


def _too_long(email: str) -> str:
    local, _, domain = email.rpartition("@")
    if len(local) > MAX_LOCAL:
        return f"{len(local)} characters before the @; RFC 5321 allows {MAX_LOCAL}"
    if len(domain) > MAX_DOMAIN:
        return f"{len(domain)} characters after the @; RFC 5321 allows {MAX_DOMAIN}"
    if len(email) > MAX_ADDRESS:
        return f"{len(email)} characters; RFC 5321 allows {MAX_ADDRESS}"
    return ""


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
