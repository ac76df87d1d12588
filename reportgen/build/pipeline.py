"""Orchestration: plan (source x language x format) jobs, run them, write outputs atomically.

1. **Plan**: list the jobs and fingerprint what each depends on (source, catalogs, settings, fonts,
   reportgen itself). A job whose output exists with the same fingerprint is up to date; when every
   job is, nothing else happens: no YAML is parsed and no rendering library is imported.
2. **Validate**: load the sources and catalogs the remaining jobs need and localize them. Any problem
   stops the build here, before a file is written.
3. **Render**: the jobs are independent; they run in a ``concurrent.futures.Executor`` (a process pool
   by default) and each output is written to a temporary file and renamed into place.

The heavy modules (PyYAML, Babel, the renderers) are imported only in the phases that need them.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Callable, NamedTuple, Sequence

from .. import __version__, files as outputs
from ..files import _temp_for, _unlink, _write_new, write_atomic
from ..project import FORMATS, Project, catalog_file, check_language_tags, resolve_formats, resolve_languages, resolve_sources
from ..paths import DOMAIN, ID_RE, bundled_catalog_path
from ..config import Settings
from ..errors import Diagnostic, Diagnostics, InputError, Location, display_path
from ..theme import Theme

if TYPE_CHECKING:  # pragma: no cover
    import datetime as _dt

    from .. import model
    import concurrent.futures as cf

    from .. import localize
    from ..render import RenderOptions
    from ..i18n.translator import Translator

STATE_FILE = ".reportgen-state.json"
PACKAGE_DIR = Path(__file__).resolve().parent.parent


class Job(NamedTuple):
    source_path: Path
    source_id: str
    lang: str
    fmt: str
    out: Path
    fingerprint: str


class JobResult(NamedTuple):
    job: Job
    path: Path
    size: int
    pages: int | None
    seconds: float
    skipped: bool = False  # up to date: not rebuilt


class BuildResult:
    def __init__(self, results: Sequence[JobResult] = (), warnings: Sequence[Diagnostic] = (),
                 seconds: float = 0.0, skipped: Sequence[Diagnostic] = ()):
        self.results = list(results)
        self.warnings = list(warnings)
        self.seconds = seconds
        #: languages not rendered because of --min-complete (each an error diagnostic)
        self.skipped = list(skipped)

    def __repr__(self) -> str:
        return f"BuildResult(results={self.results!r}, warnings={self.warnings!r}, seconds={self.seconds!r})"

    @property
    def built(self) -> list[JobResult]:
        return [r for r in self.results if not r.skipped]

    @property
    def up_to_date(self) -> list[JobResult]:
        return [r for r in self.results if r.skipped]


# --------------------------------------------------------------------------- resolving arguments


# --------------------------------------------------------------------------- fingerprints


def _digest(*parts: bytes | str) -> str:
    h = hashlib.sha256()
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


def _file_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b"<absent>"


def _code_signature() -> str:
    """reportgen's version and the size and mtime of its code and fonts: a change to any of them
    (an upgrade, an edit of a renderer) invalidates every output."""
    found: list[str] = []

    def walk(folder: str, prefix: str) -> None:  # os.scandir: a third of the time of Path.rglob
        with os.scandir(folder) as entries:
            for e in entries:
                if e.is_dir(follow_symlinks=False):
                    if e.name != "__pycache__":
                        walk(e.path, f"{prefix}{e.name}/")
                elif e.name.endswith((".py", ".ttf", ".po")):
                    st = e.stat()
                    found.append(f"{prefix}{e.name}:{st.st_size}:{st.st_mtime_ns}")

    walk(str(PACKAGE_DIR), "")
    return _digest(__version__, *sorted(found))


def _settings_signature(settings: Settings, draft: bool) -> str:
    theme: Theme = settings.theme
    logo = _file_bytes(theme.logo) if theme.logo else b""
    fallback = _file_bytes(theme.fallback_font) if theme.fallback_font else b""
    return _digest(repr(settings), logo, fallback, f"draft={draft}", os.environ.get("SOURCE_DATE_EPOCH", ""))


def _created(paths: Sequence[Path]) -> _dt.datetime:
    """The date a document counts as made: SOURCE_DATE_EPOCH, else its newest input's mtime.

    Either way the same inputs give the same bytes."""
    import datetime as _dt

    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        stamp = int(epoch)
    else:
        stamp = int(max((p.stat().st_mtime for p in paths if p.exists()), default=946684800))
    return _dt.datetime.fromtimestamp(stamp, _dt.timezone.utc)


class _State:
    """What was built last time: output (relative to the output folder) -> fingerprint and facts."""

    def __init__(self, out_root: Path):
        self.path = out_root / STATE_FILE
        self.out_root = out_root
        try:
            self.entries: dict[str, dict] = json.loads(self.path.read_text("utf-8")).get("outputs", {})
        except (OSError, ValueError, AttributeError):
            self.entries = {}

    def key(self, out: Path) -> str:
        return out.relative_to(self.out_root).as_posix()

    def current(self, job: Job) -> dict | None:
        entry = self.entries.get(self.key(job.out))
        if not entry or entry.get("fingerprint") != job.fingerprint:
            return None
        try:
            if job.out.stat().st_size != entry.get("size"):
                return None  # removed or changed by hand
        except OSError:
            return None
        return entry

    def record(self, result: JobResult, warnings: list[str]) -> None:
        self.entries[self.key(result.path)] = {
            "fingerprint": result.job.fingerprint, "size": result.size, "pages": result.pages,
            "warnings": warnings,
        }

    def save(self) -> None:
        data = {"reportgen": __version__, "outputs": dict(sorted(self.entries.items()))}
        write_atomic(self.path, (json.dumps(data, indent=1, ensure_ascii=False) + "\n").encode())


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
    if report.id in ids:
        diags.error(f"id: {report.id!r} is also the id of {display_path(ids[report.id], settings.root)}",
                    report.id_location or Location(report.path, 1))
        return None
    ids[report.id] = path
    return report


def load_translators(settings: Settings, langs: Sequence[str], draft: bool = False) -> dict[str, Translator]:
    from ..i18n import translator as translations

    diags = Diagnostics()
    out = {}
    for lang in langs:
        try:
            out[lang] = translations.load_translator(lang, settings.locales_path, settings.source_language,
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


# --------------------------------------------------------------------------- running jobs


class _Work(NamedTuple):
    """What a worker needs: everything is final data, so it pickles cheaply."""

    fmt: str
    doc: model.LocalizedReport
    options: object  # render.RenderOptions
    tmp: Path  # where to write; the build renames it to the output once every input proved good


def _run(work: _Work) -> tuple[int, int | None, float]:
    """Render one document into its temporary file; runs in a worker process."""
    from ..render import get_renderer

    t0 = time.perf_counter()
    rendered = get_renderer(work.fmt)(work.doc, work.options)  # type: ignore[arg-type]
    _write_new(work.tmp, rendered.data)
    return len(rendered.data), rendered.pages, time.perf_counter() - t0


def default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


#: Rough costs in ms on one core (benchmarks/README.md): a worker's start (importing its renderer,
#: loading fonts or the template), and a document: a fixed part plus a part per KB of source.
_WARM_MS = {"pdf": 90.0, "docx": 55.0}
_DOC_MS = {"pdf": (2.5, 0.45), "docx": (2.0, 0.2)}


def job_cost(fmt: str, source_bytes: int) -> float:
    fixed, per_kb = _DOC_MS.get(fmt, (2.0, 0.3))
    return fixed + per_kb * source_bytes / 1024


def plan_slots(jobs: int, costs: dict[str, float]) -> list[tuple[str, ...]]:
    """What each of ``jobs`` processes does, from the estimated work of each format (ms): slot 0
    is this process (after it has read the inputs), the others are worker processes.

    Each slot has a format (it imports only that renderer) and may help a slower one once its own
    work is done, when it would finish sooner than that format's start-up cost. This process takes
    the format quickest to start; every other format gets a worker; the remaining workers go where
    the most work per process remains."""
    fmts = sorted((f for f in costs if costs[f] > 0), key=lambda f: (_WARM_MS.get(f, 50.0), f))
    if not fmts:
        return []
    slots = [fmts[0]] + fmts[1:jobs]
    given = {f: slots.count(f) for f in fmts}
    for f in fmts[jobs:]:  # fewer processes than formats: this process takes the rest too
        given[f] = 1
    for _ in range(jobs - len(slots)):
        f = max(fmts, key=lambda f: (_WARM_MS.get(f, 50.0) + costs[f] / given[f], costs[f]))
        given[f] += 1
        slots.append(f)
    finish = {f: _WARM_MS.get(f, 50.0) + costs[f] / given[f] for f in fmts}
    slowest = max(fmts, key=lambda f: finish[f])
    out = []
    for i, f in enumerate(slots):
        mine = (f, *fmts[jobs:]) if i == 0 else (f,)
        helps = slowest not in mine and finish[f] + _WARM_MS.get(slowest, 50.0) < finish[slowest]
        out.append((*mine, slowest) if helps else mine)
    return out


def make_pool(workers: Sequence[tuple[str, ...]], options: RenderOptions | None = None,
              local_roles: Sequence[str] = ()) -> "tuple[cf.Executor, tuple[str, ...]]":
    """The executor for ``workers`` (see :func:`plan_slots`) and the formats this process renders.

    On Linux, when this process runs no other thread, the workers are forked at once from this still
    small process (:mod:`reportgen.workers`) and each warms up the renderer of its format while this
    process reads the inputs (:class:`reportgen.pool.WarmPool`); this process renders
    ``local_roles``. Elsewhere (forking a threaded process can deadlock; macOS and Windows spawn
    processes) a standard process pool of as many processes renders everything."""
    import functools
    import threading

    from ..render import RenderOptions

    warm = functools.partial(_warm, options or RenderOptions())
    if sys.platform.startswith("linux") and threading.active_count() == 1:
        from . import workers as workers_module

        started = workers_module.fork(workers, warm)  # before importing anything more
        from .pool import WarmPool

        return WarmPool(started, local_roles), tuple(local_roles)
    import concurrent.futures as cf
    import multiprocessing

    ctx = multiprocessing.get_context("forkserver" if sys.platform.startswith("linux") else None)
    return cf.ProcessPoolExecutor(max_workers=len(workers) + bool(local_roles), mp_context=ctx), ()


def _warm(options: RenderOptions, fmt: str) -> None:
    from ..render import warm

    warm(fmt, options)


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
    on_result: Callable[[JobResult, int, int], None] | None = None,
) -> BuildResult:
    """Build every requested document that is not up to date.

    Raises :class:`InputError` before writing anything if an input is wrong. ``executor`` may be
    any ``concurrent.futures.Executor`` (else one is made for ``jobs``); ``on_result(result, done,
    total)`` is called as each document is finished or found up to date."""
    started = time.perf_counter()
    settings = project.settings
    languages = resolve_languages(settings, langs)
    fmts = resolve_formats(settings, formats)
    paths = resolve_sources(settings, source_args)
    out_root = out_dir if out_dir is not None else settings.output_path
    state = _State(out_root)
    docx_template = check_docx_template(docx_template, fmts)
    skipped: list[Diagnostic] = []
    if min_complete is not None:  # needs every source and catalog, up to date or not
        below = _below_threshold(load_translators(settings, languages, draft),
                                 [r for _, r in load_reports(settings, paths)], min_complete)
        skipped = list(below.values())
        languages = [lang for lang in languages if lang not in below]

    # 1. plan and fingerprint
    common = _digest(_code_signature(), _settings_signature(settings, draft),
                     _file_bytes(docx_template) if docx_template else b"")
    lang_sig = {lang: _digest(_file_bytes(catalog_file(settings, lang)), _file_bytes(bundled_catalog_path(lang)))
                for lang in languages}
    planned: list[Job] = []
    source_sizes: dict[Path, int] = {}
    for path in paths:
        src = _file_bytes(path)
        source_sizes[path] = len(src)
        source_id = _peek_id(path, src)
        for lang in languages:
            for fmt in fmts:
                out = out_root / source_id / f"{source_id}.{lang}.{fmt}"
                planned.append(Job(path, source_id, lang, fmt, out, _digest(common, src, lang_sig[lang], fmt)))

    result = BuildResult(skipped=skipped)
    total = len(planned)
    todo: list[Job] = []
    for job in planned:
        entry = None if force else state.current(job)
        if entry is None:
            todo.append(job)
            continue
        r = JobResult(job, job.out, entry["size"], entry.get("pages"), 0.0, skipped=True)
        result.results.append(r)
        for w in entry.get("warnings", []):
            result.warnings.append(Diagnostic(w["severity"], w["message"],
                                              Location(*w["location"]) if w.get("location") else None, w.get("code", "")))
        if on_result:
            on_result(r, len(result.results), total)
    result.warnings = _unique(result.warnings)
    if not todo:
        result.seconds = time.perf_counter() - started
        return result

    # 2. start the workers (they import their renderer meanwhile), then load, check and localize
    from ..render import RenderOptions

    options = RenderOptions(theme=settings.theme, docx_template=docx_template)
    own_executor = None
    here: tuple[str, ...] = ()  # the formats this process renders (or helps with) itself
    if executor is None and jobs > 1 and len(todo) > 1:
        costs: dict[str, float] = {}
        for job in todo:
            costs[job.fmt] = costs.get(job.fmt, 0.0) + job_cost(job.fmt, source_sizes[job.source_path])
        here, *workers = plan_slots(min(jobs, len(todo)), costs)
        own_executor, here = make_pool(workers, options, local_roles=here)
        executor = own_executor
    try:
        _build_todo(result, todo, planned, settings, options, out_root, out_dir, state, executor,
                    draft, strict, on_result, here,
                    # once every document is rendered, the workers can end while this process commits
                    rendered=(lambda: own_executor.shutdown(wait=False)) if own_executor is not None else None)
    except BaseException:
        if own_executor is not None:
            own_executor.shutdown(cancel_futures=True)
        raise
    if own_executor is not None:
        own_executor.shutdown()
    result.seconds = time.perf_counter() - started
    return result


def _build_todo(result: BuildResult, todo: list[Job], planned: list[Job], settings: Settings,
                options: RenderOptions, out_root: Path, out_dir: Path | None, state: _State,
                executor: "cf.Executor | None", draft: bool, strict: bool,
                on_result: Callable[[JobResult, int, int], None] | None, here: tuple[str, ...] = (),
                rendered: Callable[[], None] | None = None) -> None:
    """Load, check and localize the sources one by one, handing each one's documents to the
    executor as soon as they are checked; the documents are written to temporary files, renamed
    into place only when every input has proved good (two-phase: a wrong input anywhere, or a
    kill, leaves every output as it was)."""
    from .. import localize

    languages = list(dict.fromkeys(j.lang for j in todo))
    check_language_tags(settings, languages)
    # each catalog is read when a document first needs it, so that the first documents reach the
    # workers as early as possible; every catalog is read in the end, to report all their problems
    translators: dict[str, Translator] = {}
    catalog_errors: dict[str, list[Diagnostic]] = {}

    def translator(lang: str) -> Translator | None:
        if lang not in translators and lang not in catalog_errors:
            try:
                translators[lang] = load_translators(settings, [lang], draft)[lang]
            except InputError as exc:
                catalog_errors[lang] = list(exc.diagnostics)
        return translators.get(lang)

    if out_dir is None:
        outputs.check_output_folder(out_root, settings.root)
    source_tag = localize.language_tag(settings.source_language, settings.language_tags)
    check_pdf = any(j.fmt == "pdf" for j in planned)  # one character policy for both formats

    source_errors = Diagnostics()
    problems = Diagnostics()
    ids: dict[str, Path] = {}
    warnings: dict[tuple[Path, str], list[Diagnostic]] = {}
    started: list[tuple[Job, Path, object]] = []  # (job, temp file, future or outcome)
    made: list[Path] = []  # folders this build created, removed again if it stops
    by_source: dict[Path, list[Job]] = {}
    for job in todo:
        by_source.setdefault(job.source_path, []).append(job)
    try:
        for path, jobs in by_source.items():
            report = _read_source(path, settings, ids, source_errors)
            if report is None:
                continue
            if source_errors.items or catalog_errors or problems.errors:
                continue  # nothing more is rendered; every source is still read, to report all it finds
            # the parsed id is the truth (the peek reads only a plain top-level `id:` line)
            jobs = [j if j.source_id == report.id else
                    j._replace(source_id=report.id, out=out_root / report.id / f"{report.id}.{j.lang}.{j.fmt}")
                    for j in jobs]
            checked = False
            for lang in dict.fromkeys(j.lang for j in jobs):  # each language's documents leave at once
                tr = translator(lang)
                if tr is None:
                    break  # a broken catalog: nothing more is rendered
                loc = localize.localize(report, tr, localize.language_tag(lang, settings.language_tags), draft=draft,
                                        created=_created([path, catalog_file(settings, lang)]), source_tag=source_tag)
                warnings[(path, lang)] = list(report.warnings) + _summarize_fallbacks(lang, report.id, loc.fallbacks)
                problems.extend(tr.diagnostics)
                tr.diagnostics.items.clear()
                if check_pdf:
                    problems.extend(preflight_fonts([loc.report], options))
                if problems.errors:
                    break
                if not checked:
                    outputs.check_output_paths([j.out for j in jobs], out_root)
                    outputs.remove_stale_temps([j.out for j in jobs])
                    checked = True
                for job in jobs:
                    if job.lang != lang:
                        continue
                    _make_folder(job.out.parent, made)
                    tmp = _temp_for(job.out)
                    work = _Work(job.fmt, loc.report, options, tmp)
                    started.append((job, tmp, _attempt(_run, work) if executor is None else _submit(executor, work)))
        if source_errors.items:
            source_errors.raise_if_errors()
        for lang in languages:
            translator(lang)
        if catalog_errors:
            raise InputError([d for lang in languages for d in catalog_errors.get(lang, ())])
        problems.items = list(dict.fromkeys(problems.items))
        problems.raise_if_errors()
        new_warnings = [w for key in warnings for w in warnings[key]]
        if strict:
            Diagnostics([w for w in result.warnings + new_warnings
                         if w.code != "fallback-detail"]).raise_if_errors(strict=True)
        result.warnings = _unique(result.warnings + new_warnings)
    except BaseException:
        _abandon(started, executor, made)
        raise

    # every input is good: finish rendering, then put each document in place
    total = len(planned)
    failures: list[BaseException] = []
    outcomes: dict[int, object] = {}
    try:
        if executor is not None:
            import concurrent.futures as cf

            for fmt in here:  # this process takes its share (those futures are then done)
                if executor.pending(fmt):  # type: ignore[attr-defined]
                    _warm(options, fmt)  # before taking a task: none waits on this warm-up
                    executor.run_here(fmt)  # type: ignore[attr-defined]
            index = {id(f): i for i, (_, _, f) in enumerate(started)}
            for f in cf.as_completed([f for _, _, f in started]):  # type: ignore[misc]
                i = index[id(f)]
                outcomes[i] = _attempt(f.result)
                _report(result, started[i][0], outcomes[i], on_result, total)
            if rendered is not None:
                rendered()
        else:
            for i, (job, _, outcome) in enumerate(started):
                outcomes[i] = outcome
                _report(result, job, outcome, on_result, total)
    except BaseException:
        _abandon(started, executor, made)
        raise
    try:
        for i, (job, tmp, _) in enumerate(started):
            outcome = outcomes[i]
            if isinstance(outcome, BaseException):
                failures.append(outcome)
                _unlink(tmp)
                continue
            os.replace(tmp, job.out)
            size, pages, seconds = outcome  # type: ignore[misc]
            state.record(JobResult(job, job.out, size, pages, seconds),
                         [_warning_json(w) for w in warnings[(job.source_path, job.lang)]])
    finally:
        state.save()
    if failures:
        raise failures[0]
    order = {(job.source_path, job.lang, job.fmt): i for i, job in enumerate(planned)}
    result.results.sort(key=lambda r: order[(r.job.source_path, r.job.lang, r.job.fmt)])


def _report(result: BuildResult, job: Job, outcome: object, on_result, total: int) -> None:  # type: ignore[no-untyped-def]
    if isinstance(outcome, BaseException):
        return
    size, pages, seconds = outcome  # type: ignore[misc]
    r = JobResult(job, job.out, size, pages, seconds)
    result.results.append(r)
    if on_result:
        on_result(r, len(result.results), total)


def _make_folder(folder: Path, made: list[Path]) -> None:
    missing = []
    while not folder.is_dir():
        missing.append(folder)
        folder = folder.parent
    for f in reversed(missing):
        f.mkdir(exist_ok=True)
        made.append(f)


def _abandon(started: list[tuple[Job, Path, object]], executor: "cf.Executor | None", made: list[Path]) -> None:
    """Stop what was handed out, delete its temporary files and the folders made for them: no
    output changes."""
    futures = [f for _, _, f in started if hasattr(f, "cancel")]
    for f in futures:
        f.cancel()  # type: ignore[attr-defined]
    if executor is not None and hasattr(executor, "run_here"):
        executor.shutdown(cancel_futures=True)  # waits for the tasks already running
    elif futures:
        import concurrent.futures as cf

        cf.wait([f for f in futures if not f.cancelled()])  # type: ignore[attr-defined]
    for _, tmp, _ in started:
        _unlink(tmp)
    for folder in reversed(made):
        try:
            folder.rmdir()
        except OSError:  # not empty: someone else's files
            pass


def _submit(executor: "cf.Executor", work: _Work) -> "cf.Future":
    """A job goes to a worker warmed up for its format when the executor has such workers."""
    if work.fmt in getattr(executor, "roles", ()):
        return executor.submit_to(work.fmt, _run, work)  # type: ignore[attr-defined]
    return executor.submit(_run, work)


def _attempt(fn, *args):  # type: ignore[no-untyped-def]
    try:
        return fn(*args)
    except Exception as exc:  # noqa: BLE001 - re-raised after the other jobs finished
        return exc


def _below_threshold(translators: dict[str, Translator], reports: list[model.Report],
                     min_complete: float) -> dict[str, Diagnostic]:
    """An error for each language whose share of translated texts (fuzzy excluded) is below ``min_complete``."""
    from ..i18n import translator as catalogs
    from .. import localize

    out = {}
    from .. import model

    layout = [model.Text(english, f"layout:{key}", Location("")) for key, english, _ in localize.layout_entries()]
    for lang, tr in translators.items():
        # the same count as `reportgen status`: the sources' texts and the layout labels
        done, total = catalogs.completeness(tr, [t for r in reports for t in r.texts()] + layout)
        pct = 100.0 * done / total if total else 100.0
        if pct < min_complete:
            out[lang] = Diagnostic("error", f"{lang}: {pct:.0f}% translated ({done} of {total} texts), below "
                                   f"--min-complete {min_complete:g}%: not rendered", code="min-complete")
    return out


def _peek_id(path: Path, data: bytes) -> str:
    """The source id without parsing YAML: a top-level ``id:`` line, else the file name.

    Only used to name outputs for the up-to-date check; the real parse confirms it."""
    for raw in data.splitlines():
        line = raw.decode("utf-8", "replace")
        if line.startswith("id:"):
            value = line[3:].split("#", 1)[0].strip().strip("\"'")
            if ID_RE.match(value):
                return value
            break
    return path.stem if ID_RE.match(path.stem) else "_invalid"


def _warning_json(d: Diagnostic) -> dict:
    loc = d.location
    return {"severity": d.severity, "message": d.message, "code": d.code,
            "location": [loc.path, loc.line, loc.col] if loc else None}


def _unique(items: list[Diagnostic]) -> list[Diagnostic]:
    return list(dict.fromkeys(items))


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
        write_atomic(path, data)
    return path, len(template), changed
