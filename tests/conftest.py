"""Shared fixtures: a fixed SOURCE_DATE_EPOCH, project copies in tmp_path, an in-process CLI."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from reportgen.cli import main

REPO = Path(__file__).resolve().parent.parent
PROJECTS = Path(__file__).resolve().parent / "projects"
EPOCH = "1705593600"  # 2024-01-18T16:00:00Z


@pytest.fixture(autouse=True)
def _fixed_epoch(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)


def copy_default_project(dest: Path) -> Path:
    """The bundled default project (sources/ + locales/ + pyproject config) copied to ``dest``."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copytree(REPO / "sources", dest / "sources")
    shutil.copytree(REPO / "locales", dest / "locales")
    return dest


def build_in(root: Path, *args: str) -> int:
    """``reportgen build -q ARGS`` run in ``root`` with the tests' SOURCE_DATE_EPOCH, for
    module-scoped fixtures (which cannot use monkeypatch); the environment and folder are put back."""
    import os

    old, cwd = os.environ.get("SOURCE_DATE_EPOCH"), os.getcwd()
    os.environ["SOURCE_DATE_EPOCH"] = EPOCH
    try:
        os.chdir(root)
        return main(["build", "-q", *args])
    finally:
        os.chdir(cwd)
        if old is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = old


def copy_project(name: str, dest: Path) -> Path:
    shutil.copytree(PROJECTS / name, dest, dirs_exist_ok=True)
    return dest


@pytest.fixture
def default_project(tmp_path) -> Path:
    return copy_default_project(tmp_path / "project")


@dataclass
class Run:
    code: int
    out: str
    err: str

    @property
    def err_lines(self) -> list[str]:
        return self.err.splitlines()


@pytest.fixture
def cli(capsys, monkeypatch):
    """Run ``reportgen ARGS`` in-process inside a folder; return exit code, stdout, stderr."""

    def run(*args: str, cwd: Path | None = None) -> Run:
        if cwd is not None:
            monkeypatch.chdir(cwd)
        capsys.readouterr()
        code = main(list(args))
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run
