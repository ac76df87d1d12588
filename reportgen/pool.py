"""A process pool whose workers warm up while the caller is still preparing their work.

A build's serial start (parsing sources and catalogs, localizing, checking glyphs) and each
renderer's start (importing ReportLab or python-docx, loading fonts or a template) are independent,
so they should overlap. :class:`WarmPool` starts its processes at once, each with a *role* (here an
output format): a worker first calls ``warm(role)``, then runs the tasks submitted to its role. A
worker therefore imports only its own renderer, and a build on two CPUs renders PDF and DOCX side by
side once the parent has done its part. A worker may also *help* other roles: when its own queue is
empty it takes their tasks (paying their warm-up then), which evens out roles of unequal work. The
caller can lend a hand too (:meth:`WarmPool.run_here`), with roles of its own that no worker has: a
build with ``--jobs 2`` is this process and one worker. It is a :class:`concurrent.futures.Executor`:
``submit`` (any role) and ``submit_to`` (one role) return futures.

The processes are started in the constructor, before the pool starts any thread (forking a
threaded process can deadlock): the caller makes the pool before starting threads of its own, or
passes a non-fork context. Workers ignore SIGINT (the caller owns Ctrl-C and shuts the pool down)
and leave when their parent is gone.
"""

from __future__ import annotations

import collections
import concurrent.futures as cf
import gc
import itertools
import multiprocessing
import os
import queue
import signal
import threading
from multiprocessing.connection import wait
from typing import Any, Callable, Sequence


class WarmPool(cf.Executor):
    """``workers``: one entry per process, its role or (role, roles it helps, ...). ``local_roles``:
    roles whose tasks only the caller runs, in :meth:`run_here`."""

    def __init__(self, workers: Sequence[str | tuple[str, ...]], warm: Callable[[str], Any] | None = None,
                 context: Any = None, local_roles: Sequence[str] = ()):
        if not workers:
            raise ValueError("a pool needs at least one worker")
        plan = [(w,) if isinstance(w, str) else tuple(w) for w in workers]
        roles = [w[0] for w in plan]
        self.context = ctx = context or multiprocessing.get_context()
        self._queues = {role: ctx.Queue() for role in dict.fromkeys(r for w in plan for r in w)}
        self._local: dict[str, collections.deque] = {r: collections.deque() for r in local_roles
                                                     if r not in self._queues}
        self._results, results = ctx.Pipe(duplex=False)
        self._cancelled = ctx.Event()
        self._futures: dict[int, cf.Future] = {}
        self._roles: dict[int, str] = {}  # task -> role, while it is pending
        self._ids = itertools.count()
        self._lock = threading.Lock()
        self._reader: threading.Thread | None = None
        self._closed = False
        self._broken: str | None = None
        self._send_lock = lock = ctx.Lock()  # kept: a spawned worker unpickles it after __init__ returns
        self._procs = [ctx.Process(target=_work, args=(w, warm, [self._queues[r] for r in w], results, lock,
                                                       self._cancelled), daemon=True)
                       for w in plan]
        self._size = {role: roles.count(role) for role in self._queues}
        for p in self._procs:
            p.start()
        results.close()  # the workers hold the sending end: when all are gone, reading ends

    @property
    def roles(self) -> list[str]:
        return list(self._queues) + list(self._local)

    def submit(self, fn: Callable, /, *args: Any, **kwargs: Any) -> cf.Future:
        """Run ``fn(*args, **kwargs)`` on a worker of the role with the fewest pending tasks per worker."""
        with self._lock:
            pending: dict[str, int] = {}
            for role in self._roles.values():
                pending[role] = pending.get(role, 0) + 1
        role = min((r for r in self._queues if self._size[r]), key=lambda r: pending.get(r, 0) / self._size[r])
        return self.submit_to(role, fn, *args, **kwargs)

    def submit_to(self, role: str, fn: Callable, /, *args: Any, **kwargs: Any) -> cf.Future:
        if role not in self._queues and role not in self._local:
            raise ValueError(f"no worker has the role {role!r}")
        with self._lock:
            if self._closed:
                raise RuntimeError("cannot submit to a pool that was shut down")
            if self._broken:
                raise cf.BrokenExecutor(self._broken)
            future: cf.Future = cf.Future()
            task = next(self._ids)
            self._futures[task] = future
            self._roles[task] = role
            if self._reader is None:  # the first thread of this process's pool: every worker is started
                self._reader = threading.Thread(target=self._read, name="WarmPool results", daemon=True)
                self._reader.start()
            if role in self._local:
                self._local[role].append((task, fn, args, kwargs))
                return future
        self._queues[role].put((task, fn, args, kwargs))
        return future

    def pending(self, role: str) -> int:
        """Tasks of ``role`` not finished yet (queued or running)."""
        with self._lock:
            return sum(r == role for r in self._roles.values())

    def run_here(self, role: str) -> int:
        """Run tasks of ``role`` in this thread until none is left to take (the workers of that role,
        if any, go on with theirs); return how many. Tasks of a local role run only here."""
        local = self._local.get(role)
        done = 0
        while True:
            if local is not None:
                if not local:
                    return done
                task, fn, args, kwargs = local.popleft()
            else:
                try:
                    item = self._queues[role].get_nowait()
                except queue.Empty:
                    return done
                if item is None:  # shutting down: the stop signal is a worker's
                    self._queues[role].put(None)
                    return done
                task, fn, args, kwargs = item
            with self._lock:
                future = self._futures.pop(task, None)
                self._roles.pop(task, None)
            if future is None or not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(fn(*args, **kwargs))
            except BaseException as exc:  # noqa: BLE001 - the caller's future carries it
                future.set_exception(exc)
            done += 1

    def _read(self) -> None:
        reader = self._results
        sentinels = {p.sentinel: p for p in self._procs}
        while True:
            with self._lock:
                if not self._futures and (self._closed or self._broken):
                    return
            ready = wait([reader, *sentinels], timeout=0.5)
            if reader in ready:
                try:
                    task, ok, value = reader.recv()
                except EOFError:  # every worker has gone
                    self._fail(self._why(self._procs))
                    return
                with self._lock:
                    future = self._futures.pop(task, None)
                    self._roles.pop(task, None)
                if future is not None and future.set_running_or_notify_cancel():
                    future.set_result(value) if ok else future.set_exception(value)
                continue
            dead = [sentinels.pop(s) for s in ready if s in sentinels]
            if dead and not self._closed:  # a worker died (killed, out of memory): its task is lost
                self._fail(self._why(dead))
                return

    @staticmethod
    def _why(procs: list) -> str:
        for p in procs:
            p.join(1.0)
            code = p.exitcode
            if code:
                how = f"killed by signal {-code}" if code < 0 else f"exit status {code}"
                return f"a worker process ended abruptly ({how})"
        return "the worker processes ended"

    def _fail(self, why: str) -> None:
        with self._lock:
            self._broken = why
            futures, self._futures, self._roles = list(self._futures.values()), {}, {}
        for f in futures:
            if f.set_running_or_notify_cancel():
                f.set_exception(cf.BrokenExecutor(why))

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            for tasks in self._local.values():  # never run here: nobody else will
                while tasks:
                    task = tasks.popleft()[0]
                    self._roles.pop(task, None)
                    f = self._futures.pop(task, None)
                    if f is not None:
                        f.cancel()
            pending = list(self._futures.values())
            idle = not self._futures
        if cancel_futures:
            self._cancelled.set()  # workers skip what is still queued
            for f in pending:
                f.cancel()
        for role, q in self._queues.items():
            for _ in range(self._size[role]):
                q.put(None)
        if idle and cancel_futures:  # nothing submitted: only warming up, nothing to wait for
            for p in self._procs:
                p.terminate()
        if wait:
            for p in self._procs:
                p.join()
            if self._reader is not None:
                self._reader.join()
        for q in self._queues.values():
            q.close()
            q.join_thread()
        if wait:
            self._results.close()


def _work(roles: tuple[str, ...], warm: Callable[[str], Any] | None, queues: list, results: Any, lock: Any,
          cancelled: Any) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _watch_parent()
    own, helped = queues[0], list(zip(roles[1:], queues[1:]))
    _warm_up(warm, roles[0])
    gc.freeze()  # what the imports and the warm-up made stays: collections need not scan it again
    while True:
        try:  # with roles to help, look at them between short waits on its own queue
            item = own.get(timeout=0.005) if helped else own.get()
        except queue.Empty:
            item = _take(helped, warm)
            if item is None:
                continue
        if item is None:
            return
        task, fn, args, kwargs = item
        if cancelled.is_set():
            ok, value = False, cf.CancelledError()
        else:
            try:
                ok, value = True, fn(*args, **kwargs)
            except BaseException as exc:  # noqa: BLE001 - sent to the caller's future
                ok, value = False, exc
        try:
            data = _dumps((task, ok, value))
        except Exception as exc:  # noqa: BLE001 - a result or exception that does not pickle
            data = _dumps((task, False, RuntimeError(f"{type(value).__name__}: {value} ({exc})")))
        with lock:
            results.send_bytes(data)


def _watch_parent() -> None:
    """End this worker as soon as its parent is gone (killed): nobody wants its results, and it may
    be blocked for ever in the middle of a message the parent was sending."""
    parent = multiprocessing.parent_process()
    if parent is None:  # pragma: no cover - always set for a multiprocessing child
        return

    def watch() -> None:
        parent.join()  # returns when the parent's end of the sentinel pipe closes
        os._exit(1)

    threading.Thread(target=watch, name="parent watch", daemon=True).start()


def _warm_up(warm: Callable[[str], Any] | None, role: str) -> None:
    if warm is not None:
        try:
            warm(role)
        except Exception:  # noqa: BLE001 - the task that needs it reports the error itself
            pass


def _take(helped: list, warm: Callable[[str], Any] | None) -> Any:
    """A task from a role this worker helps, or None. It warms up for that role first, while the
    task is still in the queue for that role's own workers (no task waits on a warm-up)."""
    for entry in list(helped):
        role, q, *ready = entry
        if not ready:
            if q.empty():
                continue
            _warm_up(warm, role)
            helped[helped.index(entry)] = entry = (role, q, True)
        try:
            item = q.get_nowait()
        except queue.Empty:
            continue
        if item is None:  # that role is shutting down: its stop signal is not for this worker
            q.put(None)
            helped.remove(entry)
            continue
        return item
    return None


def _dumps(obj: Any) -> bytes:
    from multiprocessing.reduction import ForkingPickler

    return bytes(ForkingPickler.dumps(obj))
