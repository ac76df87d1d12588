"""A process pool whose workers warm up while the caller is still preparing their work.

A build's serial start (parsing sources and catalogs, localizing, checking glyphs) and each
renderer's start (importing ReportLab or python-docx, loading fonts or a template) are independent,
so they should overlap. The workers are forked at once (:func:`reportgen.workers.fork`, before this
module is even imported), each with a *role* (here an output format): a worker first calls
``warm(role)``, then runs the tasks of its role. A worker therefore imports only its own renderer,
and a build on two CPUs renders PDF and DOCX side by side once the parent has done its part.

Tasks wait in this process, one queue per role, and go to a worker two at a time (the next waits in
its pipe, so the worker never idles while this process is busy): a slow worker holds at most one
task that another could have run. A worker's first two tasks wait in its pipe while it warms up, so
that it starts on them the moment it is warm. A worker may also *help* other roles: when
its own queue is empty it is told to warm up for another role, and takes that role's tasks once it
has. The caller can lend a hand too (:meth:`WarmPool.run_here`), including with roles of its own
that no worker has: a build with ``--jobs 2`` is this process and one worker.

It is a :class:`concurrent.futures.Executor`: ``submit`` (any role) and ``submit_to`` (one role)
return futures. Linux only (it forks): elsewhere, or when the caller runs other threads, the build
uses a standard process pool.
"""

from __future__ import annotations

import collections
import concurrent.futures as cf
import itertools
import os
import select
import threading
from typing import Any, Callable, Sequence

from . import workers as workers_module
from .workers import Worker, receive, send


_AHEAD = 2  # tasks sent to a worker before it has finished the first


class WarmPool(cf.Executor):
    """Tasks for ``workers`` started by :func:`reportgen.workers.fork`; ``local_roles``: roles whose
    tasks only the caller runs, in :meth:`run_here`."""

    def __init__(self, started: tuple[list[Worker], int], local_roles: Sequence[str] = ()):
        self._workers, self._life_fd = started
        if not self._workers:
            raise ValueError("a pool needs at least one worker")
        roles = [r for w in self._workers for r in w.roles] + list(local_roles)
        self._queues: dict[str, collections.deque] = {r: collections.deque() for r in dict.fromkeys(roles)}
        self._own = {r: [w for w in self._workers if w.roles[0] == r] for r in self._queues}
        self._local = {r for r in local_roles if not self._own[r]}
        self._warm: set[int] = set()  # pids of workers ready for tasks (not warming up)
        self._started: set[int] = set()  # pids of workers that have finished their first warm-up
        self._inflight: dict[int, list[int]] = {w.pid: [] for w in self._workers}  # tasks sent, not done
        self._helps: dict[int, set[str]] = {w.pid: set() for w in self._workers}  # roles it is warm for
        self._futures: dict[int, cf.Future] = {}
        self._role_of: dict[int, str] = {}  # task -> role, while it is pending
        self._ids = itertools.count()
        self._lock = threading.RLock()
        self._closed = False
        self._stopping = False  # shutdown has begun
        self._broken: str | None = None
        self._reader = threading.Thread(target=self._read, name="WarmPool results", daemon=True)
        self._reader.start()

    @property
    def roles(self) -> list[str]:
        return list(self._queues)

    # ------------------------------------------------------------------ submitting

    def submit(self, fn: Callable, /, *args: Any, **kwargs: Any) -> cf.Future:
        """Run ``fn(*args, **kwargs)`` on a worker of the role with the fewest pending tasks per worker."""
        with self._lock:
            role = min((r for r in self._queues if self._own[r]),
                       key=lambda r: (len(self._queues[r]) + 1) / len(self._own[r]))
        return self.submit_to(role, fn, *args, **kwargs)

    def submit_to(self, role: str, fn: Callable, /, *args: Any, **kwargs: Any) -> cf.Future:
        if role not in self._queues:
            raise ValueError(f"no worker has the role {role!r}")
        with self._lock:
            if self._closed:
                raise RuntimeError("cannot submit to a pool that was shut down")
            if self._broken:
                raise cf.BrokenExecutor(self._broken)
            future: cf.Future = cf.Future()
            task = next(self._ids)
            self._futures[task] = future
            self._role_of[task] = role
            self._queues[role].append((task, fn, args, kwargs))
            self._dispatch()
        return future

    def pending(self, role: str) -> int:
        """Tasks of ``role`` not finished yet (queued or running)."""
        with self._lock:
            return sum(r == role for r in self._role_of.values())

    def run_here(self, role: str) -> int:
        """Run queued tasks of ``role`` in this thread until none is left (the workers of that role,
        if any, go on with theirs); return how many. Tasks of a local role run only here."""
        done = 0
        while True:
            with self._lock:
                if not self._queues[role]:
                    return done
                task, fn, args, kwargs = self._queues[role].popleft()
                future = self._futures.pop(task, None)
                self._role_of.pop(task, None)
            if future is None or not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(fn(*args, **kwargs))
            except BaseException as exc:  # noqa: BLE001 - the caller's future carries it
                future.set_exception(exc)
            done += 1

    # ------------------------------------------------------------------ dispatching (under the lock)

    def _dispatch(self) -> None:
        """Give each warm worker up to ``_AHEAD`` tasks (the next one waits in its pipe, so it never
        idles while this process is busy), its own role's first, then those of roles it helps. A
        worker still in its first warm-up gets its own role's first tasks at once: they wait in its
        pipe, and it starts on them as soon as it is warm, instead of once this process has heard
        of it (a busy process's other thread waits up to 5 ms for Python's lock)."""
        for w in self._workers:
            inflight = self._inflight[w.pid]
            if w.pid not in self._started:
                while len(inflight) < _AHEAD and self._queues[w.roles[0]]:
                    self._hand(w, w.roles[0])
                continue
            if w.pid not in self._warm:  # warming up for a role it helps with
                continue
            while len(inflight) < _AHEAD:
                role = next((r for r in w.roles if self._queues[r]), None)
                if role is None:
                    break
                if role != w.roles[0] and role not in self._helps[w.pid]:
                    if not inflight:  # warm up for it first, so that no task waits on a warm-up
                        self._warm.discard(w.pid)
                        self._post(w, ("warm", role))
                    break
                self._hand(w, role)

    def _hand(self, w: Worker, role: str) -> None:
        """Send ``w`` the next queued task of ``role``."""
        task, fn, args, kwargs = self._queues[role].popleft()
        self._inflight[w.pid].append(task)
        self._post(w, ("task", task, fn, args, kwargs))

    def _post(self, w: Worker, message: Any) -> None:
        try:
            send(w.send_fd, message)
        except OSError:  # it died; the reader finds out and fails its task
            pass

    # ------------------------------------------------------------------ results

    def _read(self) -> None:
        poller = select.poll()
        by_fd = {w.recv_fd: w for w in self._workers}
        for fd in by_fd:
            poller.register(fd, select.POLLIN)
        while by_fd:
            for fd, _ in poller.poll():
                w = by_fd[fd]
                try:
                    message = receive(fd)
                except (EOFError, OSError):
                    poller.unregister(fd)
                    del by_fd[fd]
                    self._gone(w)
                    continue
                self._handle(w, message)

    def _handle(self, w: Worker, message: tuple) -> None:
        future = None
        with self._lock:
            if message[0] == "done":
                _, task, ok, value = message
                self._inflight[w.pid].remove(task)
                future = self._futures.pop(task, None)
                self._role_of.pop(task, None)
            elif message[0] == "warmed":
                self._helps[w.pid].add(message[1])
            if message[0] != "done":  # "ready" once warm, or "warmed" for a role it helps
                self._warm.add(w.pid)
                self._started.add(w.pid)
            if not self._closed:
                self._dispatch()
        if future is not None and future.set_running_or_notify_cancel():
            future.set_result(value) if ok else future.set_exception(value)

    def _gone(self, w: Worker) -> None:
        """A worker's pipe closed: expected once the pool is shut down; otherwise it died, and with
        it the task it ran: the pool is broken."""
        _, status = os.waitpid(w.pid, 0)
        with self._lock:
            self._warm.discard(w.pid)
            lost = self._inflight.pop(w.pid, [])
            futures = [self._futures.pop(t) for t in lost if t in self._futures]
            if not self._closed:
                code = os.waitstatus_to_exitcode(status)
                how = f"killed by signal {-code}" if code < 0 else f"exit status {code}"
                self._broken = f"a worker process ended abruptly ({how})"
                futures += list(self._futures.values())
                self._futures.clear()
                self._role_of.clear()
                for q in self._queues.values():
                    q.clear()
        for f in futures:
            if f.set_running_or_notify_cancel():
                f.set_exception(cf.BrokenExecutor(self._broken or "the pool was shut down"))

    # ------------------------------------------------------------------ stopping

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Without ``cancel_futures``, wait for every task submitted (tasks of a local role that the
        caller never ran are cancelled); with it, drop what is queued and stop the workers at once,
        even in the middle of a task. Once shut down without waiting, a call with ``wait`` waits
        for the workers to end."""
        with self._lock:
            again, self._stopping = self._stopping, True
        if again:
            if wait and self._reader is not threading.current_thread():
                self._reader.join()
            return
        with self._lock:
            dropped = []
            for role, q in self._queues.items():
                if cancel_futures or role in self._local:
                    dropped += [self._futures.pop(item[0], None) for item in q]
                    for item in q:
                        self._role_of.pop(item[0], None)
                    q.clear()
            pending = list(self._futures.values())
        for f in dropped + (pending if cancel_futures else []):
            if f is not None:
                f.cancel()
        if wait and not cancel_futures:
            cf.wait(pending)
        with self._lock:
            self._closed = True
        for w in self._workers:
            self._post(w, None)
            os.close(w.send_fd)
        if cancel_futures:
            os.close(self._life_fd)  # every worker ends now (its task's temporary file is the caller's)
        if wait:
            self._reader.join()
        if not cancel_futures:
            os.close(self._life_fd)


def start(plan: Sequence[tuple[str, ...]], warm: Callable[[str], Any] | None = None,
          local_roles: Sequence[str] = ()) -> WarmPool:
    """Fork the workers and make their pool (the build forks first, then imports this module)."""
    return WarmPool(workers_module.fork(plan, warm), local_roles)
