"""Progress on stderr for long loops (benchmark runs, search trials): a rich bar on a
terminal, one plain line per finished step otherwise (a log file, a pipe, CI)."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager


def say(text: str) -> None:
    """One plain line on stderr, never wrapped or cut (it may hold a path to paste)."""
    print(text, file=sys.stderr, flush=True)


@contextmanager
def progress_bar(enabled: bool, total: int, label: str) -> Iterator[Callable[..., None]]:
    """Yields `update(completed, note="")`. When `enabled`: a bar with `label`, count,
    elapsed time and ETA if stderr is a terminal, else a line such as `trial 3/24 done:
    NOTE (12 s)` each time `completed` grows. Not enabled: a no-op."""
    if not enabled:
        yield lambda *args, **kwargs: None
        return
    if not sys.stderr.isatty():
        yield _plain_lines(total, label)
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    columns = (
        TextColumn(f"[bold]{label}"), MofNCompleteColumn(), BarColumn(),
        TextColumn("{task.description}"), TimeElapsedColumn(), TextColumn("eta"),
        TimeRemainingColumn(),
    )  # fmt: skip
    with Progress(*columns, console=Console(stderr=True)) as bar:
        task = bar.add_task("", total=total)

        def update(completed: int, note: str = "") -> None:
            bar.update(task, completed=completed, description=note)

        yield update


def _plain_lines(total: int, label: str) -> Callable[..., None]:
    start, shown = time.perf_counter(), [0]

    def update(completed: int, note: str = "") -> None:
        if completed <= shown[0]:
            return
        shown[0] = completed
        elapsed = time.perf_counter() - start
        say(f"{label} {completed}/{total} done" + (f": {note}" if note else "")
            + f" ({elapsed:.0f} s)")  # fmt: skip

    return update
