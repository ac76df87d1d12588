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
from typing import Iterable, NamedTuple, Sequence

from .. import __version__
from ..config import Settings
from ..errors import Diagnostic, Location
from ..files import write_atomic
from ..i18n.scan import scan_po
from ..paths import ID_RE
from ..project import catalog_file

STATE_FILE = ".reportgen-state.json"
LAYOUT_PREFIX = "layout:"
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


def created(source: Path) -> _dt.datetime:
    """The date a document counts as made: SOURCE_DATE_EPOCH, else its source file's mtime.

    Only the source: editing a catalog entry (or a layout label) that one report uses must leave the
    other reports' documents byte-identical, and the same inputs always give the same bytes."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        stamp = int(epoch)
    else:
        try:
            stamp = int(source.stat().st_mtime)
        except OSError:
            stamp = 946684800
    return _dt.datetime.fromtimestamp(stamp, _dt.timezone.utc)


#: an entry's context as gettext tools write it: one plain string on the keyword's line
#: (rest of a msgctxt line, a continuation string after it, "msgid" for a msgid line)
COMMON = ""


def catalog_entries(path: Path) -> dict[str, str]:
    """The text of each context's entries in the catalog at ``path``, as the catalogs' own strict
    scanner (:func:`reportgen.i18n.scan.scan_po`, linear) delimits them.

    An active entry with a context counts for that context; obsolete entries count for nothing;
    everything else (the header, entries without a context, lines between entries) counts under
    :data:`COMMON`, which every document depends on, and so does the whole file when the scanner
    finds a problem (the build then refuses it at its line). So any byte that can change a
    document changes the digest of a part the document depends on."""
    try:
        text = path.read_bytes().decode("utf-8", "replace")
    except OSError:
        return {COMMON: "<absent>"}
    entries, problems = scan_po(text)
    if problems:
        return {COMMON: text}
    lines = text.splitlines(keepends=True)
    covered = [False] * (len(lines) + 2)
    parts: dict[str, list[str]] = {}
    for e in entries:
        for n in range(e.first, e.last + 1):
            covered[n] = True
        if e.obsolete:
            continue
        key = e.context if e.context is not None and e.msgid else COMMON
        parts.setdefault(key, []).append("".join(lines[e.first - 1:e.last]))
    stray = [line for n, line in enumerate(lines, 1) if not covered[n] and line.strip()]
    if stray:
        parts.setdefault(COMMON, []).extend(stray)
    return {key: "\0".join(blocks) for key, blocks in parts.items()}


class Fingerprints:
    """What a job's fingerprint is made of: the code, settings and template (common to all); the
    source's bytes; in its language, the catalog's common part and layout labels, and the entries
    of the contexts the source's documents looked up at their last build (kept in the state).

    Each output also keeps a *quick* key: the same with the whole catalog file instead of its
    entries. While a catalog is as it was, the quick key says the output is up to date and the
    catalog is not scanned at all; after an edit, it is scanned once (:meth:`of`)."""

    def __init__(self, settings: Settings, languages: Sequence[str], draft: bool, docx_template: Path | None):
        self.draft = draft
        self.common = digest(code_signature(), settings_signature(settings, draft),
                             file_bytes(docx_template) if docx_template else b"")
        self.catalogs = {lang: catalog_file(settings, lang) for lang in languages}
        self.catalog_digest = {lang: digest(file_bytes(path)) for lang, path in self.catalogs.items()}
        self._entries: dict[str, dict[str, str]] = {}
        self._shared: dict[str, str] = {}
        self.sources: dict[Path, str] = {}
        self._used: dict[tuple[Path, str, tuple[str, ...]], str] = {}

    def source(self, path: Path) -> tuple[bytes, str]:
        data = file_bytes(path)
        self.sources[path] = digest(data)
        return data, self.sources[path]

    def quick(self, path: Path, lang: str, fmt: str) -> str:
        return digest(self.common, self.sources[path], fmt, self.catalog_digest[lang])

    def entries(self, lang: str) -> dict[str, str]:
        if lang not in self._entries:
            e = self._entries[lang] = catalog_entries(self.catalogs[lang])
            self._shared[lang] = digest(*[f"{k}={v}" for k, v in sorted(e.items())
                                          if k == COMMON or k.startswith(LAYOUT_PREFIX)])
        return self._entries[lang]

    def of(self, path: Path, lang: str, fmt: str, contexts: Sequence[str] | None) -> str:
        """The fingerprint of one job; ``contexts`` None (not known): a fingerprint no output has."""
        if contexts is None:
            return "unknown"
        key = (path, lang, tuple(contexts))
        if key not in self._used:  # the same for both formats
            entries = self.entries(lang)
            self._used[key] = digest("\0".join(f"{c}\1{entries.get(c, '')}" for c in sorted(contexts)))
        return digest(self.common, self.sources[path], self._shared[lang], fmt, self._used[key])


def own_contexts(contexts: Iterable[str]) -> list[str]:
    """The contexts to remember for a source: not the layout labels, which every document uses."""
    return sorted(c for c in set(contexts) if not c.startswith(LAYOUT_PREFIX))


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


def plan_jobs(fingerprints: Fingerprints, paths: Sequence[Path], languages: Sequence[str],
              formats: Sequence[str], out_root: Path) -> list[Job]:
    """Every (source, language, format) job, in that order, with its quick key as fingerprint
    (:class:`Fingerprints`)."""
    planned = []
    for path in paths:
        src, src_digest = fingerprints.source(path)
        source_id = peek_id(path, src)
        for lang in languages:
            for fmt in formats:
                planned.append(Job(path, source_id, lang, fmt, output_path(out_root, source_id, lang, fmt, fingerprints.draft),
                                   fingerprints.quick(path, lang, fmt)))
    return planned


# --------------------------------------------------------------------------- state


class State:
    """What was built last time, kept small (a no-op build reads it whole):

    - ``outputs``: output (relative to the output folder) -> [fingerprint, size, pages, quick key]
      (:class:`Fingerprints`);
    - ``sources``: source path -> {"digest": of its bytes, "contexts": the catalog contexts its
      documents looked up (layout labels apart: every document uses them), "warnings": language ->
      the warnings its last build gave, each ``[severity, code, message, path, line, col]``}; the
      two formats of a language share them."""

    FORMAT = 3

    def __init__(self, out_root: Path):
        self.path = out_root / STATE_FILE
        self.out_root = out_root
        try:
            data = json.loads(self.path.read_text("utf-8"))
            if data.get("format") != self.FORMAT:
                raise ValueError("another format")
            self.outputs: dict[str, list] = dict(data["outputs"])
            self.sources: dict[str, dict] = dict(data["sources"])
        except (OSError, ValueError, AttributeError, KeyError, TypeError):
            self.outputs, self.sources = {}, {}
        self.renewed = False  # quick keys renewed: worth saving even if nothing is built

    def key(self, out: Path) -> str:
        text, root = str(out), str(self.out_root) + os.sep
        if text.startswith(root):  # the usual case, without pathlib's cost (a no-op asks for every output)
            return text[len(root):].replace(os.sep, "/")
        return out.relative_to(self.out_root).as_posix()

    def contexts(self, source: Path, source_digest: str) -> list[str] | None:
        """The contexts the source's documents used at its last build, if it has not changed since."""
        entry = self.sources.get(str(source))
        if not isinstance(entry, dict) or entry.get("digest") != source_digest:
            return None
        return entry.get("contexts")

    def current(self, job: Job, fingerprints: Fingerprints) -> list | None:
        """[fingerprint, size, pages, quick key] of the job's output, if it is up to date: by its
        quick key (``job.fingerprint``), else by the entries it uses (the key is then renewed)."""
        key = self.key(job.out)
        entry = self.outputs.get(key)
        if not isinstance(entry, list) or len(entry) != 4:
            return None
        try:
            if job.out.stat().st_size != entry[1]:
                return None  # removed or changed by hand
        except OSError:
            return None
        if entry[3] == job.fingerprint:
            return entry
        contexts = self.contexts(job.source_path, fingerprints.sources[job.source_path])
        if entry[0] != fingerprints.of(job.source_path, job.lang, job.fmt, contexts):
            return None
        self.outputs[key] = entry = [entry[0], entry[1], entry[2], job.fingerprint]
        self.renewed = True
        return entry

    def up_to_date(self, job: Job, entry: list) -> tuple[JobResult, list[Diagnostic]]:
        """The result of a job found up to date, and the warnings its last build gave."""
        stored = self.sources.get(str(job.source_path), {}).get("warnings", {}).get(job.lang, [])
        warnings = [Diagnostic(w[0], w[2], Location(w[3], w[4], w[5]) if len(w) > 3 else None, w[1])
                    for w in stored]
        return JobResult(job, job.out, entry[1], entry[2], 0.0, skipped=True), warnings

    def record_source(self, source: Path, source_digest: str, contexts: Iterable[str],
                      warnings: dict[str, Sequence[Diagnostic]]) -> None:
        """What this build learnt of a source: the contexts its documents used and, per language
        built, its warnings (kept from before for the other languages if the source is the same)."""
        old = self.sources.get(str(source))
        same = isinstance(old, dict) and old.get("digest") == source_digest
        used = set(contexts) | set(old.get("contexts", ()) if same else ())  # type: ignore[union-attr]
        kept = dict(old.get("warnings", {})) if same else {}  # type: ignore[union-attr]
        kept.update({lang: [_warning_json(w) for w in ws] for lang, ws in warnings.items()})
        self.sources[str(source)] = {"digest": source_digest, "contexts": own_contexts(used), "warnings": kept}

    def record(self, result: JobResult, fingerprint: str) -> None:
        self.outputs[self.key(result.path)] = [fingerprint, result.size, result.pages, result.job.fingerprint]

    def save(self) -> None:
        data = {"reportgen": __version__, "format": self.FORMAT, "outputs": dict(sorted(self.outputs.items())),
                "sources": dict(sorted(self.sources.items()))}
        write_atomic(self.path, (json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n").encode())


class Recording:
    """A catalog that notes the context of every look-up in ``used`` (the build learns which entries
    each document depends on from the look-ups themselves)."""

    __slots__ = ("catalog", "used")

    def __init__(self, catalog, used: set[str]):  # type: ignore[no-untyped-def]
        self.catalog, self.used = catalog, used

    def get(self, msgid: str, context: str | None = None):  # type: ignore[no-untyped-def]
        if context is not None:
            self.used.add(context)
        return self.catalog.get(msgid, context=context)


def _warning_json(d: Diagnostic) -> list:
    loc = d.location
    return [d.severity, d.code, d.message] + ([loc.path, loc.line, loc.col] if loc else [])
