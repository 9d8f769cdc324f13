"""`nasforge show` and `nasforge parse`: read a run back, check an architecture string."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from nasforge.cli.common import (
    ARCH_COLUMN,
    RIGHT,
    USER_ERRORS,
    ArchitectureArgument,
    _fail,
    console,
    print_table,
    read_architecture,
)
from nasforge.tasks.metrics import chosen_text, member_lines, test_text


def show(
    run: Annotated[str, typer.Argument(help="Run directory, study.db file, or storage URL.")],
    name: Annotated[
        str | None, typer.Option(help="Study name (needed when the storage holds several).")
    ] = None,
    top: Annotated[int, typer.Option(help="Trials to list, best first (0: counts only).")] = 10,
) -> None:
    """Show a run's trials, best architecture and Pareto front, read from its study."""
    from nasforge.study.overview import study_overview

    try:
        overview = study_overview(run, name, top)
    except USER_ERRORS as error:
        _fail(error)
    title = f"study {overview.name}: {overview.counts_text}"
    if overview.table.empty:  # nothing completed yet (or --top 0): rich drops the title
        console.print(title)
    else:
        table = Table(title=title)
        for column in overview.table.columns:
            table.add_column(column, **ARCH_COLUMN if column == "architecture" else RIGHT)
        for row in overview.table.itertuples(index=False):
            table.add_row(*(_cell(v) for v in row))
        print_table(table)
    if overview.best is not None:
        what = "validation accuracy" if overview.metric == "val_acc" else overview.metric
        console.print(f"best {what}: {overview.best.text} (trial {overview.best.number})")
    if overview.summary is not None:
        info = overview.summary
        confirmed = " after cross-validating the top candidates" if info.get("confirmation") else ""
        console.print(f"chosen{confirmed}: {info['best_arch']}, {chosen_text(info)}")
        for line in member_lines(info):
            console.print(f"  {line}")
        if info.get("baseline"):
            console.print(f"baseline {info['baseline']['model']}: {test_text(info['baseline'])}")
    if overview.pareto:
        console.print(f"Pareto front ({', '.join(overview.objectives)}):")
        for trial in overview.pareto:
            values = ", ".join(f"{o} {trial.metrics[o]:.4g}" for o in overview.objectives)
            console.print(f"  trial {trial.number}: {values}  {trial.text}")


def _cell(value) -> str:
    if isinstance(value, float):
        return f"{value:,.0f}" if value.is_integer() or abs(value) >= 1e5 else f"{value:,.2f}"
    return str(value)


def parse(
    arch: ArchitectureArgument,
    space: Annotated[
        str, typer.Option(help="Search space of architecture text; a run's or JSON's own wins.")
    ] = "nb201",
) -> None:
    """Check an architecture string and print its decisions as JSON."""
    try:
        _, parsed = read_architecture(arch, space)
    except USER_ERRORS as error:
        _fail(error)
    console.print_json(parsed.to_json())
