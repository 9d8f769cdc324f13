"""One rich progress bar on stderr for long loops (benchmark runs, search trials)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager


@contextmanager
def progress_bar(enabled: bool, total: int, label: str) -> Iterator[Callable[..., None]]:
    """Yields `update(completed, note="")`: a bar with `label`, count, elapsed time and
    ETA when `enabled`, else a no-op."""
    if not enabled:
        yield lambda *args, **kwargs: None
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
