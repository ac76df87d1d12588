"""The build's process pool (reportgen.build.pool.WarmPool): workers warm up for a role, run the tasks
of that role, report errors and dead workers, and never outlive their parent."""

from __future__ import annotations

import concurrent.futures as cf
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

import pytest

from reportgen.build.pipeline import plan_slots
from reportgen.build.pool import start

from .conftest import REPO

_WARMED: list[str] = []


def _warm(role: str) -> None:
    _WARMED.append(role)


def _whoami(_: int) -> tuple[list[str], int]:
    return list(_WARMED), os.getpid()


def _fail(message: str) -> None:
    raise ValueError(message)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as f:  # a zombie is gone too, only not yet reaped
        return f.read().split(") ")[1][0] != "Z"


@pytest.mark.parametrize("jobs, costs, slots", [
    # this process (slot 0) takes DOCX, quickest to start, after reading the inputs; a worker takes PDF
    (2, {"docx": 50, "pdf": 80}, [("docx",), ("pdf",)]),
    # long reports: this process would be done long before the PDFs, so it helps with them
    (2, {"docx": 150, "pdf": 300}, [("docx", "pdf"), ("pdf",)]),
    (3, {"docx": 150, "pdf": 300}, [("docx",), ("pdf",), ("pdf",)]),
    (4, {"docx": 50, "pdf": 80}, [("docx",), ("pdf",), ("pdf",), ("pdf",)]),
    (2, {"pdf": 80}, [("pdf",), ("pdf",)]),
    (2, {"docx": 0, "pdf": 80}, [("pdf",), ("pdf",)]),
    (1, {"docx": 50, "pdf": 80}, [("docx", "pdf")]),
])
def test_plan_slots(jobs, costs, slots):
    assert plan_slots(jobs, costs) == slots


def test_tasks_run_in_workers_warmed_for_their_role():
    with start([("a",), ("b",), ("b",)], _warm) as pool:
        a = [pool.submit_to("a", _whoami, i) for i in range(4)]
        b = [pool.submit_to("b", _whoami, i) for i in range(6)]
        anywhere = pool.submit(_whoami, 0)
        results_a = [f.result(timeout=60) for f in a]
        results_b = [f.result(timeout=60) for f in b]
        assert {tuple(w) for w, _ in results_a} == {("a",)}
        assert {tuple(w) for w, _ in results_b} == {("b",)}
        assert len({pid for _, pid in results_a}) == 1 and os.getpid() not in {pid for _, pid in results_b}
        assert anywhere.result(timeout=60)[0] in (["a"], ["b"])
        with pytest.raises(ValueError, match="^broken input$"):
            pool.submit_to("a", _fail, "broken input").result(timeout=60)
        with pytest.raises(RuntimeError, match="^_Unpicklable: .*pickle"):
            pool.submit_to("a", _unpicklable).result(timeout=60)


class _Unpicklable(Exception):
    def __init__(self):
        super().__init__()
        self.handle = lambda: None


def _unpicklable() -> None:
    raise _Unpicklable()


def test_a_worker_helps_another_role_when_its_own_queue_is_empty():
    with start([("a", "b"), ("b",)], _warm) as pool:
        helper, owner = (w.pid for w in pool._workers)
        results = [f.result(timeout=60) for f in [pool.submit_to("b", _slow_whoami, i) for i in range(8)]]
    assert {pid for _, pid in results} == {helper, owner}  # both served role b
    assert {tuple(w) for w, pid in results if pid == helper} == {("a", "b")}  # warmed for b before helping


def _slow_whoami(i: int) -> tuple[list[str], int]:
    time.sleep(0.1)
    return _whoami(i)


def test_the_caller_runs_its_own_roles_and_helps_others():
    with start([("b",)], None, local_roles=["a"]) as pool:
        assert set(pool.roles) == {"a", "b"}
        mine = [pool.submit_to("a", _whoami, i) for i in range(3)]
        assert not any(f.done() for f in mine)  # a local role waits for the caller
        assert pool.run_here("a") == 3
        assert {f.result()[1] for f in mine} == {os.getpid()}
        theirs = [pool.submit_to("b", _slow_whoami, i) for i in range(6)]
        helped = pool.run_here("b")
        pids = [f.result(timeout=60)[1] for f in theirs]
        assert 1 <= helped < 6 and pids.count(os.getpid()) == helped
        assert pool.pending("b") == 0
        with pytest.raises(ValueError, match="no worker has the role 'c'"):
            pool.submit_to("c", _whoami, 0)
        never = pool.submit_to("a", _whoami, 0)
    assert never.cancelled()  # a local task nobody ran is cancelled at shutdown


def test_a_killed_worker_breaks_the_pool_instead_of_hanging():
    pool = start([("a",)])
    slow = pool.submit(time.sleep, 30)
    time.sleep(0.3)
    os.kill(pool._workers[0].pid, signal.SIGKILL)
    with pytest.raises(cf.BrokenExecutor, match=r"ended abruptly \(killed by signal 9\)"):
        slow.result(timeout=10)
    with pytest.raises(cf.BrokenExecutor):
        pool.submit(time.sleep, 0)
    pool.shutdown()


def _warm_for_ever(role: str) -> None:
    time.sleep(3600)


def test_cancelling_stops_the_workers_at_once():
    """Tasks not started are cancelled, even those already waiting in a warming worker's pipe."""
    pool = start([("a",), ("b",)], _warm_for_ever)
    pids = [w.pid for w in pool._workers]
    queued = pool.submit_to("a", time.sleep, 0)
    assert pool._inflight[pids[0]]  # handed to the worker, which is still warming up
    t0 = time.monotonic()
    pool.shutdown(cancel_futures=True)
    assert time.monotonic() - t0 < 5
    assert queued.cancelled()
    assert not any(_alive(pid) for pid in pids)
    with pytest.raises(RuntimeError, match="shut down"):
        pool.submit(time.sleep, 0)


def test_shutdown_waits_for_every_task():
    pool = start([("a",)])
    futures = [pool.submit(_slow_whoami, i) for i in range(3)]
    pool.shutdown()
    assert all(f.done() and not f.cancelled() for f in futures)
    assert not _alive(pool._workers[0].pid)


def test_shutdown_without_waiting_then_waiting():
    """The build lets its workers go as soon as the last document is rendered (shutdown(wait=False)),
    then commits, then waits for them: the second call must wait, not deadlock or close twice."""
    for _ in range(20):  # the race between the workers' exit and the second call
        pool = start([("a",), ("b",)])
        futures = [pool.submit(_whoami, i) for i in range(4)]
        assert all(f.result(timeout=10) for f in futures)
        pool.shutdown(wait=False)
        second = threading.Thread(target=pool.shutdown, daemon=True)
        second.start()
        second.join(timeout=10)
        assert not second.is_alive(), "shutdown() after shutdown(wait=False) deadlocked"
        assert not any(_alive(w.pid) for w in pool._workers)
        pool.shutdown(cancel_futures=True)  # a third call, as on an error after the commit: no effect


def test_workers_leave_when_their_parent_is_killed():
    code = textwrap.dedent("""
        import sys, time
        from reportgen.build.pool import start
        pool = start([("a",), ("b",)])
        print(*[w.pid for w in pool._workers], flush=True)
        time.sleep(60)
    """)
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True,
                            env=dict(os.environ, PYTHONPATH=str(REPO)))
    pids = [int(x) for x in proc.stdout.readline().split()]
    assert len(pids) == 2 and all(_alive(pid) for pid in pids)
    proc.kill()
    proc.wait()
    proc.stdout.close()
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_alive(pid) for pid in pids)
