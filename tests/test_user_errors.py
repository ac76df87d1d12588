"""Mistakes and conditions that are the user's to fix, reported as located errors (exit 1), never
as internal errors (issue 18): ``--out`` naming a file, a full disk, ``extract -o`` over an input."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import REPO


@pytest.mark.parametrize("command", ["build", "distribute"])
@pytest.mark.parametrize("out", ["afile", "afile/sub"])
def test_out_naming_a_file(default_project, cli, command, out):
    (default_project / "afile").write_text("mine", "utf-8")
    args = ["americas-2024", "--participants", "p.csv"] if command == "distribute" else []
    run = cli(command, *args, "--out", out, cwd=default_project)
    assert (run.code, run.err_lines) == (1, ["afile: error: --out: is a file, not a folder; name a folder for "
                                             "the outputs"])
    assert (default_project / "afile").read_text("utf-8") == "mine"


@pytest.mark.parametrize("target", ["sources/americas-2024.yaml", "locales/fr/LC_MESSAGES/reportgen.po"])
def test_extract_never_overwrites_an_input(default_project, cli, target):
    before = (default_project / target).read_bytes()
    run = cli("extract", "-o", target, cwd=default_project)
    assert (run.code, run.err_lines) == (1, [f"{target}: error: extract -o: is an input of the project (a source, "
                                             "a catalog or the config), not a template; write the template to a "
                                             ".pot file"])
    assert (default_project / target).read_bytes() == before
    assert cli("extract", "-o", "elsewhere.pot", cwd=default_project).code == 0


@pytest.fixture
def small_disk(tmp_path):
    """A 3 MB tmpfs (root only; skipped where it cannot be mounted)."""
    mnt = tmp_path / "disk"
    mnt.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a small tmpfs needs root and mount(8)")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mnt)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", str(mnt)], check=True)


def _fill(folder: Path, leave: int) -> None:
    """Fill the file system of ``folder`` until ``leave`` bytes are free."""
    st = os.statvfs(folder)
    free = st.f_bavail * st.f_frsize
    with (folder / "filler").open("wb") as f:
        f.write(b"\0" * max(0, free - leave))


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_full_disk_is_a_located_error(small_disk, jobs):
    shutil.copytree(REPO / "sources", small_disk / "sources")
    shutil.copytree(REPO / "locales", small_disk / "locales")
    env = dict(os.environ, PYTHONPATH=str(REPO), SOURCE_DATE_EPOCH="1705593600")

    def build(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "reportgen", "build", "--jobs", jobs, *args], cwd=small_disk,
                              env=env, capture_output=True, text=True, timeout=300)

    assert build("americas-2024", "--lang", "en").returncode == 0
    out = small_disk / "build" / "americas-2024"
    earlier = {p.name: p.read_bytes() for p in out.iterdir()}
    _fill(small_disk, 40_000)  # room for a file or two, not for all the rest
    done = build("--force")
    assert done.returncode == 1, done.stderr
    assert "internal error" not in done.stderr and "Traceback" not in done.stderr
    lines = done.stderr.splitlines()
    assert any(line.startswith(("build/", "build:")) and line.endswith(
        ": error: no space left on the device (or the disk quota is used up): nothing was written there; earlier "
        "outputs are unchanged") for line in lines), done.stderr
    leftovers = [p for p in small_disk.rglob("*") if p.name.endswith(".tmp")]
    assert leftovers == []
    for name, data in earlier.items():  # each earlier output is whole: the old one, or a new one complete
        now = (out / name).read_bytes()
        assert now == data or now[:4] in (b"%PDF", b"PK\x03\x04") and len(now) > 1000
    (small_disk / "filler").unlink()
    assert build().returncode == 0  # and the next build, with room again, works


def test_catalog_errors_are_capped_at_fifty_and_counted(default_project, cli):
    po = default_project / "locales" / "fr" / "LC_MESSAGES" / "reportgen.po"
    po.write_text(po.read_text("utf-8") + "".join(f'\nmsgctxt "bad:{i}"\nmsgid "x{i}"\nmsgstr "y \\q"\n'
                                                  for i in range(80)), "utf-8")
    run = cli("build", "--lang", "fr", "--format", "pdf", cwd=default_project)
    assert run.code == 1 and len(run.err_lines) == 51
    assert all(": error: invalid escape sequence" in line for line in run.err_lines[:50])
    assert run.err_lines[-1] == "reportgen: 30 more problems not shown (80 errors in all)"
