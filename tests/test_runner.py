"""The build's runner (reportgen.build.runner): serial, a standard process pool capped by the number
of documents, or any executor; and the ``reportgen`` process ends with its work, leaving no process
behind and no complaint about a reader that went away."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from reportgen.build.runner import Outcome, Runner, Work, running
from reportgen.render import RenderOptions

from .conftest import EPOCH, REPO

TIMEOUT = 120


def _work(tmp_path: Path, fmt: str, n: int) -> list[Work]:
    from reportgen.build.pipeline import load_reports, load_translators
    from reportgen.localize import language_tag, localize
    from reportgen.project import load_project, resolve_sources

    settings = load_project(REPO).settings
    report = load_reports(settings, resolve_sources(settings, ["americas-2024"]))[0][1]
    doc = localize(report, load_translators(settings, ["fr"])["fr"], language_tag("fr")).report
    return [Work(fmt, doc, RenderOptions(), tmp_path / f"{i}.{fmt}") for i in range(n)]


def test_serial_runner_renders_at_once(tmp_path):
    runner = Runner()
    for w in _work(tmp_path, "docx", 2):
        runner.submit(w)
        assert w.tmp.stat().st_size > 0  # done when submitted
    outcomes = dict(runner.outcomes())
    assert sorted(outcomes) == [0, 1]
    assert all(isinstance(o, Outcome) and o.size == (tmp_path / "0.docx").stat().st_size for o in outcomes.values())


def test_a_failure_is_an_outcome_not_a_stop(tmp_path):
    works = _work(tmp_path, "docx", 2)
    works[0].tmp.write_bytes(b"there already")  # the runner creates its file: it must not exist
    runner = Runner()
    for w in works:
        runner.submit(w)
    outcomes = dict(runner.outcomes())
    assert isinstance(outcomes[0], FileExistsError) and isinstance(outcomes[1], Outcome)


def test_process_pool_has_no_more_workers_than_documents(tmp_path):
    works = _work(tmp_path, "pdf", 3)
    with running(16, {"pdf": len(works)}, RenderOptions()) as runner:
        for w in works:
            runner.submit(w)
        assert 1 <= len(multiprocessing.active_children()) <= 3
        outcomes = dict(runner.outcomes())
    assert multiprocessing.active_children() == []  # the pool is shut down with the block
    assert all(isinstance(o, Outcome) and o.pages == 2 for o in outcomes.values())
    assert len({w.tmp.read_bytes() for w in works}) == 1  # the same document, the same bytes


def test_one_job_or_one_document_stays_in_this_process(tmp_path):
    for jobs, documents in ((1, 5), (4, 1)):
        with running(jobs, {"docx": documents}, RenderOptions()) as runner:
            assert runner.executor is None


def test_any_executor_serves_and_is_left_to_its_owner(tmp_path):
    works = _work(tmp_path, "docx", 4)
    with ThreadPoolExecutor(2) as ex:
        with running(2, {"docx": len(works)}, RenderOptions(), executor=ex) as runner:
            assert runner.executor is ex
            for w in works:
                runner.submit(w)
            outcomes = dict(runner.outcomes())
        assert ex.submit(int, "7").result() == 7  # still open: the caller shuts it down
    assert len({w.tmp.read_bytes() for w in works}) == 1 and len(outcomes) == 4


def test_an_error_in_the_block_cancels_and_waits(tmp_path):
    works = _work(tmp_path, "docx", 6)
    gate = threading.Event()
    with ThreadPoolExecutor(1) as ex:
        ex.submit(gate.wait)  # the one thread is busy: the work queues behind it
        with pytest.raises(KeyboardInterrupt):
            with running(2, {"docx": len(works)}, RenderOptions(), executor=ex) as runner:
                for w in works:
                    runner.submit(w)
                threading.Timer(0.2, gate.set).start()
                raise KeyboardInterrupt
        assert all(f.cancelled() for f in runner.futures)
    assert not any(w.tmp.exists() for w in works)


# --------------------------------------------------------------------------- the process's end


def _env() -> dict[str, str]:
    return dict(os.environ, PYTHONPATH=str(REPO), SOURCE_DATE_EPOCH=EPOCH)


def _read_to_eof(cmd: list[str], cwd: Path) -> tuple[int, str, str]:
    """Run ``cmd`` with its output piped, as ``cmd | cat`` does: the reader sees the end of its
    input only when no process holds the pipe any more, the command nor anything it started."""
    proc = subprocess.Popen(cmd, cwd=cwd, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        out, err = proc.communicate(timeout=TIMEOUT)  # reads both pipes to their end
    except subprocess.TimeoutExpired:
        proc.kill()
        raise AssertionError("a process outlived the command and kept its output open") from None
    return proc.returncode, out, err


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_build_piped_ends_with_the_build(default_project, jobs):
    code, out, err = _read_to_eof([sys.executable, "-m", "reportgen", "build", "-j", jobs], default_project)
    assert (code, err) == (0, "")
    assert out.splitlines()[-1].startswith("16 documents built in ")


def test_a_failed_build_leaves_no_process_either(default_project):
    (default_project / "sources" / "zz-broken.yaml").write_text("id: [unclosed\n", "utf-8")
    code, out, err = _read_to_eof([sys.executable, "-m", "reportgen", "build", "-j", "2"], default_project)
    assert code == 1 and out == "" and "zz-broken.yaml:2:1: error: YAML syntax" in err
    assert not (default_project / "build").exists()


@pytest.mark.parametrize("executor", ["None", "ThreadPoolExecutor(3)"])
def test_the_library_leaves_no_process_behind(default_project, executor):
    script = f"""
from concurrent.futures import ThreadPoolExecutor
from reportgen import build_project, load_project
result = build_project(load_project("."), jobs=2, executor={executor})
print(len(result.built), flush=True)
"""
    code, out, err = _read_to_eof([sys.executable, "-c", script], default_project)
    assert (code, out, err) == (0, "16\n", "")


def test_build_into_head_exits_quietly(default_project):
    """``reportgen build | head -1``: the reader goes after one line; the build carries on to its
    end, says nothing about the closed pipe and exits 0."""
    proc = subprocess.Popen([sys.executable, "-m", "reportgen", "build", "-j", "2"], cwd=default_project,
                            env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    first = proc.stdout.readline()
    proc.stdout.close()
    with proc.stderr:
        err = proc.stderr.read()
    assert proc.wait(timeout=TIMEOUT) == 0
    assert first.startswith("built build/") and err == ""
    assert len(list((default_project / "build").rglob("*.pdf"))) == 8
    assert len(list((default_project / "build").rglob("*.docx"))) == 8
