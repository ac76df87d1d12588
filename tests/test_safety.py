"""Nothing half-written, nothing lost, nothing outside the project; exit statuses 1 and 2.

See docs/robustness.md for the policies these tests hold reportgen to.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
import yaml
from docx import Document
from pypdf import PdfReader

from reportgen import sources

from .conftest import EPOCH, REPO
from .test_bad_inputs import snapshot as _snapshot

STATE = ".reportgen-state.json"  # what the last build made (docs/scaling.md): not a report


def snapshot(folder: Path) -> dict[str, bytes]:
    return {k: v for k, v in _snapshot(folder).items() if k != STATE}

TEMP_RE = re.compile(r"^\.[a-z0-9-]+\.[a-z]{2}\.(pdf|docx)\.[A-Za-z0-9_]+\.\d+\.tmp$")


def valid_document(path: Path) -> bool:
    """A complete PDF (parses, ends with %%EOF) or DOCX (a sound zip python-docx opens)."""
    try:
        if path.suffix == ".pdf":
            data = path.read_bytes()
            return data.rstrip().endswith(b"%%EOF") and len(PdfReader(str(path)).pages) > 0
        with zipfile.ZipFile(path) as z:
            if z.testzip() is not None:
                return False
        Document(str(path))
        return True
    except Exception:  # noqa: BLE001 - any failure to read means "not a valid document"
        return False


def run_module(*args: str, cwd: Path) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(REPO), SOURCE_DATE_EPOCH=EPOCH)
    return subprocess.Popen([sys.executable, "-m", "reportgen", *args], cwd=cwd, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


# --------------------------------------------------------------------------- exit statuses


@pytest.fixture
def broken_pdf_renderer(monkeypatch):
    """The PDF renderer raises for French documents, as a bug would."""
    from reportgen.render import pdf

    real = pdf.render

    def render(doc, options):
        if doc.lang == "fr":
            raise RuntimeError("boom")
        return real(doc, options)

    monkeypatch.setattr(pdf, "render", render)


def test_internal_error_is_exit_2_with_one_line(default_project, cli, broken_pdf_renderer):
    run = cli("build", "-q", cwd=default_project)
    assert run.code == 2
    assert run.err_lines == ["reportgen: internal error: RuntimeError: boom (run again with --traceback for details)"]


def test_internal_error_summary_is_one_line_however_long_the_message(default_project, cli, monkeypatch):
    from reportgen.render import docx

    def render(doc, options):
        raise ValueError("first line\nsecond line\n" + "x" * 1000)

    monkeypatch.setattr(docx, "render", render)
    run = cli("build", "-q", cwd=default_project)
    assert run.code == 2
    assert len(run.err_lines) == 1
    assert run.err.startswith("reportgen: internal error: ValueError: first line second line xxx")
    assert run.err_lines[0].endswith("x… (run again with --traceback for details)")


def test_traceback_option_shows_the_traceback_and_keeps_exit_2(default_project, cli, broken_pdf_renderer):
    run = cli("build", "-q", "-j", "1", "--traceback", cwd=default_project)  # in-process: its own traceback
    assert run.code == 2
    assert run.err.startswith("Traceback (most recent call last):")
    assert run.err_lines[-1] == "RuntimeError: boom"
    assert "in render" in run.err


def test_wrong_arguments_are_exit_1(default_project, cli):
    with pytest.raises(SystemExit) as info:
        cli("build", "--no-such-option", cwd=default_project)
    assert info.value.code == 1


def test_too_many_errors_stop_early(default_project, cli):
    keys = "".join(f"unknown{i}: x\n" for i in range(150))
    (default_project / "sources" / "noisy.yaml").write_text("title: T\n" + keys + "sections: []\n", "utf-8")
    run = cli("build", "-q", cwd=default_project)
    assert run.code == 1
    assert len(run.err_lines) == 51  # the CLI prints the first 50 problems and a count
    assert run.err_lines[0] == "sources/noisy.yaml:2:1: error: unknown0: unknown key"
    assert run.err_lines[-1] == "reportgen: 51 more problems not shown (101 errors in all)"


def test_file_size_limit(default_project, cli, monkeypatch):
    monkeypatch.setattr(sources, "MAX_BYTES", 4000)  # the real limit is 10 MB
    (default_project / "sources" / "big.yaml").write_text("title: T\n" + "# padding\n" * 400, "utf-8")
    run = cli("build", "-q", cwd=default_project)
    assert (run.code, run.err_lines) == (1, ["sources/big.yaml: error: file too large (4009 bytes; the limit is 4000)"])


# --------------------------------------------------------------------------- nothing lost


def test_failed_render_of_one_language_keeps_every_other_output(default_project, cli, monkeypatch):
    assert cli("build", "-q", cwd=default_project).code == 0
    before = snapshot(default_project / "build")
    assert len(before) == 16
    from reportgen.render import pdf

    real = pdf.render
    monkeypatch.setattr(pdf, "render", lambda doc, o: (_ for _ in ()).throw(RuntimeError("boom"))
                        if doc.lang == "fr" else real(doc, o))
    assert cli("build", "-q", "--force", cwd=default_project).code == 2
    assert snapshot(default_project / "build") == before  # nothing deleted, nothing truncated, no temp file


def test_failed_catalog_of_one_language_writes_nothing(default_project, cli):
    assert cli("build", "-q", cwd=default_project).code == 0
    before = snapshot(default_project / "build")
    po = default_project / "locales" / "pt" / "LC_MESSAGES" / "reportgen.po"
    header, blank, rest = po.read_text("utf-8").partition("\n\n")  # damage translations, not the header
    po.write_text(header + blank + rest.replace('msgstr "', 'msgstr "\x07', 2), "utf-8")
    run = cli("build", "-q", cwd=default_project)
    assert run.code == 1 and "U+0007" in run.err
    assert snapshot(default_project / "build") == before


def big_source(i: int, bullets: int, words: str) -> str:
    doc = {"id": f"big-{i}", "title": f"Big report {i}", "event": {"date": "2024-01-18"},
           "sections": [{"id": "s", "heading": "Findings", "body": [
               {"id": "intro", "paragraph": words},
               {"id": "items", "bullets": [{"id": f"b{j}", "text": f"{words} number {j}"} for j in range(bullets)]}]}]}
    return yaml.safe_dump(doc, width=1000)


def test_kill_during_a_build_leaves_every_output_whole(default_project, cli):
    """kill -9 in the middle of a long build: documents are rendered to hidden temporary files and
    put in place only when all are done, so every output is still the previous one, byte for byte;
    the leftovers are those temporary files, which the next build removes."""
    root = default_project
    shutil.rmtree(root / "sources")
    (root / "sources").mkdir()
    n = 4
    for i in range(n):
        (root / "sources" / f"big-{i}.yaml").write_text(big_source(i, 3, "small"), "utf-8")
    assert cli("build", "-q", "--lang", "en,fr", cwd=root).code == 0
    out = root / "build"
    before = snapshot(out)
    assert len(before) == n * 2 * 2
    for i in range(n):  # now the same documents, much longer: the next build takes seconds
        (root / "sources" / f"big-{i}.yaml").write_text(big_source(i, 2500, "a longer text of findings"), "utf-8")

    proc = run_module("build", "-q", "--lang", "en,fr", cwd=root)
    deadline = time.monotonic() + 120
    temps: list[Path] = []
    while not temps and time.monotonic() < deadline and proc.poll() is None:
        temps = [p for p in out.rglob(".*.tmp") if p.stat().st_size]  # a document is being written
        time.sleep(0.01)
    assert proc.poll() is None, "the build ended before it could be killed; make the project bigger"
    workers = _children(proc.pid)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    proc.stdout.close()
    proc.stderr.close()
    assert temps
    deadline = time.monotonic() + 10  # the workers notice that their parent is gone, and stop
    while any(_running(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [pid for pid in workers if _running(pid)]

    after = {p.relative_to(out).as_posix(): p for p in out.rglob("*") if p.is_file() and p.name != STATE}
    reports = {name for name in after if not name.rsplit("/", 1)[-1].startswith(".")}
    assert reports == set(before)  # no report missing, no stray visible file
    assert all(after[name].read_bytes() == before[name] for name in reports)  # all untouched
    leftovers = [p.name for name in after if (p := after[name]).name.startswith(".")]
    assert leftovers and all(TEMP_RE.match(name) for name in leftovers), leftovers

    # the next build removes the temporary files the killed one left, and puts the new documents in place
    assert cli("build", "-q", "--lang", "en,fr", cwd=root).code == 0
    assert not list(out.rglob(".*.tmp"))
    assert all(valid_document(out / name) and (out / name).read_bytes() != before[name] for name in before)


def test_ctrl_c_during_a_build_changes_nothing(default_project):
    """Ctrl-C while the workers render: exit 130 with one line, no traceback; the outputs, the
    state file and the folders are as they were; no worker is left."""
    root = default_project
    shutil.rmtree(root / "sources")
    (root / "sources").mkdir()
    for i in range(4):
        (root / "sources" / f"big-{i}.yaml").write_text(big_source(i, 1500, "a longer text of findings"), "utf-8")
    proc = run_module("build", "--lang", "en,fr", cwd=root)
    deadline = time.monotonic() + 60
    while not list((root / "build").rglob(".*.tmp")) and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.01)
    assert proc.poll() is None, "the build ended before it could be interrupted; make the project bigger"
    workers = _children(proc.pid)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert (proc.returncode, err.decode()) == (130, "reportgen: interrupted\n")
    assert not (root / "build").exists()
    deadline = time.monotonic() + 10
    while any(_running(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [pid for pid in workers if _running(pid)]


def _children(pid: int) -> list[int]:
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


def _running(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_two_builds_into_one_folder_leave_only_valid_files(default_project):
    procs = [run_module("build", "-q", cwd=default_project) for _ in range(2)]
    for proc in procs:
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err.decode()
    files = sorted(p for p in (default_project / "build").rglob("*") if p.is_file() and p.name != STATE)
    assert len(files) == 16
    assert all(not p.name.startswith(".") and valid_document(p) for p in files)


def test_stale_temp_files_of_dead_builds_are_removed_and_live_ones_kept(default_project, cli):
    folder = default_project / "build" / "africa-2024"
    folder.mkdir(parents=True)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_pid = int(dead.stdout)
    stale = folder / f".africa-2024.en.pdf.abc123.{dead_pid}.tmp"
    live = folder / f".africa-2024.en.pdf.def456.{os.getpid()}.tmp"  # a build running now (this process)
    other = folder / f".notes.txt.abc.{dead_pid}.tmp"  # not ours: never touched
    for p in (stale, live, other):
        p.write_bytes(b"partial")
    assert cli("build", "-q", "africa-2024", "--lang", "en", "--format", "pdf", cwd=default_project).code == 0
    assert not stale.exists()
    assert live.exists() and other.exists()


# --------------------------------------------------------------------------- confinement


def test_source_symlink_out_of_the_project_is_refused(tmp_path, cli):
    root = tmp_path / "p"
    from .conftest import copy_default_project

    copy_default_project(root)
    secret = tmp_path / "secret.yaml"
    secret.write_text("title: Private notes\nsections: [{id: a, body: [{paragraph: secret}]}]\n", "utf-8")
    (root / "sources" / "notes.yaml").symlink_to(secret)
    run = cli("build", "-q", cwd=root)
    assert run.code == 1
    assert run.err_lines == [f"sources/notes.yaml: error: is a symbolic link to {secret.resolve()}, outside the project; "
                             "copy the file into the project"]
    assert not (root / "build").exists()


def test_source_symlink_inside_the_project_is_followed(default_project, cli):
    shared = default_project / "shared"
    shared.mkdir()
    (default_project / "sources" / "africa-2024.yaml").rename(shared / "africa-2024.yaml")
    (default_project / "sources" / "africa-2024.yaml").symlink_to(Path("..") / "shared" / "africa-2024.yaml")
    assert cli("build", "-q", "africa-2024", "--lang", "en", cwd=default_project).code == 0


def test_catalog_symlink_out_of_the_project_is_refused(tmp_path, default_project, cli):
    po = default_project / "locales" / "fr" / "LC_MESSAGES" / "reportgen.po"
    outside = tmp_path / "elsewhere.po"
    po.rename(outside)
    po.symlink_to(outside)
    run = cli("build", "-q", cwd=default_project)
    assert run.code == 1
    assert run.err_lines == [f"locales/fr/LC_MESSAGES/reportgen.po: error: is a symbolic link to {outside.resolve()}, "
                             "outside the project; copy the file into the project"]


def test_output_folder_symlink_out_of_the_output_folder_is_refused(tmp_path, default_project, cli):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (default_project / "build").mkdir()
    (default_project / "build" / "africa-2024").symlink_to(elsewhere)
    run = cli("build", "-q", cwd=default_project)
    assert run.code == 1
    assert run.err_lines == [f"build/africa-2024/africa-2024.en.docx: error: leads outside the output folder "
                             f"(to {elsewhere.resolve()}/africa-2024.en.docx); remove the symbolic link"]
    assert list(elsewhere.iterdir()) == []
    assert not (default_project / "build" / "americas-2024").exists()  # checked before writing anything


def test_output_folder_that_is_a_symlink_out_of_the_project_is_refused(tmp_path, default_project, cli):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (default_project / "build").symlink_to(elsewhere)
    run = cli("build", "-q", cwd=default_project)
    assert run.code == 1
    assert run.err_lines == [f"build: error: the output folder leads outside the project (to {elsewhere.resolve()}); "
                             "use --out to write elsewhere"]
    assert list(elsewhere.iterdir()) == []
    assert cli("build", "-q", "--out", str(elsewhere), cwd=default_project).code == 0  # explicitly: fine


def test_a_folder_where_a_report_goes_is_an_error(default_project, cli):
    (default_project / "build" / "africa-2024" / "africa-2024.en.pdf").mkdir(parents=True)
    run = cli("build", "-q", "africa-2024", cwd=default_project)
    assert (run.code, run.err_lines) == (1, ["build/africa-2024/africa-2024.en.pdf: error: is not a regular file; remove it"])


@pytest.mark.parametrize("arg", ["../secret", "..", "a/b", "Americas"])
def test_source_arguments_cannot_walk_out(default_project, cli, arg):
    run = cli("build", arg, cwd=default_project)
    assert run.code == 1
    assert run.err_lines == [f"reportgen: error: {arg!r} is not a source id (lowercase letters, digits and '-') nor a .yaml file"]


def test_out_option_may_name_any_folder(tmp_path, default_project, cli):
    """--out is the user's explicit choice, unlike output_dir in a project's config."""
    dist = tmp_path / "dist"
    assert cli("build", "-q", "africa-2024", "--lang", "en", "--out", str(dist), cwd=default_project).code == 0
    assert sorted(p.name for p in (dist / "africa-2024").iterdir()) == ["africa-2024.en.docx", "africa-2024.en.pdf"]
