"""`nasforge bench`: compare search strategies over many seeds on a tabular benchmark."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from nasforge.cli.common import USER_ERRORS, _at_least, _check_output, _fail, _names, console


def bench_command(
    space: Annotated[str, typer.Option(help="Search space with a tabular benchmark.")] = "nb201",
    dataset: Annotated[str, typer.Option(help="cifar10, cifar100 or imagenet16-120.")] = "cifar10",
    strategies: Annotated[
        str, typer.Option(help="Comma-separated strategy names.")
    ] = "random,evolution,local,tpe",
    strategy_option: Annotated[
        list[str] | None,
        typer.Option(
            help="A strategy setting, repeatable: KEY=VALUE for every strategy that has it, "
            "NAME.KEY=VALUE for one (bananas.initial=5).",
            metavar="KEY=VALUE",
        ),
    ] = None,
    seeds: Annotated[int, typer.Option(help="Number of seeds (0..n-1) per strategy.")] = 20,
    budget: Annotated[int, typer.Option(help="Benchmark queries per run.")] = 300,
    noise: Annotated[
        str, typer.Option(help="Search objective: one_seed (noisy, default) or mean.")
    ] = "one_seed",
    fidelity: Annotated[
        str,
        typer.Option(
            help="Training epochs looked up: 200, 12, or 12,200 for multi-fidelity strategies "
            "(sh, hyperband) compared at equal epoch cost."
        ),
    ] = "200",
    data_path: Annotated[
        Path | None,
        typer.Option(help="Benchmark table: CSV, or an official NATS-Bench / NB201 release."),
    ] = None,
    output: Annotated[
        Path, typer.Option(help="Directory for curves.csv, summary.csv, results.json, anytime.png.")
    ] = Path("bench-results"),
    workers: Annotated[int, typer.Option(help="Worker processes (0: one per CPU core).")] = 0,
    progress: Annotated[bool, typer.Option(help="Show a progress bar.")] = True,
) -> None:
    """Compare search strategies over many seeds on a tabular benchmark."""
    from nasforge.bench import benchmark
    from nasforge.strategies.options import parse_options

    _at_least(0, workers=workers)
    _check_output(output)
    try:
        result = benchmark(
            strategies=_names(strategies),
            space=space,
            dataset=dataset,
            seeds=seeds,
            budget=budget,
            noise=noise,
            fidelities=_epochs(fidelity),
            strategy_options=parse_options(strategy_option or ()),
            data_path=data_path,
            workers=workers or None,
            progress=progress,
        )
        paths = result.save(output / f"{space}-{dataset}")
    except USER_ERRORS as error:
        _fail(error)
    summary = result.summary()
    cost_axis = bool(result.fidelities)
    budget_text = (
        f"{budget} x {max(result.fidelities)} epochs each" if cost_axis else f"{budget} queries"
    )
    table = Table(
        title=f"{space} / {dataset}: {len(result.seeds)} seeds x {budget_text} "
        f"(optimum {result.optimum:.2f})"
    )
    table.add_column("strategy")
    table.add_column("test acc at the end", justify="right")
    table.add_column("regret", justify="right")
    marks = (
        [f"at_{c:g}_epochs" for c in result.cost_checkpoints()[:-1]]
        if cost_axis
        else [f"at_{m}" for m in result.checkpoints()[:-1]]
    )
    for mark in marks:
        label = mark.removeprefix("at_").replace("_epochs", " ep")
        table.add_column(f"@ {label}", justify="right")
    if cost_axis:
        table.add_column("queries", justify="right")
    table.add_column("queries/s", justify="right")
    best = summary["mean"].max()
    for name, row in summary.iterrows():
        style = "bold green" if row["mean"] == best else None
        table.add_row(
            str(name),
            f"{row['mean']:.2f} ± {row['std']:.2f}",
            f"{row['regret']:.3f}",
            *(f"{row[m]:.2f}" for m in marks),
            *([f"{row['queries']:.0f}"] if cost_axis else []),
            f"{row['queries_per_s']:.0f}",
            style=style,
        )  # fmt: skip
    console.print(table)
    console.print(
        f"results written to {paths['json'].parent}/ (anytime plot: {paths['plot'].name})"
    )


def _epochs(text: str) -> list[int]:
    """`--fidelity` as epoch counts: "200", "12" or "12,200"."""
    try:
        return [int(part) for part in _names(text)]
    except ValueError:
        raise ValueError(
            f"--fidelity takes epoch counts such as 200 or 12,200, got {text!r}"
        ) from None
