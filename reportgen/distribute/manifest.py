"""The distribution manifest (``manifest.csv`` + ``manifest.json``) and ``reportgen verify``.

A manifest names each report file by its name in the report's folder (``<out>/<source>/``, the
folder above ``distribution/``). ``verify`` hashes only files inside the manifest's folder tree: a
name that is absolute, holds ``..`` or leads out through a symbolic link is refused, so a manifest
from elsewhere cannot make it read (and print the hash of) any other file.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Iterator

from ..errors import Diagnostic, InputError, Location, display_path
from ..files import replacing
from .participants import Choice, Participant

MANIFEST_COLUMNS = ("line", "name", "email", "organisation", "requested", "language", "rule", "reason",
                    "file", "sha256", "status", "detail", "message_id")
#: a dry run's messages, in the distribution folder; and the folder of one message of each language
OUTBOX = "outbox.mbox"
PREVIEWS = "preview"
#: the files a dry run writes that a later one may delete, as the manifest names them: the previews,
#: and the outbox files of earlier versions (one .eml per participant, in the "eml" column)
OURS_RE = re.compile(r"^(preview/[A-Za-z0-9_-]{1,35}(\.fallback)?|outbox/[0-9]{3,}\.[A-Za-z0-9_-]{1,35})\.eml$")


@dataclass
class Entry:
    person: Participant
    requested: str
    choice: Choice
    file: Path
    sha256: str
    status: str = "pending"  # dry-run | sent | already-sent | failed | uncertain | pending
    detail: str = ""
    message_id: str = ""


@dataclass
class DistributionResult:
    source: str
    folder: Path
    entries: list[Entry] = field(default_factory=list)
    warnings: list[Diagnostic] = field(default_factory=list)
    errors: list[Diagnostic] = field(default_factory=list)  # delivery failures (with addresses)
    built: list[Path] = field(default_factory=list)
    manifests: tuple[Path, ...] = ()
    outbox: Path | None = None  # a dry run's outbox.mbox
    previews: list[Path] = field(default_factory=list)  # a dry run's preview/*.eml
    sent: bool = False  # True for --send


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _rows(result: DistributionResult) -> Iterator[dict[str, str]]:
    base = result.folder.parent
    names: dict[Path, str] = {}  # a few report files for many participants
    for e in result.entries:
        p = e.person
        if e.file not in names:
            names[e.file] = Path(os.path.relpath(e.file, base)).as_posix()
        yield {
            "line": str(p.location.line), "name": p.name, "email": p.email, "organisation": p.organisation,
            "requested": e.requested, "language": e.choice.lang, "rule": e.choice.rule, "reason": e.choice.reason,
            "file": names[e.file], "sha256": e.sha256, "status": e.status, "detail": e.detail,
            "message_id": e.message_id,
        }


def _cell(value: str) -> str:
    """Spreadsheets run a cell that starts with = + - @ (or a tab or CR before one) as a formula:
    a name or an address from a registration form must not (CSV injection; ``=x@example.org`` is a
    valid address). The apostrophe makes it text; manifest.json keeps the raw value."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def write_manifest(result: DistributionResult) -> tuple[Path, Path]:
    """Both manifests, a row at a time (no copy of the whole list in memory), each replaced whole."""
    csv_path, json_path = result.folder / "manifest.csv", result.folder / "manifest.json"
    head: dict[str, object] = {
        "source": result.source, "mode": "send" if result.sent else "dry-run", "algorithm": "sha256",
        "files relative to": "the folder above this manifest's (the report's folder)"}
    if result.outbox is not None:
        head["outbox"] = OUTBOX
        head["previews"] = [p.relative_to(result.folder).as_posix() for p in result.previews]
    buf = io.StringIO(newline="")
    writer = csv.DictWriter(buf, fieldnames=MANIFEST_COLUMNS, lineterminator="\n")
    writer.writeheader()
    with replacing(csv_path) as csv_file, replacing(json_path) as json_file:
        json_file.write(("{\n" + "".join(f" {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)},\n"
                                         for k, v in head.items()) + ' "entries": [').encode("utf-8"))
        for n, row in enumerate(_rows(result)):
            writer.writerow({k: _cell(v) for k, v in row.items()})
            json_file.write(f"{',' if n else ''}\n  {json.dumps(row, ensure_ascii=False)}".encode("utf-8"))
            if buf.tell() > 1 << 16:
                csv_file.write(buf.getvalue().encode("utf-8"))
                buf.seek(0)
                buf.truncate()
        csv_file.write(buf.getvalue().encode("utf-8"))
        json_file.write(b"\n ]\n}\n")
    return csv_path, json_path


def previous_outbox(folder: Path) -> set[str]:
    """The files an earlier dry run wrote besides the outbox (``preview/<lang>.eml``, and
    ``outbox/NNN.lang.eml`` of earlier versions), as its manifest.json names them relative to
    ``folder``: the only files a dry run may delete."""
    try:
        manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
        names = {str(n) for n in manifest.get("previews", [])} | {str(e.get("eml", "")) for e in manifest["entries"]}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return set()
    return {n for n in names if OURS_RE.match(n)}


# --------------------------------------------------------------------------- verify


@dataclass
class VerifyResult:
    checked: int
    mismatches: list[Diagnostic]


def _manifest_rows(path: Path, shown: str) -> list[tuple[int, dict[str, str]]]:
    try:
        text = path.read_text("utf-8-sig")
    except FileNotFoundError:
        raise InputError([Diagnostic("error", "no such manifest", Location(shown))]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError([Diagnostic("error", f"cannot read the manifest: {exc}", Location(shown))]) from None
    if path.suffix.lower() == ".json":
        try:
            entries = json.loads(text)["entries"]
            rows = [{k: str(v) for k, v in e.items()} for e in entries]
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise InputError([Diagnostic("error", f"not a reportgen manifest ({exc})", Location(shown))]) from None
        lines = [n for n, line in enumerate(text.splitlines(), 1) if re.search(r'"sha256"\s*:', line)]
        if len(lines) != len(rows):
            lines = [0] * len(rows)
        return list(zip(lines, rows))
    reader = csv.DictReader(io.StringIO(text, newline=""))
    out = []
    line = 1
    for row in reader:
        out.append((line + 1, row))
        line = reader.line_num
    if reader.fieldnames is None or not {"file", "sha256"} <= set(reader.fieldnames):
        raise InputError([Diagnostic("error", "not a reportgen manifest: needs the columns 'file' and 'sha256'",
                                     Location(shown, 1))])
    return out


def _unsafe_name(name: str) -> str:
    """Why a manifest's file name is refused, or ""."""
    if PurePosixPath(name).is_absolute() or PureWindowsPath(name).is_absolute() or PureWindowsPath(name).drive:
        return "an absolute path"
    if ".." in re.split(r"[\\/]", name):
        return "a path with '..'"
    if "\0" in name:
        return "a path with a NUL character"
    return ""


def _inside(candidate: Path, root: Path) -> bool:
    try:
        candidate.resolve().relative_to(root.resolve())
    except (ValueError, OSError, RuntimeError):
        return False
    return True


def _find(name: str, manifest: Path) -> Path | None:
    """The file a manifest names: at its path below the manifest's folder, beside the manifest
    (a copy received by e-mail), or in the report's folder when the manifest sits in reportgen's
    ``<source>/distribution/``. Never outside those folders, also through a symbolic link."""
    folder = manifest.parent
    places = [(folder / name, folder), (folder / Path(name).name, folder)]
    if folder.resolve().name == "distribution":
        places.append((folder.parent / name, folder.parent))
    for candidate, root in places:
        if candidate.is_file() and _inside(candidate, root):
            return candidate
    return None


def verify_manifest(manifest: str | Path) -> VerifyResult:
    """Re-hash every file of a manifest (CSV or JSON) that lies inside its folder tree."""
    path = Path(manifest)
    shown = display_path(path)
    seen: set[tuple[str, str]] = set()
    bad: list[Diagnostic] = []
    for line, row in _manifest_rows(path, shown):
        name, want = row.get("file", ""), row.get("sha256", "").lower()
        if (name, want) in seen or not name:
            continue
        seen.add((name, want))
        loc = Location(shown, line)
        unsafe = _unsafe_name(name)
        if unsafe:
            bad.append(Diagnostic("error", f"{name!r}: refused: {unsafe}; a manifest names files inside its "
                                  "folder tree only", loc))
            continue
        found = _find(name, path)
        if found is None:
            bad.append(Diagnostic("error", f"{name}: file not found", loc))
            continue
        got = sha256_file(found)
        if got != want:
            bad.append(Diagnostic("error", f"{name}: SHA-256 mismatch: the manifest says {want}, "
                                  f"{display_path(found)} has {got}", loc))
    return VerifyResult(len(seen), bad)
