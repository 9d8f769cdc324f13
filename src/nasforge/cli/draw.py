"""`nasforge draw`: an architecture (text, a file, or a run's best) as an SVG or PNG drawing."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from nasforge.cli.common import USER_ERRORS, _check_output, _fail, console
from nasforge.errors import DataFormatError, DataNotFoundError


def _architecture(arch: str, space_name: str | None):
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


def draw_command(
    arch: Annotated[
        str,
        typer.Argument(
            help="Architecture text (e.g. a NAS-Bench-201 string), a file holding it, a "
            "best_arch.json, or a run directory (its best architecture)."
        ),
    ],
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
        chosen, parsed = _architecture(arch, space)
        path = draw(chosen, parsed, output, title=title)
    except USER_ERRORS as error:
        _fail(error)
    console.print(f"drawing written to {path}")
