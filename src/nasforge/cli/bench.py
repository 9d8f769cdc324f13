"""`nasforge bench`: compare search strategies over many seeds on a tabular benchmark."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from nasforge.cli.common import USER_ERRORS, _fail, _names, console


def bench_command(
    space: Annotated[str, typer.Option(help="Search space with a tabular benchmark.")] = "nb201",
    dataset: Annotated[str, typer.Option(help="cifar10, cifar100 or imagenet16-120.")] = "cifar10",
    strategies: Annotated[
        str, typer.Option(help="Comma-separated strategy names.")
    ] = "random,evolution,local,tpe",
    seeds: Annotated[int, typer.Option(help="Number of seeds (0..n-1) per strategy.")] = 20,
    budget: Annotated[int, typer.Option(help="Benchmark queries per run.")] = 300,
    noise: Annotated[
        str, typer.Option(help="Search objective: one_seed (noisy, default) or mean.")
    ] = "one_seed",
    fidelity: Annotated[int, typer.Option(help="Training epochs looked up: 200 or 12.")] = 200,
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

    try:
        result = benchmark(
            strategies=_names(strategies),
            space=space,
            dataset=dataset,
            seeds=seeds,
            budget=budget,
            noise=noise,
            fidelity=fidelity,
            data_path=data_path,
            workers=workers or None,
            progress=progress and sys.stderr.isatty(),
        )
        paths = result.save(output / f"{space}-{dataset}")
    except USER_ERRORS as error:
        _fail(error)
    summary = result.summary()
    table = Table(
        title=f"{space} / {dataset}: {len(result.seeds)} seeds x {budget} queries "
        f"(optimum {result.optimum:.2f})"
    )
    table.add_column("strategy")
    table.add_column(f"test acc @ {budget}", justify="right")
    table.add_column("regret", justify="right")
    marks = result.checkpoints()[:-1]
    for mark in marks:
        table.add_column(f"@ {mark}", justify="right")
    table.add_column("queries/s", justify="right")
    best = summary["mean"].max()
    for name, row in summary.iterrows():
        style = "bold green" if row["mean"] == best else None
        table.add_row(
            str(name),
            f"{row['mean']:.2f} ± {row['std']:.2f}",
            f"{row['regret']:.3f}",
            *(f"{row[f'at_{m}']:.2f}" for m in marks),
            f"{row['queries_per_s']:.0f}",
            style=style,
        )
    console.print(table)
    console.print(
        f"results written to {paths['json'].parent}/ (anytime plot: {paths['plot'].name})"
    )
