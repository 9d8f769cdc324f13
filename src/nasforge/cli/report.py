"""`nasforge report`: one self-contained HTML file for a finished search or a bench result."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from nasforge.cli.common import USER_ERRORS, _check_output, _fail, console


def report_command(
    run: Annotated[
        str,
        typer.Argument(help="Run directory, study.db, storage URL, or a bench result directory."),
    ],
    output: Annotated[Path, typer.Option("--output", "-o", help="The HTML file to write.")] = Path(
        "report.html"
    ),
    name: Annotated[
        str | None, typer.Option(help="Study name (needed when the storage holds several).")
    ] = None,
) -> None:
    """Write one self-contained HTML report (charts, tables, drawings; no external assets)."""
    from nasforge.report.html import write_report

    if output.suffix.lower() not in (".html", ".htm"):
        _fail(ValueError(f"--output must end in .html, got {output.name!r}"))
    _check_output(output.parent)
    try:
        path = write_report(run, output, name)
    except USER_ERRORS as error:
        _fail(error)
    console.print(f"report written to {path} ({path.stat().st_size / 1e6:.1f} MB)")
