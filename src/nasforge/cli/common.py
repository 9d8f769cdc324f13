"""Helpers shared by the `nasforge` command and its sub-command modules."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from nasforge.errors import NasforgeError

# soft_wrap: a long line (an architecture string, a path) is printed whole, never folded
# at the terminal width, so it can be pasted back (`nasforge parse`, `nasforge show`).
console = Console(soft_wrap=True)
# Table columns: architecture strings fold onto more lines when the table is too wide,
# never cut with an ellipsis; numbers stay whole on one line.
ARCH_COLUMN = {"justify": "left", "overflow": "fold"}
RIGHT = {"justify": "right", "no_wrap": True}
NAME_COLUMN = {"no_wrap": True}  # strategy and dataset names are never squeezed away

# Options several commands take, declared once so their names and help agree.
BenchSpaceOption = Annotated[str, typer.Option(help="Search space with a tabular benchmark.")]
BenchDatasetOption = Annotated[str, typer.Option(help="cifar10, cifar100 or imagenet16-120.")]
DataPathOption = Annotated[
    Path | None,
    typer.Option(help="Benchmark table: CSV, or an official NATS-Bench / NB201 release."),
]
WorkersOption = Annotated[int, typer.Option(help="Worker processes (0: one per CPU core).")]
ProgressOption = Annotated[bool, typer.Option(help="Show a progress bar.")]


def print_table(table: Table) -> None:
    """Print `table` whole: off a terminal (a file, a pipe) at the width it needs, so no
    number or name is cut; on a terminal at the terminal's width."""
    needed = console.measure(table, options=console.options.update(max_width=100_000)).maximum
    if console.is_terminal or needed <= console.width:
        console.print(table)
        return
    width = console.width
    console.width = needed
    try:
        console.print(table)
    finally:
        console.width = width


# OSError covers the file system: a missing file, no permission, a read-only disk, a
# file where a folder is expected.
USER_ERRORS = (NasforgeError, ValueError, OSError)


def _fail(error: BaseException) -> None:
    from rich.markup import escape

    message = escape(_message(error))  # brackets in a message are text, not markup
    Console(stderr=True, soft_wrap=True).print(f"[bold red]error:[/] {message}", highlight=False)
    raise typer.Exit(2)


def _message(error: BaseException) -> str:
    """The first line of the error; `OSError`s as `reason: path`, without `[Errno n]`."""
    if isinstance(error, OSError) and error.strerror and error.filename is not None:
        paths = [str(p) for p in (error.filename, error.filename2) if p is not None]
        return f"{error.strerror}: {' -> '.join(paths)}"
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def _at_least(minimum: int, **options: int | None) -> None:
    """One line and exit 2 for an option below `minimum` (keyword: the option's name with
    underscores), before any work starts."""
    for key, value in options.items():
        if value is not None and value < minimum:
            option = "--" + key.replace("_", "-")
            _fail(ValueError(f"{option} must be at least {minimum}, got {value}"))


def _check_output(output) -> None:
    """One line and exit 2 unless results can be written under `output`."""
    from nasforge.run.directory import check_writable

    try:
        check_writable(output)
    except OSError as error:
        _fail(error)


def _names(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]
