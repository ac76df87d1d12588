"""The build: plan -> validate -> render -> commit, one method of :class:`_Build` per phase.

1. **Plan** (:mod:`.plan`): list the jobs, one per (source, language, format), and fingerprint what
   each depends on. A job whose output exists with the same fingerprint is up to date; when every
   job is, nothing else happens: no YAML is parsed and no rendering library is imported.
2. **Validate**: read the sources and catalogs the remaining jobs need, source by source, localize
   and check them; each document goes to the runner as soon as its inputs are checked. Any problem
   stops the build before an output changes (every source and catalog is still read, to report all
   the problems at once).
3. **Render** (:mod:`.runner`): the documents are rendered in this process or in an executor, each
   into a temporary file beside its output.
4. **Commit**: once every input has proved good and every document is rendered, each temporary
   file is renamed over its output and the state file is written. A wrong input, an error or
   Ctrl-C before that point removes the temporary files and the folders the build made.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Sequence

from .. import files
from ..config import Settings
from ..errors import Diagnostic, Diagnostics, InputError, Location, display_path
from ..paths import DOMAIN
from ..project import Project, check_language_tags, resolve_formats, resolve_languages, resolve_sources
from .plan import BuildResult, Fingerprints, Job, JobResult, Recording, State, created, output_path, plan_jobs

if TYPE_CHECKING:  # pragma: no cover
    import concurrent.futures as cf

    from .. import localize, model
    from ..i18n.translator import Translator
    from ..render import RenderOptions
    from .runner import Outcome, Runner

__all__ = ["BuildResult", "JobResult", "build_project", "default_jobs", "extract_template", "load_reports",
           "load_translators", "translated_shares"]

OnResult = Callable[[JobResult, int, int], None]


def default_jobs() -> int:
    """The number of CPUs this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def build_project(
    project: Project,
    source_args: Sequence[str] | None = None,
    langs: Sequence[str] | None = None,
    formats: Sequence[str] | None = None,
    out_dir: Path | None = None,
    draft: bool = False,
    strict: bool = False,
    force: bool = False,
    jobs: int = 1,
    docx_template: Path | None = None,
    min_complete: float | None = None,
    executor: "cf.Executor | None" = None,
    on_result: OnResult | None = None,
) -> BuildResult:
    """Build every requested document that is not up to date.

    Raises :class:`InputError` before any output changes if an input is wrong. ``executor`` may be
    any ``concurrent.futures.Executor`` (the caller shuts it down); without one, ``jobs`` > 1 renders
    in a process pool of at most that many workers. ``on_result(result, done, total)`` is called as
    each document is finished or found up to date."""
    started = time.perf_counter()
    build = _Build(project.settings, out_dir, draft, strict, on_result)
    todo = build.plan(source_args, langs, formats, force, docx_template, min_complete)
    if todo:
        build.run(todo, jobs, executor)
    elif strict:  # nothing to render: the gate still judges the catalogs (the warnings of their last build)
        build.check_strict([])
    build.result.seconds = time.perf_counter() - started
    return build.result


class _Build:
    """One build: what its phases share, and the phases."""

    def __init__(self, settings: Settings, out_dir: Path | None, draft: bool, strict: bool,
                 on_result: OnResult | None):
        self.settings, self.out_dir, self.draft, self.strict, self.on_result = settings, out_dir, draft, strict, on_result
        self.out_root = out_dir if out_dir is not None else settings.output_path
        self.state = State(self.out_root)
        self.result = BuildResult()
        self.planned: list[Job] = []
        self.docx_template: Path | None = None
        # filled while validating
        self.translators: dict[str, Translator | None] = {}
        self.catalog_errors: dict[str, list[Diagnostic]] = {}
        self.source_errors = Diagnostics()
        self.problems = Diagnostics()
        self.ids: dict[str, Path] = {}
        self.warnings: dict[tuple[Path, str], list[Diagnostic]] = {}
        self.looked_up: set[str] = set()  # the contexts the document being localized looks up
        self.contexts: dict[Path, set[str]] = {}  # those of each source's documents
        self.pending: list[tuple[Job, Path]] = []  # (job, its temporary file), in the runner's order
        self.made: list[Path] = []  # folders this build created, removed again if it stops

    # ----------------------------------------------------------------------- 1. plan

    def plan(self, source_args: Sequence[str] | None, langs: Sequence[str] | None, formats: Sequence[str] | None,
             force: bool, docx_template: Path | None, min_complete: float | None) -> list[Job]:
        """Every job; those up to date are reported at once; the others are returned."""
        settings = self.settings
        languages = resolve_languages(settings, langs)
        fmts = resolve_formats(settings, formats)
        paths = resolve_sources(settings, source_args)
        self.docx_template = check_docx_template(docx_template, fmts)
        if min_complete is not None:  # needs every source and catalog, up to date or not
            below = _below_threshold(load_translators(settings, languages, self.draft),
                                     [r for _, r in load_reports(settings, paths)], min_complete)
            self.result.skipped = list(below.values())
            languages = [lang for lang in languages if lang not in below]
        self.fingerprints = Fingerprints(settings, languages, self.draft, self.docx_template)
        self.planned = plan_jobs(self.fingerprints, paths, languages, fmts, self.out_root)
        todo = []
        for job in self.planned:
            entry = None if force else self.state.current(job, self.fingerprints)
            if entry is None:
                todo.append(job)
                continue
            done, warnings = self.state.up_to_date(job, entry)
            self.result.warnings += warnings
            self._report(done)
        self.result.warnings = _unique(self.result.warnings)
        if not todo and self.state.renewed:
            self.state.save()
        return todo

    def _report(self, result: JobResult) -> None:
        self.result.results.append(result)
        if self.on_result:
            self.on_result(result, len(self.result.results), len(self.planned))

    # ----------------------------------------------------------------------- 2.-4. validate, render, commit

    def run(self, todo: list[Job], jobs: int, executor: "cf.Executor | None") -> None:
        from ..render import RenderOptions
        from .runner import running

        self.options = RenderOptions(theme=self.settings.theme, docx_template=self.docx_template)
        documents: dict[str, int] = {}
        for job in todo:
            documents[job.fmt] = documents.get(job.fmt, 0) + 1
        try:
            with running(jobs, documents, self.options, executor) as runner:
                self.validate(todo, runner)
                outcomes = self.collect(runner)
        except BaseException:
            self.abandon()
            raise
        self.commit(outcomes)

    # ----------------------------------------------------------------------- 2. validate

    def validate(self, todo: list[Job], runner: Runner) -> None:
        """Read, check and localize the sources one by one, handing each document to ``runner`` as
        soon as its inputs are checked; raise once every input is read if any was wrong."""
        languages = list(dict.fromkeys(j.lang for j in todo))
        check_language_tags(self.settings, languages)
        if self.out_dir is None:
            files.check_output_folder(self.out_root, self.settings.root)
        by_source: dict[Path, list[Job]] = {}
        for job in todo:
            by_source.setdefault(job.source_path, []).append(job)
        for path, jobs in by_source.items():
            self._validate_source(path, jobs, runner)
        self._raise_problems(languages)

    def _validate_source(self, path: Path, jobs: list[Job], runner: Runner) -> None:
        report = _read_source(path, self.settings, self.ids, self.source_errors)
        if report is None or self.source_errors.items or self.catalog_errors or self.problems.errors:
            return  # nothing more is rendered; every source is still read, to report all it finds
        # the parsed id is the truth (the plan's peek reads only a plain top-level `id:` line)
        jobs = [j if j.source_id == report.id else
                j._replace(source_id=report.id, out=output_path(self.out_root, report.id, j.lang, j.fmt, self.draft))
                for j in jobs]
        checked = False
        for lang in dict.fromkeys(j.lang for j in jobs):  # each language's documents leave at once
            doc = self._localize(report, path, lang)
            if doc is None:
                return
            if not checked:
                files.check_output_paths([j.out for j in jobs], self.out_root)
                files.remove_stale_temps([j.out for j in jobs])
                checked = True
            for job in jobs:
                if job.lang == lang:
                    self._submit(job, doc, runner)

    def _localize(self, report: model.Report, path: Path, lang: str) -> model.LocalizedReport | None:
        """The document in ``lang``, or None when its catalog or its text has an error."""
        from .. import localize

        tr = self._translator(lang)
        if tr is None:
            return None
        s = self.settings
        self.looked_up.clear()
        loc = localize.localize(report, tr, localize.language_tag(lang, s.language_tags), draft=self.draft,
                                created=created(path),
                                source_tag=localize.language_tag(s.source_language, s.language_tags))
        self.contexts.setdefault(path, set()).update(self.looked_up)
        self.warnings[(path, lang)] = list(report.warnings) + _summarize_fallbacks(lang, report.id, loc.fallbacks)
        self.problems.extend(tr.diagnostics)
        tr.diagnostics.items.clear()
        if any(j.fmt == "pdf" for j in self.planned):  # one character policy for both formats
            self.problems.extend(preflight_fonts([loc.report], self.options))
        return None if self.problems.errors else loc.report

    def _translator(self, lang: str) -> Translator | None:
        """Each catalog is read when a document first needs it, so that the first documents reach
        the runner early; :meth:`_raise_problems` reads the others, to report all their problems."""
        if lang not in self.translators:
            try:
                tr = load_translators(self.settings, [lang], self.draft)[lang]
                tr.catalogs = tuple((shown, Recording(cat, self.looked_up)) for shown, cat in tr.catalogs)
                self.translators[lang] = tr
            except InputError as exc:
                self.translators[lang] = None
                self.catalog_errors[lang] = list(exc.diagnostics)
        return self.translators[lang]

    def _submit(self, job: Job, doc: model.LocalizedReport, runner: Runner) -> None:
        from .runner import Work

        _make_folder(job.out.parent, self.made)
        tmp = files.temp_for(job.out)
        self.pending.append((job, tmp))
        runner.submit(Work(job.fmt, doc, self.options, tmp))

    def _raise_problems(self, languages: list[str]) -> None:
        self.source_errors.raise_if_errors()
        for lang in languages:
            self._translator(lang)
        if self.catalog_errors:
            raise InputError([d for lang in languages for d in self.catalog_errors.get(lang, ())])
        self.problems.items = list(dict.fromkeys(self.problems.items))
        self.problems.raise_if_errors()
        new = [w for ws in self.warnings.values() for w in ws]
        self.check_strict(new)
        self.result.warnings = _unique(self.result.warnings + new)

    def check_strict(self, new: list[Diagnostic]) -> None:
        """--strict: every warning of the documents asked for is an error, whether they are rendered
        now (``new``) or up to date (the warnings their last build recorded, from the same inputs)."""
        if self.strict:
            Diagnostics([w for w in self.result.warnings + new if w.code != "fallback-detail"]).raise_if_errors(strict=True)

    # ----------------------------------------------------------------------- 3. render

    def collect(self, runner: Runner) -> dict[int, Outcome | BaseException]:
        """Wait for every document, reporting each as it is done."""
        outcomes = {}
        for i, outcome in runner.outcomes():
            outcomes[i] = outcome
            if not isinstance(outcome, BaseException):
                job = self.pending[i][0]
                self._report(JobResult(job, job.out, *outcome))
        return outcomes

    def abandon(self) -> None:
        """The build stops (the runner has cancelled or finished its work): delete the temporary
        files and the folders made for them; no output changes."""
        for _, tmp in self.pending:
            files.unlink(tmp)
        for folder in reversed(self.made):
            try:
                folder.rmdir()
            except OSError:  # not empty: someone else's files
                pass

    # ----------------------------------------------------------------------- 4. commit

    def commit(self, outcomes: dict[int, Outcome | BaseException]) -> None:
        """Put each rendered document in place and record it; then raise the first render failure."""
        failures: list[BaseException] = []
        try:
            self._record_sources()
            for i, (job, tmp) in enumerate(self.pending):
                outcome = outcomes[i]
                if isinstance(outcome, BaseException):
                    failures.append(outcome)
                    files.unlink(tmp)
                    continue
                os.replace(tmp, job.out)
                path = job.source_path
                fingerprint = self.fingerprints.of(path, job.lang, job.fmt,
                                                   self.state.contexts(path, self.fingerprints.sources[path]))
                self.state.record(JobResult(job, job.out, *outcome), fingerprint)
        finally:
            self.state.save()
        if failures:
            raise failures[0]
        order = {(job.source_path, job.lang, job.fmt): i for i, job in enumerate(self.planned)}
        self.result.results.sort(key=lambda r: order[(r.job.source_path, r.job.lang, r.job.fmt)])


    def _record_sources(self) -> None:
        by_source: dict[Path, dict[str, list[Diagnostic]]] = {}
        for (path, lang), warnings in self.warnings.items():
            by_source.setdefault(path, {})[lang] = warnings
        for path, warnings in by_source.items():
            self.state.record_source(path, self.fingerprints.sources[path], self.contexts.get(path, ()), warnings)


def _make_folder(folder: Path, made: list[Path]) -> None:
    missing = []
    while not folder.is_dir():
        missing.append(folder)
        folder = folder.parent
    for f in reversed(missing):
        f.mkdir(exist_ok=True)
        made.append(f)


def _unique(items: list[Diagnostic]) -> list[Diagnostic]:
    return list(dict.fromkeys(items))


# --------------------------------------------------------------------------- loading and checking


def load_reports(settings: Settings, paths: Sequence[Path]) -> list[tuple[Path, model.Report]]:
    """Load every source; report the problems of all of them at once."""
    diags = Diagnostics()
    out = []
    ids: dict[str, Path] = {}
    for p in paths:
        report = _read_source(p, settings, ids, diags)
        if report is not None:
            out.append((p, report))
    diags.raise_if_errors()
    return out


def _read_source(path: Path, settings: Settings, ids: dict[str, Path], diags: Diagnostics) -> model.Report | None:
    """One source, or None with its problems (and an id another source has) added to ``diags``."""
    from .. import sources

    try:
        report = sources.load_source(path, settings.root)
    except InputError as exc:
        diags.extend(exc.diagnostics)
        return None
    if report.id != path.stem:  # the id names the outputs; the file name is what people look for
        diags.error(f"id: {report.id!r} differs from the file name {path.name!r}; rename the file to "
                    f"{report.id}.yaml or set id: {path.stem}", report.id_location or Location(report.path, 1))
        return None
    if report.id in ids:
        diags.error(f"id: {report.id!r} is also the id of {display_path(ids[report.id], settings.root)}",
                    report.id_location or Location(report.path, 1))
        return None
    ids[report.id] = path
    return report


def load_translators(settings: Settings, langs: Sequence[str], draft: bool = False) -> dict[str, Translator]:
    from ..i18n.translator import load_translator

    diags = Diagnostics()
    out = {}
    for lang in langs:
        try:
            out[lang] = load_translator(lang, settings.locales_path, settings.source_language,
                                       use_fuzzy=draft, base=settings.root)
        except InputError as exc:
            diags.extend(exc.diagnostics)
    diags.raise_if_errors()
    return out


def _summarize_fallbacks(lang: str, report_id: str, fallbacks: list[localize.Fallback]) -> list[Diagnostic]:
    if not fallbacks:
        return []
    untranslated = sum(f.state == "untranslated" for f in fallbacks)
    fuzzy = sum(f.state == "fuzzy" for f in fallbacks)
    draft = sum(f.state == "draft" for f in fallbacks)
    out = []
    parts = []
    if untranslated:
        parts.append(f"{untranslated} string{'s' if untranslated > 1 else ''} untranslated")
    if fuzzy:
        parts.append(f"{fuzzy} fuzzy" + ("" if untranslated else f" string{'s' if fuzzy > 1 else ''}"))
    if parts:
        out.append(Diagnostic("warning", f"{lang}: {report_id}: {', '.join(parts)} — English used", code="fallback"))
    if draft:
        out.append(Diagnostic("warning", f"{lang}: {report_id}: {draft} fuzzy translation"
                              f"{'s' if draft > 1 else ''} shown marked as draft", code="draft"))
    for f in fallbacks:
        out.append(Diagnostic("warning", f"{lang}: {f.state}: {f.context}", f.location, code="fallback-detail"))
    return out


def translated_shares(translators: dict[str, Translator], reports: Sequence[model.Report]) -> dict[str, tuple[float, int, int]]:
    """Each language's (percent, translated, total) of the texts of ``reports`` and the layout labels,
    fuzzy excluded: the same count as `reportgen status`."""
    from .. import localize, model
    from ..i18n.translator import completeness

    layout = [model.Text(english, f"layout:{key}", Location("")) for key, english, _ in localize.layout_entries()]
    texts = [t for r in reports for t in r.texts()] + layout
    out = {}
    for lang, tr in translators.items():
        done, total = completeness(tr, texts)
        out[lang] = (100.0 * done / total if total else 100.0, done, total)
    return out


def _below_threshold(translators: dict[str, Translator], reports: list[model.Report],
                     min_complete: float) -> dict[str, Diagnostic]:
    """An error for each language whose share of translated texts (fuzzy excluded) is below ``min_complete``."""
    out = {}
    for lang, (pct, done, total) in translated_shares(translators, reports).items():
        if pct < min_complete:
            out[lang] = Diagnostic("error", f"{lang}: {pct:.0f}% translated ({done} of {total} texts), below "
                                   f"--min-complete {min_complete:g}%: not rendered", code="min-complete")
    return out


def preflight_fonts(docs: Sequence[model.LocalizedReport], options: RenderOptions) -> list[Diagnostic]:
    """Every character the PDF font cannot draw, checked once per document before any format is
    rendered (a PDF would show a box; ReportLab has no per-glyph fallback). Reads the fonts' character
    maps itself: ReportLab is not imported here."""
    from ..render.fonts import check_glyphs

    out: list[Diagnostic] = []
    for doc in docs:
        out += check_glyphs(doc, options.theme)
    return list(dict.fromkeys(out))


def check_docx_template(path: Path | None, formats: Sequence[str]) -> Path | None:
    """The DOCX template to use, checked before any file is written (None when no DOCX is built)."""
    if path is None or "docx" not in formats:
        return None
    from ..render import docx as docx_renderer

    try:
        docx_renderer.check_template(path)
    except docx_renderer.TemplateError as exc:
        raise InputError([Diagnostic("error", str(exc), Location(display_path(path)))]) from None
    return path.resolve()


def extract_template(project: Project, output: Path | None = None) -> tuple[Path, int, bool]:
    """Write the POT of every source; return (path, number of strings, whether the file changed)."""
    from ..i18n import extract, po
    from .. import localize

    settings = project.settings
    loaded = load_reports(settings, resolve_sources(settings, None))
    path = output or settings.locales_path / f"{DOMAIN}.pot"
    inputs = [p for p, _ in loaded] + ([settings.root / settings.config_path] if settings.config_path else [])
    if path.exists() and (path.suffix == ".po" or any(path.resolve() == p.resolve() for p in inputs)):
        raise InputError([Diagnostic("error", "extract -o: is an input of the project (a source, a catalog or "
                                     "the config), not a template; write the template to a .pot file",
                                     Location(display_path(path)))])
    reports = [r for _, r in loaded]
    template = extract.extract(reports, localize.layout_entries())
    data = po.dump(template)
    changed = not path.exists() or path.read_bytes() != data
    if changed:
        files.write_atomic(path, data)
    return path, len(template), changed
