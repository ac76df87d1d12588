"""Running the render jobs: one at a time in this process, or in a ``concurrent.futures`` executor.

By default (``--jobs N`` with N > 1 and more than one document) the documents go to a standard
:class:`concurrent.futures.ProcessPoolExecutor` of at most N workers, and never more workers than
documents. The workers have the renderers loaded before their first document (:func:`process_pool`);
each starts with :func:`_start_worker`: it leaves Ctrl-C to the build (which cancels what has not
started, waits for what has, and removes the temporary files) and ends if the build is killed. The
caller may pass any executor instead (a ``ThreadPoolExecutor`` too): the renderers keep no state
shared between threads.

The pool is shut down, and its workers waited for, before the build returns, whichever way it
ends: no process outlives the build.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import multiprocessing
import os
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Iterator, Mapping, NamedTuple, Sequence

from .. import model
from ..files import write_new
from ..render import RenderOptions, get_renderer, warm


class Work(NamedTuple):
    """What a worker needs to make one document: final data, so it pickles cheaply."""

    fmt: str
    doc: model.LocalizedReport
    options: RenderOptions
    tmp: Path  # where to write; the build renames it to the output once every input proved good


class Outcome(NamedTuple):
    size: int
    pages: int | None
    seconds: float


def render_to_file(work: Work) -> Outcome:
    """Render one document into its temporary file (in a worker, or in this process)."""
    t0 = time.perf_counter()
    rendered = get_renderer(work.fmt)(work.doc, work.options)
    write_new(work.tmp, rendered.data)
    return Outcome(len(rendered.data), rendered.pages, time.perf_counter() - t0)


class Runner:
    """Hands out render work and gives the outcomes back as they finish. Without an executor the
    work is done at once, in this process, when it is submitted."""

    def __init__(self, executor: cf.Executor | None = None):
        self.executor = executor
        self.futures: list[cf.Future] = []

    def submit(self, work: Work) -> None:
        if self.executor is not None:
            self.futures.append(self.executor.submit(render_to_file, work))
            return
        done: cf.Future = cf.Future()
        try:
            done.set_result(render_to_file(work))
        except Exception as exc:  # noqa: BLE001 - reported with the others once every job is done
            done.set_exception(exc)
        self.futures.append(done)

    def outcomes(self) -> Iterator[tuple[int, Outcome | BaseException]]:
        """(index of the work, its outcome or the exception it raised), as each finishes."""
        index = {id(f): i for i, f in enumerate(self.futures)}
        for f in cf.as_completed(self.futures):
            exc = f.exception()
            yield index[id(f)], exc if exc is not None else f.result()

    def cancel(self) -> None:
        """Cancel the work not started and wait for the work running (so that it writes no file
        after the build has removed the temporary ones)."""
        for f in self.futures:
            f.cancel()
        cf.wait([f for f in self.futures if not f.cancelled()])


@contextlib.contextmanager
def running(jobs: int, documents: Mapping[str, int], options: RenderOptions,
            executor: cf.Executor | None = None) -> Iterator[Runner]:
    """A :class:`Runner` on ``executor``; else, when ``jobs`` > 1 and there is more than one
    document (``documents``: how many of each format), on a process pool of ``jobs`` workers, never
    more than documents; else in this process. A pool made here is shut down, and its workers
    ended, when the block ends; on an error or Ctrl-C the work not started is cancelled and the
    work running is waited for."""
    pool = None
    total = sum(documents.values())
    if executor is None and jobs > 1 and total > 1:
        pool = executor = process_pool(min(jobs, total), [f for f, n in documents.items() if n], options)
    runner = Runner(executor)
    try:
        yield runner
    except BaseException:
        runner.cancel()
        raise
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


def process_pool(workers: int, formats: Sequence[str], options: RenderOptions) -> cf.ProcessPoolExecutor:
    """A standard process pool whose workers have the renderers of ``formats`` loaded when they
    take their first document.

    On Linux a process that runs no other thread forks its workers: it loads the renderers (imports
    them, reads the fonts and the template) itself first, once, and every worker starts with them.
    A threaded process uses a fork server (forking a threaded process can deadlock), and other
    systems their default start method: there each worker loads the renderers as it starts."""
    if sys.platform.startswith("linux") and threading.active_count() == 1:
        context = multiprocessing.get_context("fork")
        for fmt in formats:
            warm(fmt, options)
    elif sys.platform.startswith("linux"):
        context = multiprocessing.get_context("forkserver")
    else:  # pragma: no cover - macOS and Windows spawn
        context = multiprocessing.get_context()
    return cf.ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_start_worker,
                                  initargs=(tuple(formats), options))


def _start_worker(formats: Sequence[str], options: RenderOptions) -> None:
    """A worker's start: Ctrl-C is the build's to handle; the worker ends if the build is killed;
    the renderers are loaded before the first document (if a fork has not brought them already)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_end_with_parent, args=(os.getppid(),), daemon=True).start()
    for fmt in formats:
        warm(fmt, options)


def _end_with_parent(parent: int, interval: float = 0.2) -> None:
    """Terminate this worker once its parent is gone (a killed build: nothing else would end it,
    and it would keep the build's output pipe open)."""
    while os.getppid() == parent:
        time.sleep(interval)
    os.kill(os.getpid(), signal.SIGTERM)
