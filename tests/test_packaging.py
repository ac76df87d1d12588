"""The lowest-versions environment of .ci/run installs exactly pyproject.toml's lower bounds."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def lower_bounds() -> dict[str, str]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))["project"]
    out = {}
    for req in project["dependencies"] + project["optional-dependencies"]["test"]:
        if ";" in req:
            continue  # platform-specific (tzdata on Windows)
        m = re.fullmatch(r"([A-Za-z0-9_.-]+)(\[[^]]*\])?\s*>=\s*([0-9][0-9.]*)(,.*)?", req.strip())
        assert m, f"{req!r}: every dependency needs a lower bound (>=)"
        out[m[1].lower()] = m[3]
    return out


def constraints() -> dict[str, str]:
    out = {}
    for line in (REPO / ".ci" / "lowest-constraints.txt").read_text("utf-8").splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, _, version = line.partition("==")
            out[name.strip().lower()] = version.strip()
    return out


def _norm(version: str) -> tuple[int, ...]:
    parts = [int(p) for p in version.split(".")]
    return tuple(parts + [0] * (3 - len(parts)))


def test_lowest_constraints_are_the_lower_bounds():
    bounds, pinned = lower_bounds(), constraints()
    assert sorted(bounds) == sorted(pinned)
    assert {k: _norm(v) for k, v in bounds.items()} == {k: _norm(v) for k, v in pinned.items()}


def test_ci_runs_the_readme_test_command():
    readme = (REPO / "README.md").read_text("utf-8")
    command = "pip install -e '.[test]' && python -m pytest"
    assert command in readme
    ci = (REPO / ".ci" / "run").read_text("utf-8")
    assert "pip install -q \"$@\" -e '.[test]' && python -m pytest\n" in ci
    assert ci.rstrip().endswith("python -m pytest")
