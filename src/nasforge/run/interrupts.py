"""Ctrl-C during a search, raised as the search's own `KeyboardInterrupt` subclass, and
remembered until the search stops.

Two CPython behaviours make a bare `KeyboardInterrupt` unreliable: one that passes
through code run by the C API marks the interpreter as interrupted for good (even when
the search catches it and the CLI exits with 130, the process then kills itself with
SIGINT at exit), and one raised inside a garbage-collector or weakref callback is
printed and dropped. So our handler raises a subclass, and the loop calls
`raise_pending()` between trials, which raises it again if it was dropped.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

_pending: list[Callable[[], KeyboardInterrupt]] = []  # the interrupt of the running block


@contextmanager
def interrupts_raise(make: Callable[[], KeyboardInterrupt]) -> Iterator[None]:
    """Within the block, Ctrl-C raises `make()` and `raise_pending()` raises it again;
    only in the main thread and only while Python's default handler is installed (a
    handler of the caller's is left alone)."""
    if (
        threading.current_thread() is not threading.main_thread()
        or signal.getsignal(signal.SIGINT) is not signal.default_int_handler
    ):
        yield
        return

    def raise_interrupt(signum: int, frame: object) -> None:
        _pending.append(make)
        raise make()

    previous = signal.signal(signal.SIGINT, raise_interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        _pending.clear()


def raise_pending() -> None:
    """Raise the interrupt that arrived in the running block, if any (it may have been
    dropped by a callback that cannot raise)."""
    if _pending:
        raise _pending[0]()
