"""Where outputs go: confined to the output folder, and no temporary file of a killed build left
behind; atomic writes. Standard library only. See docs/robustness.md.
"""

from __future__ import annotations

import errno
import os
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, Iterator, Sequence

from .errors import Diagnostic, InputError, Location, display_path


def temp_suffix() -> str:
    """The end of a temporary output's name, ``.<pid>.tmp``: whose file it is."""
    return f".{os.getpid()}.tmp"


def remove_stale_temps(targets: Sequence[Path]) -> None:
    """Delete the temporary files that a killed build left beside ``targets``
    (``.<name>.<random>.<pid>.tmp`` of a process that no longer runs). Those of a build still
    running (two builds into one folder) are left alone."""
    for folder, names in _by_folder(targets).items():
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            name = entry.name
            if not name.endswith(".tmp") or not any(name.startswith(f".{n}.") for n in names):
                continue
            pid = name[: -len(".tmp")].rpartition(".")[2]
            if not pid.isdigit() or _process_alive(int(pid)):
                continue
            try:
                os.unlink(entry.path)
            except OSError:
                pass


def _by_folder(targets: Sequence[Path]) -> dict[Path, set[str]]:
    out: dict[Path, set[str]] = {}
    for t in targets:
        out.setdefault(t.parent, set()).add(t.name)
    return out


def _process_alive(pid: int) -> bool:
    if pid == os.getpid() or os.name == "nt":  # on Windows os.kill(pid, 0) would end the process
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # someone else's process, or cannot tell: keep its file
    return True


def check_output_folder(folder: Path, project: Path) -> None:
    """The project's own output folder (not one given with --out) must stay inside the project once
    symbolic links are followed: a repository may hold ``build`` as a link to elsewhere."""
    try:
        folder.resolve().relative_to(project.resolve())
    except ValueError:
        raise InputError([Diagnostic("error", f"the output folder leads outside the project (to {folder.resolve()}); "
                                     "use --out to write elsewhere", Location(display_path(folder, project)))]) from None


def check_output_paths(targets: Sequence[Path], out_root: Path) -> None:
    """Every output must land inside the output folder, also once symbolic links are followed (a
    repository may hold ``build/<id>`` as a link to elsewhere)."""
    root = out_root.resolve()
    for t in targets:
        real = t.parent.resolve() / t.name
        try:
            real.relative_to(root)
        except ValueError:
            raise InputError([Diagnostic("error", f"leads outside the output folder (to {real}); remove the "
                                         "symbolic link", Location(display_path(t)))]) from None
        if t.is_symlink() or (t.exists() and not t.is_file()):
            raise InputError([Diagnostic("error", "is not a regular file; remove it", Location(display_path(t)))])


class DiskFullError(InputError):
    """No space left on the device (or the quota is used up) while writing an output: the user's to
    fix, a located error (exit 1). The temporary file is removed; the previous output is unchanged."""

    def __init__(self, folder: str) -> None:
        super().__init__([Diagnostic("error", "no space left on the device (or the disk quota is used up): "
                                     "nothing was written there; earlier outputs are unchanged", Location(folder))])
        self.args = (folder,)  # pickled from a worker process as DiskFullError(folder)


def _full_disk(exc: OSError, folder: Path) -> BaseException:
    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return DiskFullError(display_path(folder))
    return exc


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path`` and rename it into place.

    Readers see the old file or the new one, never a part: a crash, a kill or a full disk leaves the
    previous report intact. (No fsync: it would cost more than rendering a page, and guards only
    against power loss, which ext4 and most file systems cover for rename-over-file anyway.)"""
    with replacing(path) as f:
        f.write(data)


@contextmanager
def replacing(path: Path) -> Iterator[BinaryIO]:
    """A new file written piece by piece, then renamed over ``path`` when the block ends without an
    error (as :func:`write_atomic`); on any error, or a Ctrl-C, the temporary file is removed and
    ``path`` is unchanged. A full disk is a :class:`DiskFullError`."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _full_disk(exc, path.parent) from None
    tmp = temp_for(path)
    with _new_file(tmp) as f:
        yield f
    try:
        os.replace(tmp, path)
    except BaseException:
        unlink(tmp)
        raise


def write_new(tmp: Path, data: bytes) -> None:
    """Create ``tmp`` (which must not exist) with ``data``; an ordinary file (the umask applies)."""
    with _new_file(tmp) as f:
        f.write(data)


@contextmanager
def _new_file(tmp: Path) -> Iterator[BinaryIO]:
    """``tmp`` created (it must not exist) and open for writing; removed again if the block fails."""
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError as exc:
        raise _full_disk(exc, tmp.parent) from None
    try:
        with os.fdopen(fd, "wb") as f:
            yield f
    except OSError as exc:
        unlink(tmp)
        full = _full_disk(exc, tmp.parent)
        if full is exc:
            raise
        raise full from None
    except BaseException:
        unlink(tmp)
        raise


def unlink(path: Path) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def temp_for(out: Path) -> Path:
    """A hidden temporary name beside ``out``, owned by this (the building) process."""
    return out.with_name(f".{out.name}.{os.urandom(4).hex()}{temp_suffix()}")  # (secrets loads OpenSSL)
