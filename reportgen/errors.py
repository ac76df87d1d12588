"""Errors and diagnostics: one message format for every user-facing problem.

Every problem a user can fix is reported GNU style::

    sources/africa-2024.yaml:14:3: error: event.date: expected a date (YYYY-MM-DD), got '18 Jan'

Standard library only.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable, Iterator, NamedTuple

# Records are NamedTuples, not dataclasses: importing dataclasses (and inspect) and making the
# classes would be a third of what a build that finds everything up to date spends.


class Location(NamedTuple):
    """A place in a file. ``line`` and ``col`` are 1-based; 0 means unknown."""

    path: str
    line: int = 0
    col: int = 0

    def __str__(self) -> str:
        out = self.path
        if self.line:
            out += f":{self.line}"
            if self.col:
                out += f":{self.col}"
        return out


class Diagnostic(NamedTuple):
    severity: str  # "error" or "warning"
    message: str
    location: Location | None = None
    code: str = ""

    def __str__(self) -> str:
        where = f"{self.location}: " if self.location else ""
        code = f"[{self.code}] " if self.code else ""
        return f"{where}{self.severity}: {code}{self.message}"


class ReportgenError(Exception):
    """Base of every user-facing error (exit status 1)."""

    def __init__(self, diagnostics: Iterable[Diagnostic] | str):
        if isinstance(diagnostics, str):
            diagnostics = [Diagnostic("error", diagnostics)]
        self.diagnostics = tuple(diagnostics)
        super().__init__("\n".join(str(d) for d in self.diagnostics))


class InputError(ReportgenError):
    """A source, catalog, config or command-line input is wrong."""


class Diagnostics:
    """Collects the problems of one phase, so that all are reported at once."""

    def __init__(self, items: Iterable[Diagnostic] = ()):
        self.items: list[Diagnostic] = list(items)

    def __repr__(self) -> str:
        return f"Diagnostics({self.items!r})"

    def error(self, message: str, location: Location | None = None, code: str = "") -> None:
        self.items.append(Diagnostic("error", message, location, code))

    def warning(self, message: str, location: Location | None = None, code: str = "") -> None:
        self.items.append(Diagnostic("warning", message, location, code))

    def extend(self, other: Iterable[Diagnostic]) -> None:
        self.items.extend(other)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == "warning"]

    def __iter__(self) -> Iterator[Diagnostic]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def raise_if_errors(self, strict: bool = False) -> None:
        """Raise :class:`InputError` with every diagnostic if any error (or, if strict, any warning)."""
        if self.errors or (strict and self.items):
            items = self.items
            if strict:
                items = [Diagnostic("error", d.message, d.location, d.code) for d in items]
            raise InputError(items)


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """Return " (did you mean 'x'?)" for the closest choice, or ""."""
    import difflib  # only on the error path

    match = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{match[0]}'?)" if match else ""


def display_path(path: Path | str, base: Path | None = None) -> str:
    """A path as the user should see it: relative to ``base`` (or cwd) when inside it."""
    p = Path(path)
    for root in (base, Path.cwd()):
        if root is None:
            continue
        for mine, theirs in ((os.path.abspath(p), os.path.abspath(root)), (p.resolve(), root.resolve())):
            try:  # as written first (a symbolic link is shown where it is), then as resolved
                return str(Path(mine).relative_to(theirs))
            except ValueError:
                continue
    return str(p)


def link_escape(path: Path | str, root: Path) -> str:
    """Where ``path`` really leads if it lies inside ``root`` but a symbolic link (the file or a
    folder on its way) takes it outside; "" otherwise. Projects are confined (docs/robustness.md):
    a repository can hold symbolic links, and one to ~/.ssh/config must not become a report."""
    p = Path(os.path.abspath(path))
    try:
        p.relative_to(os.path.abspath(root))
    except ValueError:
        return ""  # named explicitly from outside the project: the user's own choice
    real = p.resolve()
    try:
        real.relative_to(root.resolve())
    except ValueError:
        return str(real)
    return ""


def read_input(path: Path, shown: str, what: str) -> bytes:
    """The bytes of an input file, or an :class:`InputError` located at it ("no such source file",
    "is a directory, not a catalog", "cannot read participants file: Permission denied")."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        message = f"no such {what}"
    except IsADirectoryError:
        message = f"is a directory, not a {what}"
    except OSError as exc:
        message = f"cannot read {what}: {exc.strerror}"
    raise InputError([Diagnostic("error", message, Location(shown))])
