"""`nasforge bench`: compare search strategies over many seeds on a tabular benchmark."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.table import Table

from nasforge.cli.common import (
    NAME_COLUMN,
    RIGHT,
    USER_ERRORS,
    BenchSpaceOption,
    DataPathOption,
    ProgressOption,
    WorkersOption,
    _at_least,
    _check_output,
    _fail,
    _names,
    console,
    print_table,
)


def bench_command(
    space: BenchSpaceOption = "nb201",
    dataset: Annotated[
        str,
        typer.Option(help="cifar10, cifar100, imagenet16-120, or all: one table over the three."),
    ] = "cifar10",
    strategies: Annotated[
        str | None,
        typer.Option(
            help="Comma-separated strategy names (default: random,evolution,local,tpe; "
            "nsga2,nsgaii,random with --objectives)."
        ),
    ] = None,
    objectives: Annotated[
        str | None,
        typer.Option(
            help="val_acc,params or val_acc,flops (or all three): multi-objective bench, "
            "hypervolume of each run's front at 100 queries and --budget."
        ),
    ] = None,
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
    data_path: DataPathOption = None,
    output: Annotated[
        Path, typer.Option(help="Directory for curves.csv, summary.csv, results.json, anytime.png.")
    ] = Path("bench-results"),
    workers: WorkersOption = 0,
    progress: ProgressOption = True,
) -> None:
    """Compare search strategies over many seeds on a tabular benchmark."""
    from nasforge.bench import benchmark
    from nasforge.strategies.options import parse_options

    _at_least(0, workers=workers)
    _check_output(output)
    if objectives is not None:
        if dataset == "all":
            _fail(ValueError("--dataset all is for the single-objective bench; give one dataset"))
        _bench_multi_objective(
            strategies or "nsga2,nsgaii,random", objectives, space, dataset, seeds, budget,
            noise, fidelity, strategy_option, data_path, output, workers, progress,
        )  # fmt: skip
        return
    all_datasets = dataset == "all"
    if all_datasets:
        from nasforge.evaluators.tabular import DATASETS as datasets
    else:
        datasets = (dataset,)
    results = []
    try:
        for name in datasets:  # the first run checks every setting before any work
            result = benchmark(
                strategies=_names(strategies or "random,evolution,local,tpe"),
                space=space,
                dataset=name,
                seeds=seeds,
                budget=budget,
                noise=noise,
                fidelities=_epochs(fidelity),
                strategy_options=parse_options(strategy_option or ()),
                data_path=data_path,
                workers=workers or None,
                progress=progress,
            )
            paths = result.save(output / f"{space}-{name}")
            results.append(result)
        if all_datasets:
            combined = output / f"{space}-all"
            combined.mkdir(parents=True, exist_ok=True)
            summaries = [r.summary().assign(dataset=r.dataset) for r in results]
            table_csv = combined / "summary.csv"
            pd.concat(summaries).to_csv(table_csv, index_label="strategy")
    except USER_ERRORS as error:
        _fail(error)
    print_table(_summary_table(results, budget))
    if all_datasets:
        plots = ", ".join(f"{space}-{r.dataset}/anytime.png" for r in results)
        console.print(f"results written to {output}/ (one table: {table_csv}; plots: {plots})")
    else:
        console.print(
            f"results written to {paths['json'].parent}/ (anytime plot: {paths['plot'].name})"
        )


def _summary_table(results: list, budget: int) -> Table:
    """One row per dataset and strategy: the final test accuracy with its 95 % interval,
    the paired comparison with random search, regret, checkpoints and speed."""
    from nasforge.bench.report import BASELINE

    first = results[0]
    cost_axis = bool(first.fidelities)
    budget_text = (
        f"{budget} x {max(first.fidelities)} epochs each" if cost_axis else f"{budget} queries"
    )
    several = len(results) > 1
    where = "all datasets" if several else f"{first.dataset} (optimum {first.optimum:.2f})"
    table = Table(title=f"{first.space} / {where}: {len(first.seeds)} seeds x {budget_text}")
    if several:
        table.add_column("dataset", **NAME_COLUMN)
    table.add_column("strategy", **NAME_COLUMN)
    table.add_column("test acc [95% CI]", **RIGHT)
    table.add_column("vs random (p)", **RIGHT)
    table.add_column("regret", **RIGHT)
    marks = (
        [f"at_{c:g}_epochs" for c in first.cost_checkpoints()[:-1]]
        if cost_axis
        else [f"at_{m}" for m in first.checkpoints()[:-1]]
    )
    for mark in marks:
        label = mark.removeprefix("at_").replace("_epochs", " ep")
        table.add_column(f"@ {label}", **RIGHT)
    if cost_axis:
        table.add_column("queries", **RIGHT)
    table.add_column("queries/s", **RIGHT)
    for result in results:
        summary = result.summary()
        best = summary["mean"].max()
        for index, (name, row) in enumerate(summary.iterrows()):
            versus = f"{row['vs_random']:+.2f} ({row['p_value']:.2g})"
            if name == BASELINE or row["vs_random"] != row["vs_random"]:
                versus = "baseline" if name == BASELINE else ""
            table.add_row(
                *([result.dataset if index == 0 else ""] if several else []),
                str(name),
                f"{row['mean']:.2f} [{row['ci_low']:.2f}, {row['ci_high']:.2f}]",
                versus,
                f"{row['regret']:.3f}",
                *(f"{row[m]:.2f}" for m in marks),
                *([f"{row['queries']:.0f}"] if cost_axis else []),
                f"{row['queries_per_s']:.0f}",
                style="bold green" if row["mean"] == best else None,
                end_section=several and index == len(summary) - 1,
            )  # fmt: skip
    return table


def _epochs(text: str) -> list[int]:
    """`--fidelity` as epoch counts: "200", "12" or "12,200"."""
    try:
        return [int(part) for part in _names(text)]
    except ValueError:
        raise ValueError(
            f"--fidelity takes epoch counts such as 200 or 12,200, got {text!r}"
        ) from None


def _bench_multi_objective(
    strategies, objectives, space, dataset, seeds, budget, noise, fidelity, strategy_option,
    data_path, output, workers, progress,
) -> None:  # fmt: skip
    """`nasforge bench --objectives ...`: the hypervolume table (see bench/multi_objective)."""
    from nasforge.bench.multi_objective import benchmark_multi_objective
    from nasforge.strategies.options import parse_options

    goals = _names(objectives)
    budgets = sorted({min(100, budget), budget})
    try:
        if space != "nb201":
            raise ValueError(f"the multi-objective bench runs on nb201 only, got {space!r}")
        if _epochs(fidelity) != [200]:
            raise ValueError("the multi-objective bench looks up 200 epochs; drop --fidelity")
        result = benchmark_multi_objective(
            _names(strategies), dataset, goals, seeds=seeds, budgets=budgets,
            noise=noise, strategy_options=parse_options(strategy_option or ()),
            data_path=data_path, workers=workers or None, progress=progress,
        )  # fmt: skip
        paths = result.save(output / f"{space}-{dataset}-{'-'.join(goals)}")
    except USER_ERRORS as error:
        _fail(error)
    table = Table(
        title=f"{space} / {dataset}: test accuracy x {' x '.join(goals[1:])}, normalised "
        f"hypervolume, {len(result.seeds)} seeds (true front {result.optimum:.4f})"
    )
    table.add_column("strategy", **NAME_COLUMN)
    for queries in result.budgets:
        table.add_column(f"@ {queries} (95% CI)", justify="right")
    table.add_column("front size", justify="right")
    summary = result.summary().set_index(["strategy", "budget"])
    last = result.budgets[-1]
    best = summary.xs(last, level="budget")["hypervolume"].max()
    for name in result.strategies:
        cells = [
            f"{row['hypervolume']:.4f} [{row['ci_low']:.4f}, {row['ci_high']:.4f}]"
            for row in (summary.loc[(name, b)] for b in result.budgets)
        ]
        final = summary.loc[(name, last)]
        style = "bold green" if final["hypervolume"] == best else None
        table.add_row(name, *cells, f"{final['front_size']:.1f}", style=style)
    print_table(table)
    console.print(f"results written to {paths['summary'].parent}/")
