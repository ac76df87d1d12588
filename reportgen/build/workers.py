"""Forked worker processes and their message format (POSIX; standard library only).

:func:`fork` starts the workers of a :class:`reportgen.pool.WarmPool` before this process imports
anything else: a fork from a small process costs well under a millisecond, while importing
``multiprocessing`` and ``concurrent.futures`` first would cost some 13 ms that nothing else could
overlap. Each worker talks to the parent over two pipes of its own, one message at a time::

    parent -> worker   ("task", id, fn, args, kwargs) | ("warm", role) | None (stop)
    worker -> parent   ("ready",) once warm | ("warmed", role) | ("done", id, ok, value)

A message is a pickle preceded by its length (8 bytes). A worker ignores SIGINT (the build stops
it), freezes its heap after warming up, and ends at once when the parent is gone: it waits on a
pipe whose writing end only the parent holds.
"""

from __future__ import annotations

import os
import struct
from typing import Any, Callable, NamedTuple, Sequence

_HEADER = struct.Struct("<Q")


class Worker(NamedTuple):
    pid: int
    roles: tuple[str, ...]  # its own role first, then the roles it may help
    send_fd: int  # parent -> worker
    recv_fd: int  # worker -> parent


def fork(plan: Sequence[tuple[str, ...]], warm: Callable[[str], Any] | None) -> tuple[list[Worker], int]:
    """Fork one worker per entry of ``plan``; return them and the parent's end of the life pipe
    (keep it open while the workers should live)."""
    life_r, life_w = os.pipe()
    workers: list[Worker] = []
    mine: list[int] = [life_r, life_w]
    for roles in plan:
        to_child_r, to_child_w = os.pipe()
        _widen(to_child_w)
        from_child_r, from_child_w = os.pipe()
        pid = os.fork()
        if pid == 0:  # the worker: keep only its own two ends and the life pipe's reading end
            for fd in mine + [to_child_w, from_child_r]:
                if fd != life_r:
                    os.close(fd)
            code = 0
            try:
                _serve(tuple(roles), warm, to_child_r, from_child_w, life_r)
            except BaseException:  # noqa: BLE001 - a worker never returns into the parent's code
                code = 1
            os._exit(code)
        os.close(to_child_r)
        os.close(from_child_w)
        mine += [to_child_w, from_child_r]
        workers.append(Worker(pid, tuple(roles), to_child_w, from_child_r))
    os.close(life_r)
    return workers, life_w


def _widen(fd: int) -> None:
    """Room for a long report's task in the pipe (Linux: 1 MB instead of 64 KB), so that handing a
    worker its next task does not wait until it has finished the current one."""
    try:
        import fcntl

        fcntl.fcntl(fd, getattr(fcntl, "F_SETPIPE_SZ", 1031), 1 << 20)
    except (ImportError, OSError):  # another system, or above /proc/sys/fs/pipe-max-size
        pass


def _pickle() -> Any:
    """The C pickler that :mod:`pickle` wraps: a worker that renders PDF never needs the rest of
    that module (1 ms to import)."""
    try:
        import _pickle as pickle
    except ImportError:  # pragma: no cover - another Python implementation
        import pickle  # type: ignore[no-redef]
    return pickle


def send(fd: int, message: Any) -> None:
    pickle = _pickle()
    data = pickle.dumps(message, protocol=-1)  # the highest
    view = memoryview(_HEADER.pack(len(data)) + data)
    while view:
        view = view[os.write(fd, view):]


def receive(fd: int) -> Any:
    """The next message, or raises EOFError when the other end is closed."""
    (size,) = _HEADER.unpack(_read(fd, _HEADER.size))
    return _pickle().loads(_read(fd, size))


def _read(fd: int, size: int) -> bytes:
    chunks = []
    while size:
        chunk = os.read(fd, min(size, 1 << 20))
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def _serve(roles: tuple[str, ...], warm: Callable[[str], Any] | None, recv_fd: int, send_fd: int,
           life_fd: int) -> None:
    import _thread
    import gc

    try:  # the C module behind `signal`, without the enums that module builds (1.3 ms in a new process)
        import _signal as signal
    except ImportError:  # pragma: no cover - another Python implementation
        import signal  # type: ignore[no-redef]
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def watch() -> None:
        os.read(life_fd, 1)  # returns (empty) when the parent is gone
        os._exit(1)

    # not threading.Thread, whose start() waits until the new thread has run: 1-5 ms when both CPUs
    # are busy, before this worker could begin warming up
    _thread.start_new_thread(watch, ())
    _warm_up(warm, roles[0])
    gc.freeze()  # what the imports and the warm-up made stays: collections need not scan it again
    send(send_fd, ("ready",))
    while True:
        try:
            message = receive(recv_fd)
        except EOFError:
            return
        if message is None:
            return
        if message[0] == "warm":
            _warm_up(warm, message[1])
            send(send_fd, ("warmed", message[1]))
            continue
        _, task, fn, args, kwargs = message
        try:
            ok, value = True, fn(*args, **kwargs)
        except BaseException as exc:  # noqa: BLE001 - sent to the caller's future
            ok, value = False, exc
        try:
            send(send_fd, ("done", task, ok, value))
        except Exception as exc:  # noqa: BLE001 - a result or exception that does not pickle
            send(send_fd, ("done", task, False, RuntimeError(f"{type(value).__name__}: {value} ({exc})")))


def _warm_up(warm: Callable[[str], Any] | None, role: str) -> None:
    if warm is not None:
        try:
            warm(role)
        except Exception:  # noqa: BLE001 - the task that needs it reports the error itself
            pass
