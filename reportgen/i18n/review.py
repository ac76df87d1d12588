"""The bilingual review copy: reviewers correct translations in Word or LibreOffice, and their
edits come back into the catalog (``reportgen review export`` / ``reportgen review import``).

* :func:`export` plans the rows (every text of the sources, section by section, then the layout
  labels), with each text's status, ``check`` findings and translator comments, and writes
  ``<out>/<id>/review/<id>.<lang>.review.docx`` (:mod:`reportgen.render.review_docx` lays it out).
* :func:`import_copies` matches the rows of edited copies to the catalog and applies the edited
  translations: all or nothing, checked before anything is written.

What identifies a row: a bookmark named ``rg`` + 38 base32 characters, digests of the msgctxt (16),
of the English (11) and of the translation as exported (11); a second bookmark (``rx`` + 38) is the
digest of the other cells, so that edits there can be reported. The English digest finds conflicts
(the English changed since the export); the translation digest tells an edited cell from an
unedited one, and finds a translation changed in the catalog meanwhile. The custom document
properties say which language, catalog and rows the copy was made with.

All contact with the PO layer is in the adapter section below (:func:`_load_entries`, :func:`_apply`);
the rest works on the plain :class:`ReviewEntry` records.
"""

from __future__ import annotations

import base64
import datetime as _dt
import hashlib
import os
import re
from pathlib import Path
from typing import NamedTuple, Sequence

from . import checks
from .. import localize, model
from ..errors import Diagnostic, Diagnostics, InputError, Location, display_path, read_input
from ..files import check_output_folder, check_output_paths, write_atomic
from ..paths import available_languages, bundled_catalog_path, catalog_path
from ..project import Project, resolve_sources

FORMAT = "1"
PROP = "reportgen-review"
#: rows (digests of their msgctxt) per custom property: Word keeps 255 characters of a text property
_PER_PROPERTY = 15
_ROW_KEY = re.compile(r"^rg([a-z2-7]{16})([a-z2-7]{11})([a-z2-7]{11})$")
_OTHER_KEY = re.compile(r"^rx([a-z2-7]{38})$")
#: findings the status column already states
_STATUS_CODES = {"untranslated", "fuzzy"}


class ReviewEntry(NamedTuple):
    """One active, singular catalog entry, as the review sees it."""

    context: str | None
    msgid: str
    msgstr: str
    fuzzy: bool
    previous: str  # the English the fuzzy translation was made for ("" if unknown)
    comments: tuple[str, ...]  # translator comments
    line: int
    flags: frozenset[str]


class Change(NamedTuple):
    context: str | None
    msgid: str
    text: str
    review: str  # the review file's name, for the translator comment


# --------------------------------------------------------------------------- adapter: the PO layer


def _load_entries(path: Path, base: Path | None = None) -> list[ReviewEntry]:
    """The active singular entries of the catalog at ``path`` (strictly read: InputError)."""
    from . import po

    out = []
    for e in po.read(path, base).messages():
        if not e.msgid or e.pluralizable:
            continue
        out.append(ReviewEntry(e.context, e.msgid, e.msgstr[0], e.fuzzy, e.previous.get("msgid", ""),
                               tuple(e.comments), e.line, frozenset(e.flags)))
    return out


def _apply(path: Path, base: Path | None, changes: Sequence[Change]) -> bytes:
    """The catalog at ``path`` with each change's text as the translation, no longer fuzzy, and a
    translator comment ``reviewed in <file>`` (replacing an earlier one). Entries not changed are
    written back as they were read."""
    from . import po

    catalog = po.read(path, base)
    for c in changes:
        e = catalog.get(c.msgid, context=c.context)
        e.msgstr = (c.text,)
        e.set_fuzzy(False)
        e.previous = {}
        e.comments = [x for x in e.comments if not x.startswith("reviewed in ")] + [f"reviewed in {c.review}"]
    return po.dump(catalog)


# --------------------------------------------------------------------------- identities


def _digest(text: str, n: int) -> str:
    return base64.b32encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii").lower()[:n]


def row_key(context: str | None, english: str, translation: str) -> str:
    return "rg" + _digest(context or "", 16) + _digest(english, 11) + _digest(translation, 11)


def other_key(cells: Sequence[str]) -> str:
    """The digest of the cells a reviewer should not edit (all but the translation)."""
    return "rx" + _digest("\x1f".join(cells), 38)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --------------------------------------------------------------------------- export


def export(project: Project, sources: Sequence[str] | None, lang: str, out: Path | None = None) -> list[Path]:
    """Write a review copy of each source for ``lang``; return the paths written."""
    from ..build.pipeline import load_reports, load_translators
    from ..render import review_docx

    settings = project.settings
    path = _catalog_of(project, lang, None)
    shown = display_path(path, settings.root)
    entries = _load_entries(path, settings.root)
    bundled_path = bundled_catalog_path(lang)
    bundled = {(e.context, e.msgid): e for e in _load_entries(bundled_path)} if bundled_path.is_file() else {}
    reports = load_reports(settings, resolve_sources(settings, sources))
    translator = load_translators(settings, [lang])[lang]
    tag = localize.language_tag(lang, settings.language_tags)
    out_root = out or settings.output_path
    if out is None:
        check_output_folder(out_root, settings.root)
    made = []
    for source_path, report in reports:
        plan = _Plan(settings, lang, path, entries, bundled)
        groups = plan.groups(report, source_path, localize.localize(report, translator, tag).report.facts)
        copy = review_docx.Copy(
            title=f"Review copy: {report.title.msgid} ({localize.language_name(lang, 'en')}, {lang})",
            lang_tag=tag, source_tag=localize.language_tag(settings.source_language, settings.language_tags),
            intro=_intro(settings, path, shown, source_path, plan.created), groups=groups,
            properties=plan.properties(report.id), created=plan.created, generator=f"reportgen {_version()}")
        target = out_root / report.id / "review" / f"{report.id}.{lang}.review.docx"
        check_output_paths([target], out_root)
        made.append((target, review_docx.write(copy)))
    for target, data in made:
        write_atomic(target, data)
    return [t for t, _ in made]


def _version() -> str:
    from .. import __version__

    return __version__


def _catalog_of(project: Project, lang: str, shown_file: str | None) -> Path:
    settings = project.settings
    where = Location(shown_file) if shown_file else None
    if lang == settings.source_language:
        raise InputError([Diagnostic("error", f"{lang!r} is the source language: it has no catalog to review", where)])
    path = catalog_path(settings.locales_path, lang)
    have = available_languages(settings.locales_path)
    if lang not in have:  # (also what keeps a name such as '../x' out of the paths)
        shown = display_path(path, settings.root)
        raise InputError([Diagnostic("error", f"no catalog for {lang!r} ({shown}); the catalogs are: "
                                     f"{', '.join(have) or '(none)'}", where)])
    return path


def _created(paths: Sequence[Path]) -> _dt.datetime:
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    seconds = int(epoch) if epoch.isdigit() else int(max(p.stat().st_mtime for p in paths))
    return _dt.datetime.fromtimestamp(seconds, _dt.timezone.utc)


def _intro(settings, catalog: Path, shown: str, source: Path, created: _dt.datetime) -> tuple[str, ...]:
    pot = settings.locales_path / "reportgen.pot"
    english = [f"English from {display_path(source, settings.root)} (SHA-256 {_sha256(source)})"]
    if pot.is_file():
        english.append(f"and {display_path(pot, settings.root)} (SHA-256 {_sha256(pot)})")
    return (
        f"Made on {created:%Y-%m-%d %H:%M} UTC from the catalog {shown} (SHA-256 {_sha256(catalog)}); "
        + " ".join(english) + ".",
        "Correct the translations in the shaded Translation column only. Leave the other columns, and the "
        "rows, as they are: a new translation is taken only from that column. Track changes and comments "
        "may be used; tracked changes count as accepted.",
        "Then send the file back; it is imported with 'reportgen review import FILE.docx'.",
    )


class _Plan:
    """The rows of one source's review copy."""

    def __init__(self, settings, lang: str, catalog: Path, entries: list[ReviewEntry], bundled: dict):
        self.settings, self.lang, self.shown = settings, lang, display_path(catalog, settings.root)
        self.by_key = {(e.context, e.msgid): e for e in entries}
        self.bundled = bundled
        self.number = 0
        self.digests: list[str] = []
        self.missing: list[model.Text] = []
        self.problems: list[Diagnostic] = []
        self.info = checks.CatalogInfo(self.shown, lang, 0, ignore=frozenset(settings.ignore_checks))
        self.created = _created([catalog])
        self.catalog_sha256 = _sha256(catalog)

    def groups(self, report: model.Report, source: Path, facts: Sequence[tuple[str, str]]):
        from ..render import review_docx

        self.created = max(self.created, _created([source]))
        front = [t for t in (report.series, report.title, report.organiser) if t is not None]
        if report.event is not None and report.event.location is not None:
            front.append(report.event.location)
        front += list(report.keywords)
        printed = "; ".join(f"{label}: {value}" for label, value in facts)
        out = [review_docx.Group("Title, event and keywords",
                                 (f"Dates and facts as printed in this language: {printed}",) if printed else (),
                                 self._rows(front))]
        for s in report.sections:
            texts = ([s.heading] if s.heading else []) + [
                x for b in s.blocks for x in ([b.text] if isinstance(b, model.Paragraph) else b.items)]
            title = f"Section {s.id}" + (f": {s.heading.msgid}" if s.heading else "")
            out.append(review_docx.Group(title, (), self._rows(texts)))
        layout = [model.Text(english, f"layout:{key}", Location("")) for key, english, _ in localize.layout_entries()
                  if key not in localize.PATTERNS]
        out.append(review_docx.Group("Layout labels", ("Labels that reportgen prints around the text "
                                                       "(dates, page numbers, e-mail).",), self._rows(layout)))
        if self.missing:
            first = self.missing[0]
            n = len(self.missing)
            self.problems.append(Diagnostic("error", f"{n} text{'s' if n != 1 else ''} of {report.path} "
                                            f"{'are' if n != 1 else 'is'} not in this catalog (first: "
                                            f"{first.context!r}); run 'reportgen update' first", Location(self.shown)))
        if self.problems:
            raise InputError(self.problems)
        return tuple(out)

    def _rows(self, texts: Sequence[model.Text]):
        from ..render import review_docx

        rows = []
        for t in texts:
            e = self.by_key.get((t.context, t.msgid))
            if e is None:
                self.missing.append(t)
                continue
            for what, text in (("translation", e.msgstr), ("previous English", e.previous)) + tuple(
                    ("translator comment", c) for c in e.comments):
                problem = model.forbidden_chars_problem(text)
                if problem:  # XML cannot carry it: the copy cannot be written
                    self.problems.append(Diagnostic("error", f"{what} of {e.context!r}: {problem}",
                                                    Location(self.shown, e.line)))
            self.number += 1
            self.digests.append(_digest(e.context or "", 16))
            status, notes = self._status(e)
            cells = (f"{self.number}\n{e.context or ''}", e.msgid, "\n".join((status,) + notes))
            rows.append(review_docx.Row(self.number, e.context or "", e.msgid, e.msgstr, status, notes,
                                        (row_key(e.context, e.msgid, e.msgstr), other_key(cells))))
        return tuple(rows)

    def _status(self, e: ReviewEntry) -> tuple[str, tuple[str, ...]]:
        notes = []
        if not e.msgstr:
            status = "untranslated"
            ready = self.bundled.get((e.context, e.msgid))
            if ready is not None and ready.msgstr and not ready.fuzzy:
                notes.append(f"reportgen's own translation is printed meanwhile: {ready.msgstr}")
        elif e.fuzzy:
            status = "fuzzy: to review"
            if e.previous:
                notes.append(f"Translated from the earlier English: {e.previous}")
        else:
            status = "translated"
        prefix = f"{e.context!r}: " if e.context else ""
        for d in checks.check(self.info, [_check_entry(e, e.msgstr)]):
            if d.code not in _STATUS_CODES:
                notes.append(f"{d.severity} [{d.code}]: {d.message.removeprefix(prefix)}")
        notes += [f"Translator comment: {c}" for c in e.comments]
        return status, tuple(notes)

    def properties(self, source_id: str) -> tuple[tuple[str, str], ...]:
        props = [(PROP, FORMAT), (f"{PROP}-lang", self.lang), (f"{PROP}-catalog", self.shown),
                 (f"{PROP}-catalog-sha256", self.catalog_sha256), (f"{PROP}-source", source_id),
                 (f"{PROP}-made", f"{self.created:%Y-%m-%dT%H:%M:%SZ}")]
        for i in range(0, len(self.digests), _PER_PROPERTY):
            props.append((f"{PROP}-rows-{i // _PER_PROPERTY + 1:04d}", " ".join(self.digests[i:i + _PER_PROPERTY])))
        return tuple(props)


def _check_entry(e: ReviewEntry, text: str) -> checks.Entry:
    return checks.Entry(msgid=e.msgid, msgstr=(text,), context=e.context, line=e.line,
                        flags=e.flags - {"fuzzy"}, comments=e.comments)


# --------------------------------------------------------------------------- import


class Imported(NamedTuple):
    #: (catalog, number of translations changed) of each catalog written
    written: list[tuple[Path, int]]
    #: warnings (and, with ``partial``, the conflicts left out)
    warnings: list[Diagnostic]


class _Copy(NamedTuple):
    """One review file, read and matched: the changes it asks for, per language."""

    lang: str
    catalog: Path
    changes: list[Change]


def import_copies(project: Project, files: Sequence[Path], *, partial: bool = False,
                  lang: str | None = None) -> Imported:
    """Apply the edited translations of ``files`` to their catalogs: every file is read, matched and
    checked before any catalog is written. A conflict (the English changed since the export, or
    the translation changed in the catalog and in the copy) stops the import, unless ``partial``:
    then the other edits are applied and the conflicts are warnings. Errors (a broken
    placeholder, a control character, a file that is not a review copy) always stop it."""
    settings = project.settings
    diags = Diagnostics()
    conflicts: list[Diagnostic] = []
    cache: dict[str, list[ReviewEntry]] = {}
    copies = []
    for path in files:
        try:
            copies.append(_read_copy(project, Path(path), lang, cache, diags, conflicts))
        except InputError as exc:
            diags.extend(exc.diagnostics)
    by_catalog: dict[Path, dict[tuple, Change]] = {}
    for c in copies:
        mine = by_catalog.setdefault(c.catalog, {})
        for change in c.changes:
            key = (change.context, change.msgid)
            if key in mine and mine[key].text != change.text:
                conflicts.append(Diagnostic("error", f"{change.context!r} is edited differently in {mine[key].review} "
                                            f"and {change.review}; applied from neither",
                                            Location(change.review)))
                mine[key] = mine[key]._replace(text=None)  # type: ignore[arg-type]
            else:
                mine[key] = change
    if partial:
        diags.extend(Diagnostic("warning", d.message + " (left out: --partial)", d.location) for d in conflicts)
    else:
        diags.extend(conflicts)
    diags.raise_if_errors()
    written = []
    for catalog, changes in by_catalog.items():
        todo = [c for c in changes.values() if c.text is not None]
        if todo:
            write_atomic(catalog, _apply(catalog, settings.root, todo))
            written.append((catalog, len(todo)))
    return Imported(written, diags.warnings)


def _read_copy(project: Project, path: Path, lang: str | None, cache: dict, diags: Diagnostics,
               conflicts: list[Diagnostic]) -> _Copy:
    from ..render import review_docx

    settings = project.settings
    shown = display_path(path, settings.root)
    try:
        copy = review_docx.read(read_input(path, shown, "review copy"))
    except review_docx.NotAReviewCopy as exc:
        raise InputError([Diagnostic("error", str(exc), Location(shown))]) from None
    props = copy.properties
    if props.get(PROP) != FORMAT or not props.get(f"{PROP}-lang"):
        raise InputError([Diagnostic("error", "not a reportgen review copy (it lacks the document property "
                                     f"{PROP!r}); make one with 'reportgen review export'", Location(shown))])
    copy_lang = props[f"{PROP}-lang"]
    if lang and copy_lang != lang:
        raise InputError([Diagnostic("error", f"a review copy for {copy_lang!r}, not {lang!r}", Location(shown))])
    catalog = _catalog_of(project, copy_lang, shown)
    if copy_lang not in cache:
        cache[copy_lang] = _load_entries(catalog, settings.root)
    match = _Matcher(shown, path.name, cache[copy_lang], props, checks.CatalogInfo(
        display_path(catalog, settings.root), copy_lang, 0, ignore=frozenset(settings.ignore_checks)))
    for row in copy.rows:
        match.row(row)
    match.finish()
    diags.extend(match.diags)
    conflicts.extend(match.conflicts)
    return _Copy(copy_lang, catalog, match.changes)


class _Matcher:
    """Matches the rows of one review copy to the catalog's entries."""

    def __init__(self, shown: str, name: str, entries: list[ReviewEntry], props: dict[str, str],
                 info: checks.CatalogInfo):
        self.shown, self.name, self.info = shown, name, info
        self.by_digest = {}
        for e in entries:
            self.by_digest.setdefault(_digest(e.context or "", 16), e)
        exported = [d for k, v in sorted(props.items()) if k.startswith(f"{PROP}-rows-") for d in v.split()]
        self.number = {d: n for n, d in enumerate(exported, 1)}
        self.seen: set[str] = set()
        self.last = 0
        self.diags = Diagnostics()
        self.conflicts: list[Diagnostic] = []
        self.changes: list[Change] = []

    def where(self, number: int | None, context: str | None = None) -> Location:
        row = f"row {number}" if number else f"a row after row {self.last}" if self.last else "a row before row 1"
        return Location(f"{self.shown}: {row}" + (f" ({context})" if context else ""))

    def conflict(self, message: str, where: Location) -> None:
        self.conflicts.append(Diagnostic("error", f"conflict: {message}", where))

    def row(self, row) -> None:  # type: ignore[no-untyped-def]
        keys = [m for m in map(_ROW_KEY.match, row.keys) if m]
        if not keys:
            self.diags.warning("a row the review copy did not have (added by the reviewer?) is ignored", self.where(None))
            return
        ctx_d, english_d, translation_d = keys[0].groups()
        number = self.number.get(ctx_d)
        entry = self.by_digest.get(ctx_d)
        context = entry.context if entry is not None else None
        where = self.where(number, context)
        if ctx_d in self.seen:
            self.diags.warning("the same row again (copied by the reviewer?) is ignored", where)
            return
        self.seen.add(ctx_d)
        self.last = number or self.last
        if len(row.cells) != 4:
            self.diags.warning(f"the row has {len(row.cells)} cells instead of 4 (cells merged or split?); ignored", where)
            return
        if entry is None:
            self.conflict("the text is no longer in the catalog", where)
            return
        others = [k for k in row.keys if _OTHER_KEY.match(k)]
        if others and other_key((row.cells[0], row.cells[1], row.cells[3])) != others[0]:
            self.diags.warning("edits outside the Translation column are ignored", where)
        self._edit(entry, row.cells[2], english_d, translation_d, where)

    def _edit(self, entry: ReviewEntry, text: str, english_d: str, translation_d: str, where: Location) -> None:
        if not entry.msgid.endswith("\n"):
            text = text.rstrip("\n")  # an empty paragraph typed at the end of the cell
        if _digest(text, 11) == translation_d or text == entry.msgstr:
            return  # not edited, or already imported
        if _digest(entry.msgid, 11) != english_d:
            self.conflict(f"the English changed since the export (now {_short(entry.msgid)}); "
                          "export a new review copy for this text", where)
            return
        if _digest(entry.msgstr, 11) != translation_d:
            self.conflict(f"the translation changed in the catalog since the export (now {_short(entry.msgstr)})", where)
            return
        if not text.strip():
            self.diags.warning("the translation was deleted; left as it is (remove it in the catalog if meant)", where)
            return
        problem = model.forbidden_chars_problem(text)
        if problem:
            self.diags.error(problem, where)
            return
        found = [d for d in checks.check(self.info, [_check_entry(entry, text)]) if d.code not in _STATUS_CODES]
        prefix = f"{entry.context!r}: " if entry.context else ""
        for d in found:
            self.diags.items.append(Diagnostic(d.severity, f"[{d.code}] {d.message.removeprefix(prefix)}", where))
        if not any(d.severity == "error" for d in found):
            self.changes.append(Change(entry.context, entry.msgid, text, self.name))

    def finish(self) -> None:
        missing = [d for d in self.number if d not in self.seen]
        for d in missing:
            e = self.by_digest.get(d)
            self.diags.warning("missing from the review copy (deleted by the reviewer?); its translation is left "
                               "as it is", self.where(self.number[d], e.context if e else None))


def _short(text: str) -> str:
    return repr(text if len(text) <= 60 else text[:59] + "…")
