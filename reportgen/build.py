"""Orchestration: plan (source x language x format) jobs, run them, write outputs atomically.

Inputs are validated first (every source, every catalog) so that a build either starts with
everything it needs or stops before touching the output folder.
"""

from __future__ import annotations

import datetime as _dt
import logging
import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from . import catalogs, localize, model, outputs, sources
from .config import Settings, load_settings
from .errors import Diagnostic, Diagnostics, InputError, Location, display_path
from .render import FORMATS, RenderOptions, get_renderer

log = logging.getLogger("reportgen.build")

_UMASK = os.umask(0o022)
os.umask(_UMASK)


@dataclass(frozen=True)
class Project:
    settings: Settings

    @property
    def root(self) -> Path:
        return self.settings.root


def load_project(root: str | Path = ".") -> Project:
    root = Path(root)
    if not root.is_dir():
        raise InputError([Diagnostic("error", "no such project folder", Location(str(root)))])
    return Project(load_settings(root))


@dataclass(frozen=True)
class Job:
    report: model.Report
    source_path: Path
    lang: str
    fmt: str
    out: Path


@dataclass
class JobResult:
    job: Job
    path: Path
    size: int
    pages: int | None
    seconds: float


@dataclass
class BuildResult:
    results: list[JobResult] = field(default_factory=list)
    warnings: list[Diagnostic] = field(default_factory=list)
    seconds: float = 0.0


def _created(paths: Sequence[Path]) -> _dt.datetime:
    """The date a document counts as made: SOURCE_DATE_EPOCH, else its newest input's mtime.

    Either way the same inputs give the same bytes."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        stamp = int(epoch)
    else:
        stamp = int(max((p.stat().st_mtime for p in paths if p.exists()), default=946684800))
    return _dt.datetime.fromtimestamp(stamp, _dt.timezone.utc)


def resolve_languages(settings: Settings, requested: Sequence[str] | None) -> list[str]:
    available = catalogs.available_languages(settings.locales_path)
    known = [settings.source_language] + [lang for lang in available if lang != settings.source_language]
    if settings.languages:
        known = list(dict.fromkeys(settings.languages))
    if not requested:
        return known
    bad = [lang for lang in requested if lang not in known]
    if bad:
        raise InputError(
            f"unknown language {bad[0]!r}; choose from {', '.join(known)}"
            + (" (a new language needs a catalog: run 'reportgen update --lang "
               f"{bad[0]}')" if localize.is_known_language(bad[0]) else "")
        )
    return list(dict.fromkeys(requested))


def check_language_tags(settings: Settings, languages: Sequence[str]) -> None:
    """Every language needs CLDR data for its tag (dates, numbers); an unknown one is the user's
    error, located in the config when the config names it."""
    diags = Diagnostics()
    for lang in languages:
        tag = localize.language_tag(lang, settings.language_tags)
        if localize.is_known_language(tag):
            continue
        in_config = settings.config_path and (lang in settings.language_tags or lang in settings.languages)
        key = f"language_tags.{lang}" if lang in settings.language_tags else f"language {lang!r}"
        diags.error(f"{key}: no locale data for {tag!r} (dates and numbers cannot be formatted); "
                    f"set language_tags.{lang} to a known tag such as 'fr-FR'",
                    Location(settings.config_path) if in_config else None)
    diags.raise_if_errors()


def resolve_formats(settings: Settings, requested: Sequence[str] | None) -> list[str]:
    formats = list(requested or settings.formats)
    for fmt in formats:
        if fmt not in FORMATS:
            raise InputError(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}")
    return list(dict.fromkeys(formats))


def resolve_sources(settings: Settings, requested: Sequence[str] | None) -> list[Path]:
    if not requested:
        found = sources.find_sources(settings.sources_path)
        if not found:
            shown = display_path(settings.sources_path, settings.root)
            raise InputError([Diagnostic("error", "no source files (*.yaml) found", Location(shown))])
        return found
    paths = []
    for item in requested:
        p = Path(item)
        if not p.suffix:  # a source id
            if not sources.ID_RE.match(item):
                raise InputError(f"{item!r} is not a source id (lowercase letters, digits and '-') "
                                 "nor a .yaml file")
            p = settings.sources_path / f"{item}.yaml"
        elif not p.is_absolute() and not p.exists():
            p = settings.root / p
        paths.append(p)
    return paths


def load_reports(settings: Settings, paths: Sequence[Path]) -> list[tuple[Path, model.Report]]:
    """Load every source; report the problems of all of them at once."""
    diags = Diagnostics()
    out = []
    ids: dict[str, Path] = {}
    for p in paths:
        try:
            report = sources.load_source(p, settings.root)
        except InputError as exc:
            diags.extend(exc.diagnostics)
            continue
        if report.id in ids:
            diags.error(f"id: {report.id!r} is also the id of {display_path(ids[report.id], settings.root)}",
                        report.id_location or Location(report.path, 1))
            continue
        ids[report.id] = p
        out.append((p, report))
    diags.raise_if_errors()
    return out


def load_translators(settings: Settings, langs: Sequence[str], draft: bool = False) -> dict[str, catalogs.Translator]:
    diags = Diagnostics()
    out = {}
    for lang in langs:
        try:
            out[lang] = catalogs.load_translator(lang, settings.locales_path, settings.source_language,
                                                 use_fuzzy=draft, base=settings.root)
        except InputError as exc:
            diags.extend(exc.diagnostics)
    diags.raise_if_errors()
    return out


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path`` and rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # hidden, beside the target, named after the writing process: see outputs.remove_stale_temps
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=outputs.temp_suffix())
    try:
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes 0600; outputs are ordinary files
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def _summarize_fallbacks(lang: str, report_id: str, fallbacks: list[localize.Fallback]) -> list[Diagnostic]:
    if not fallbacks:
        return []
    untranslated = sum(f.state == "untranslated" for f in fallbacks)
    fuzzy = sum(f.state == "fuzzy" for f in fallbacks)
    draft = sum(f.state == "draft" for f in fallbacks)
    out = []
    parts = []
    if untranslated:
        parts.append(f"{untranslated} untranslated")
    if fuzzy:
        parts.append(f"{fuzzy} fuzzy")
    if parts:
        out.append(Diagnostic("warning", f"{lang}: {report_id}: {', '.join(parts)} string"
                              f"{'s' if untranslated + fuzzy > 1 else ''} — English used", code="fallback"))
    if draft:
        out.append(Diagnostic("warning", f"{lang}: {report_id}: {draft} fuzzy translation"
                              f"{'s' if draft > 1 else ''} shown marked as draft", code="draft"))
    for f in fallbacks:
        out.append(Diagnostic("warning", f"{lang}: {f.state}: {f.context}", f.location, code="fallback-detail"))
    return out


def build_project(
    project: Project,
    source_args: Sequence[str] | None = None,
    langs: Sequence[str] | None = None,
    formats: Sequence[str] | None = None,
    out_dir: Path | None = None,
    draft: bool = False,
    strict: bool = False,
) -> BuildResult:
    """Build every requested document. Raises :class:`InputError` before writing anything if an
    input is wrong."""
    started = time.perf_counter()
    settings = project.settings
    languages = resolve_languages(settings, langs)
    check_language_tags(settings, languages)
    fmts = resolve_formats(settings, formats)
    paths = resolve_sources(settings, source_args)
    reports = load_reports(settings, paths)
    translators = load_translators(settings, languages, draft)
    out_root = out_dir if out_dir is not None else settings.output_path
    options = RenderOptions(theme=settings.theme)

    # localize everything first: catalog problems stop the build before any file is written
    result = BuildResult()
    problems = Diagnostics()
    planned: list[tuple[Job, model.LocalizedReport]] = []
    for path, report in reports:
        for lang in languages:
            tr = translators[lang]
            inputs = [path] + [settings.root / shown for shown, _ in tr.catalogs if not shown.startswith("<")]
            tag = localize.language_tag(lang, settings.language_tags)
            loc = localize.localize(report, tr, tag, draft=draft, created=_created(inputs))
            result.warnings += _summarize_fallbacks(lang, report.id, loc.fallbacks)
            for fmt in fmts:
                target = out_root / report.id / f"{report.id}.{lang}.{fmt}"
                planned.append((Job(report, path, lang, fmt, target), loc.report))
        for tr in translators.values():
            problems.extend(tr.diagnostics)
            tr.diagnostics.items.clear()
    problems.raise_if_errors()
    if strict:
        Diagnostics([w for w in result.warnings if w.code != "fallback-detail"]).raise_if_errors(strict=True)

    if out_dir is None:
        outputs.check_output_folder(out_root, settings.root)
    outputs.check_output_paths([job.out for job, _ in planned], out_root)
    outputs.remove_stale_temps([job.out for job, _ in planned])
    for job, doc in planned:
        t0 = time.perf_counter()
        rendered = get_renderer(job.fmt)(doc, options)
        write_atomic(job.out, rendered.data)
        result.results.append(JobResult(job, job.out, len(rendered.data), rendered.pages, time.perf_counter() - t0))
    result.seconds = time.perf_counter() - started
    return result


def extract_template(project: Project, output: Path | None = None) -> tuple[Path, int, bool]:
    """Write the POT of every source; return (path, number of strings, whether the file changed)."""
    settings = project.settings
    reports = [r for _, r in load_reports(settings, resolve_sources(settings, None))]
    template = catalogs.extract(reports)
    data = catalogs.dump_po(template)
    path = output or settings.locales_path / f"{catalogs.DOMAIN}.pot"
    changed = not path.exists() or path.read_bytes() != data
    if changed:
        write_atomic(path, data)
    return path, len(template), changed
