"""Helpers shared by the `nasforge` command and its sub-command modules."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from nasforge.errors import DataFormatError, DataNotFoundError, NasforgeError

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
ArchitectureArgument = Annotated[
    str,
    typer.Argument(
        help="Architecture text (e.g. a NAS-Bench-201 string), a file holding it, a "
        "best_arch.json, or a run directory (its best architecture)."
    ),
]


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


def read_architecture(arch: str, space_name: str | None):
    """The space and architecture `arch` names: a run directory (its best_arch.json), a
    best_arch.json (either brings its space), a file of architecture text, or the text
    (in `space_name`; None: the registered space that parses it)."""
    from nasforge.architecture import Architecture
    from nasforge.spaces import get_space

    path = Path(arch)
    if path.is_dir():
        if not (path / "best_arch.json").is_file():
            raise DataNotFoundError(
                f"{path}: no best_arch.json; give a finished run's directory, a file or the "
                "architecture text"
            )
        path = path / "best_arch.json"
    if path.is_file():
        text = path.read_text().strip()
        if not text:
            raise DataFormatError(f"{path}: the file is empty")
        if path.suffix.lower() == ".json":
            try:
                found = Architecture.from_json(text)
            except (ValueError, KeyError, TypeError) as error:
                raise DataFormatError(f"{path}: not a nasforge architecture ({error})") from None
            space = get_space(found.space)
            return space, space.parse(space.format(found))  # checked against the space
        arch = text
    if space_name is not None:
        space = get_space(space_name)
        return space, space.parse(arch)
    from nasforge.registry import SPACES

    for name in SPACES.names():
        space = get_space(name)
        try:
            return space, space.parse(arch)
        except ValueError:
            continue
    raise ValueError(
        f"{arch!r} is no architecture of {', '.join(SPACES.names())}; give --space to see why"
    )
