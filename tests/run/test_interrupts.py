"""Ctrl-C inside a search block: raised as the given subclass, and raised again by
`raise_pending` when a callback that cannot raise dropped it."""

from __future__ import annotations

import signal
import sys

import pytest

from nasforge.run.interrupts import interrupts_raise, raise_pending


class Stop(KeyboardInterrupt):
    pass


def test_ctrl_c_raises_the_subclass_and_the_handler_is_restored():
    before = signal.getsignal(signal.SIGINT)
    with pytest.raises(Stop), interrupts_raise(Stop):
        signal.raise_signal(signal.SIGINT)
    assert signal.getsignal(signal.SIGINT) is before
    raise_pending()  # nothing pending once the block is left


def test_an_interrupt_dropped_by_a_callback_is_raised_again(monkeypatch):
    dropped = []
    monkeypatch.setattr(sys, "unraisablehook", lambda u: dropped.append(u.exc_type))

    class DropsIt:
        def __del__(self):
            signal.raise_signal(signal.SIGINT)  # raised in __del__: reported and dropped

    with pytest.raises(Stop), interrupts_raise(Stop):
        DropsIt()
        assert dropped == [Stop]
        raise_pending()


def test_a_handler_of_the_callers_is_left_alone():
    calls = []
    previous = signal.signal(signal.SIGINT, lambda *_: calls.append(1))
    try:
        with interrupts_raise(Stop):
            signal.raise_signal(signal.SIGINT)
            raise_pending()
    finally:
        signal.signal(signal.SIGINT, previous)
    assert calls == [1]
