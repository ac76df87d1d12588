"""What was sent (``state.jsonl``) and the lock that lets one ``--send`` run at a time per source.

The lock is taken *before* the state is read and held until the last record is written: a second
run that read the state first could act on a stale copy and send every message again.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from ..errors import Diagnostic, InputError, Location, display_path


@dataclass
class State:
    """What was sent, as an append-only journal (``state.jsonl``): one JSON record per line,
    ``{"key": address, "status": ..., "at": ...}``; the last record of a key is its state.

    Each record is appended and flushed to disk (fsync) before the run goes on, so the cost per
    message does not grow with the list, and a crash can at most cut the last line short: such a
    line is ignored (a cut "sending" record means the message was not handed over yet; a cut "sent"
    record leaves the "sending" before it, so the message counts as uncertain, never as unsent)."""

    path: Path
    recipients: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: Byte offset of a last line cut short by a crash; it is cut off before the next record.
    torn_at: int | None = None

    @classmethod
    def load(cls, path: Path) -> "State":
        state = cls(path)
        if not path.exists():
            return state
        shown = display_path(path)
        data = path.read_bytes()
        lines = data.split(b"\n")
        for n, raw in enumerate(lines, 1):
            if not raw.strip():
                continue
            try:
                record = json.loads(raw)
                key = record.pop("key")
                if not isinstance(key, str) or not isinstance(record.get("status"), str):
                    raise ValueError("expected a key and a status")
            except (ValueError, KeyError, TypeError, AttributeError) as exc:
                if n == len(lines):  # the last line, without its newline: cut short by a crash
                    state.torn_at = len(data) - len(raw)
                    continue
                raise InputError([Diagnostic("error", f"state file damaged ({exc}); it records what was "
                                             "sent: repair it by hand rather than deleting it",
                                             Location(shown, n))]) from None
            state.recipients[key] = record
        return state

    def mark(self, key: str, **record: Any) -> None:
        record["at"] = _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")
        self.recipients[key] = record
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps({"key": key, **record}, ensure_ascii=False, sort_keys=True) + "\n"
        # O_NOFOLLOW: the journal is never written through a symbolic link (the folder is checked too)
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | getattr(os, "O_NOFOLLOW", 0), 0o666)
        with os.fdopen(fd, "ab") as f:
            if self.torn_at is not None:
                f.truncate(self.torn_at)
                self.torn_at = None
            f.write(line.encode("utf-8"))
            f.flush()
            os.fsync(f.fileno())


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """One sending run per distribution folder at a time (advisory lock, released by the OS on exit).
    A second run stops at once with an error; it has read nothing yet."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: no lock
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o666)
    with os.fdopen(fd, "r+b") as f:
        try:
            fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise InputError([Diagnostic("error", "another 'reportgen distribute --send' is running for this "
                                         "source", Location(display_path(path)))]) from None
        try:
            yield
        finally:
            fcntl.flock(f.fileno(), fcntl.LOCK_UN)
