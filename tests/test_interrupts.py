"""Ctrl-C that Python drops (raised while a finalizer runs) still stops a build before its commit."""

from __future__ import annotations

import gc
import os
import signal
import time

import pytest

from reportgen.cli import _Interrupts


class _InterruptedWhileFinalized:
    def __del__(self) -> None:
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.05)  # the handler runs here, inside __del__: Python prints the exception and drops it


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_an_interrupt_dropped_in_a_finalizer_is_raised_again_at_the_next_check():
    with _Interrupts() as interrupts:
        _InterruptedWhileFinalized()
        gc.collect()
        with pytest.raises(KeyboardInterrupt):
            interrupts.check()
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # put back


def test_no_interrupt_no_raise():
    with _Interrupts() as interrupts:
        interrupts.check()
