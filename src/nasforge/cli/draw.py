"""`nasforge draw`: an architecture (text, a file, or a run's best) as an SVG or PNG drawing."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from nasforge.cli.common import (
    USER_ERRORS,
    ArchitectureArgument,
    _check_output,
    _fail,
    console,
    read_architecture,
)


def draw_command(
    arch: ArchitectureArgument,
    space: Annotated[
        str | None,
        typer.Option(
            help="Search space of architecture text (default: the one that parses it); a "
            "run's or JSON's own space wins."
        ),
    ] = None,
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Drawing to write: a .svg or .png file.")
    ] = Path("arch.svg"),
    title: Annotated[bool, typer.Option(help="Write the architecture text above it.")] = True,
) -> None:
    """Draw an architecture (cells as DAGs, chains as block strips, MLPs as layer bars)."""
    from nasforge.report.drawing import draw

    if output.suffix.lower() not in (".svg", ".png"):
        _fail(ValueError(f"--output must end in .svg or .png, got {output.name!r}"))
    _check_output(output.parent)
    try:
        chosen, parsed = read_architecture(arch, space)
        path = draw(chosen, parsed, output, title=title)
    except USER_ERRORS as error:
        _fail(error)
    console.print(f"drawing written to {path}")
