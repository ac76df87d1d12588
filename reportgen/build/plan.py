"""The build's plan: one job per (source, language, format), each with the fingerprint of what it
depends on, and the state file that says which outputs are up to date.

Standard library only: finding a build up to date imports no third-party library.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
from pathlib import Path
from typing import NamedTuple, Sequence

from .. import __version__
from ..config import Settings
from ..errors import Diagnostic, Location
from ..files import write_atomic
from ..paths import ID_RE, bundled_catalog_path
from ..project import catalog_file

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


# --------------------------------------------------------------------------- fingerprints


def digest(*parts: bytes | str) -> str:
    h = hashlib.sha256()
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


def file_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b"<absent>"


def code_signature() -> str:
    """reportgen's version and the size and mtime of its code and fonts: a change to any of them
    (an upgrade, an edit of a renderer) invalidates every output."""
    found: list[str] = []

    def walk(folder: str, prefix: str) -> None:
        with os.scandir(folder) as entries:
            for e in entries:
                if e.is_dir(follow_symlinks=False):
                    if e.name != "__pycache__":
                        walk(e.path, f"{prefix}{e.name}/")
                elif e.name.endswith((".py", ".ttf", ".po")):
                    st = e.stat()
                    found.append(f"{prefix}{e.name}:{st.st_size}:{st.st_mtime_ns}")

    walk(str(PACKAGE_DIR), "")
    return digest(__version__, *sorted(found))


def settings_signature(settings: Settings, draft: bool) -> str:
    theme = settings.theme
    logo = file_bytes(theme.logo) if theme.logo else b""
    fallback = file_bytes(theme.fallback_font) if theme.fallback_font else b""
    return digest(repr(settings), logo, fallback, f"draft={draft}", os.environ.get("SOURCE_DATE_EPOCH", ""))


def created(paths: Sequence[Path]) -> _dt.datetime:
    """The date a document counts as made: SOURCE_DATE_EPOCH, else its newest input's mtime.

    Either way the same inputs give the same bytes."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        stamp = int(epoch)
    else:
        stamp = int(max((p.stat().st_mtime for p in paths if p.exists()), default=946684800))
    return _dt.datetime.fromtimestamp(stamp, _dt.timezone.utc)


def peek_id(path: Path, data: bytes) -> str:
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


def output_path(out_root: Path, source_id: str, lang: str, fmt: str, draft: bool = False) -> Path:
    """``<out>/<id>/<id>.<lang>.<fmt>``; a draft build's in ``<out>/<id>/draft/<id>.<lang>.draft.<fmt>``,
    apart from the final outputs (which a draft build never touches)."""
    if draft:
        return out_root / source_id / "draft" / f"{source_id}.{lang}.draft.{fmt}"
    return out_root / source_id / f"{source_id}.{lang}.{fmt}"


def plan_jobs(settings: Settings, paths: Sequence[Path], languages: Sequence[str], formats: Sequence[str],
              out_root: Path, draft: bool, docx_template: Path | None) -> list[Job]:
    """Every (source, language, format) job, in that order, with its fingerprint."""
    common = digest(code_signature(), settings_signature(settings, draft),
                    file_bytes(docx_template) if docx_template else b"")
    lang_sig = {lang: digest(file_bytes(catalog_file(settings, lang)), file_bytes(bundled_catalog_path(lang)))
                for lang in languages}
    planned = []
    for path in paths:
        src = file_bytes(path)
        source_id = peek_id(path, src)
        for lang in languages:
            for fmt in formats:
                planned.append(Job(path, source_id, lang, fmt, output_path(out_root, source_id, lang, fmt, draft),
                                   digest(common, src, lang_sig[lang], fmt)))
    return planned


# --------------------------------------------------------------------------- state


class State:
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

    def record(self, result: JobResult, warnings: Sequence[Diagnostic]) -> None:
        self.entries[self.key(result.path)] = {
            "fingerprint": result.job.fingerprint, "size": result.size, "pages": result.pages,
            "warnings": [_warning_json(w) for w in warnings],
        }

    def save(self) -> None:
        data = {"reportgen": __version__, "outputs": dict(sorted(self.entries.items()))}
        write_atomic(self.path, (json.dumps(data, indent=1, ensure_ascii=False) + "\n").encode())


def up_to_date(job: Job, entry: dict) -> tuple[JobResult, list[Diagnostic]]:
    """The result of a job found up to date, and the warnings its last build gave."""
    warnings = [Diagnostic(w["severity"], w["message"], Location(*w["location"]) if w.get("location") else None,
                           w.get("code", ""))
                for w in entry.get("warnings", [])]
    return JobResult(job, job.out, entry["size"], entry.get("pages"), 0.0, skipped=True), warnings


def _warning_json(d: Diagnostic) -> dict:
    loc = d.location
    return {"severity": d.severity, "message": d.message, "code": d.code,
            "location": [loc.path, loc.line, loc.col] if loc else None}
