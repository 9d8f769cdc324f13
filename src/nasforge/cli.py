"""The `nasforge` command: parse options, call the API, print. Errors become one line and
exit code 2."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from nasforge._cli_common import USER_ERRORS, _fail, _names, console
from nasforge.cli_predictors import predictors_app
from nasforge.cli_proxies import proxies_app

app = typer.Typer(
    help="nasforge: neural architecture search.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.command()
def bench(
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


@app.command()
def search(
    data: Annotated[
        str,
        typer.Option(
            help="digits, breast_cancer, wine, or a .csv / .npz / image folder / CIFAR dir."
        ),
    ] = "digits",
    space: Annotated[
        str | None,
        typer.Option(help="Search space (default: nb201 cells for images, mlp for tables)."),
    ] = None,
    strategy: Annotated[str, typer.Option(help="Search strategy.")] = "evolution",
    trials: Annotated[int, typer.Option(help="Architectures to train.")] = 24,
    time_budget: Annotated[
        float | None, typer.Option(help="Stop proposing after this many seconds.")
    ] = None,
    epochs: Annotated[int, typer.Option(help="Training epochs per architecture.")] = 8,
    final_epochs: Annotated[
        int | None, typer.Option(help="Epochs to retrain the best (default: --epochs).")
    ] = None,
    max_params: Annotated[str | None, typer.Option(help="Parameter limit, e.g. 100k.")] = None,
    max_flops: Annotated[str | None, typer.Option(help="FLOPs limit, e.g. 5M.")] = None,
    max_latency_ms: Annotated[
        float | None, typer.Option(help="Batch-1 latency limit on this machine (ms).")
    ] = None,
    objectives: Annotated[
        str, typer.Option(help="val_acc, optionally with params, flops, latency_ms (Pareto front).")
    ] = "val_acc",
    seed: Annotated[int, typer.Option(help="Seed for splits, search and training.")] = 0,
    output: Annotated[Path, typer.Option(help="Directory for run directories.")] = Path("runs"),
    threads: Annotated[int, typer.Option(help="PyTorch CPU threads (0: PyTorch's default).")] = 0,
    export: Annotated[bool, typer.Option(help="Export the best model to ONNX.")] = True,
    progress: Annotated[bool, typer.Option(help="Show a progress bar.")] = True,
    name: Annotated[
        str | None, typer.Option(help="Run and study name (default: TASK-SPACE).")
    ] = None,
    storage: Annotated[
        str | None,
        typer.Option(help="Study storage URL, e.g. postgresql://... (default: RUN/study.db)."),
    ] = None,
    resume: Annotated[
        bool, typer.Option(help="Continue the run OUTPUT/NAME where it stopped.")
    ] = False,
    workers: Annotated[int, typer.Option(help="Architectures trained at once.")] = 1,
    ray: Annotated[bool, typer.Option(help="Run the workers as Ray tasks.")] = False,
    ray_address: Annotated[
        str | None, typer.Option(help="Existing Ray cluster (default: start a local one).")
    ] = None,
    confirm_top: Annotated[
        int, typer.Option(help="Best candidates cross-validated before choosing (1: none).")
    ] = 4,
    confirm_folds: Annotated[
        int, typer.Option(help="Cross-validation folds on train + validation.")
    ] = 3,
) -> None:
    """Search architectures for a task by training them; retrain, test and export the best."""
    from nasforge.constraints import Constraints, parse_quantity
    from nasforge.search import search as run_search

    try:
        limits = Constraints(
            max_params=parse_quantity(max_params) if max_params else None,
            max_flops=parse_quantity(max_flops) if max_flops else None,
            max_latency_ms=max_latency_ms,
        )
        result = run_search(
            data=data,
            space=space,
            strategy=strategy,
            trials=trials,
            time_budget_s=time_budget,
            epochs=epochs,
            final_epochs=final_epochs,
            constraints=limits,
            objectives=_names(objectives),
            seed=seed,
            output_dir=output,
            threads=threads or None,
            export=export,
            progress=progress and sys.stderr.isatty(),
            name=name,
            storage=storage,
            resume=resume,
            workers=workers,
            ray=ray or ray_address is not None,
            ray_address=ray_address,
            confirm_top=confirm_top,
            confirm_folds=confirm_folds,
        )
    except USER_ERRORS as error:
        _fail(error)
    except KeyboardInterrupt as stop:
        name = getattr(stop, "name", None)
        how = f"the same command with --resume --name {name}" if name else "it with --resume"
        console.print(f"interrupted: completed trials are kept in the study; run {how}")
        raise typer.Exit(130) from None
    board = result.leaderboard()
    table = Table(title=f"leaderboard: {result.space.name} on {result.task.name}")
    for column in ("trial", "architecture", "val acc", "params", "flops"):
        table.add_column(column, justify="left" if column == "architecture" else "right")
    for _, row in board.iterrows():
        table.add_row(
            str(row["trial"]), row["arch"], f"{row['val_acc']:.2f}",
            f"{row['params']:,.0f}", f"{row['flops']:,.0f}",
        )  # fmt: skip
    console.print(table)
    if result.rejected:
        console.print(f"{result.rejected} architectures broke the limits and were never trained")
    if result.pareto:
        console.print(
            f"Pareto front ({', '.join(result.objectives)}): {len(result.pareto)} architectures"
        )
    if result.confirmation:
        folds = len(result.confirmation[0].fold_acc)
        console.print(
            f"{folds}-fold cross-validation of the top {len(result.confirmation)}: trial "
            f"{result.best.number} is best ({result.confirmation[0].mean_acc:.2f}% mean)"
        )
    console.print(f"best: {result.space.format(result.best.arch)}")
    console.print(
        f"test accuracy after retraining on train+val: [bold]{result.test_acc:.2f}%[/] "
        f"({result.seconds:.0f} s); run directory: {result.run_dir}"
    )


@app.command()
def show(
    run: Annotated[str, typer.Argument(help="Run directory, study.db file, or storage URL.")],
    name: Annotated[
        str | None, typer.Option(help="Study name (needed when the storage holds several).")
    ] = None,
    top: Annotated[int, typer.Option(help="Trials to list, best first.")] = 10,
) -> None:
    """Show a run's trials, best architecture and Pareto front, read from its study."""
    from nasforge.study_report import study_overview

    try:
        overview = study_overview(run, name, top)
    except USER_ERRORS as error:
        _fail(error)
    table = Table(title=f"study {overview.name}: {overview.counts_text}")
    for column in overview.table.columns:
        table.add_column(column, justify="left" if column == "architecture" else "right")
    for row in overview.table.itertuples(index=False):
        table.add_row(*(_cell(v) for v in row))
    console.print(table)
    if overview.best is not None:
        console.print(
            f"best validation accuracy: {overview.best.text} (trial {overview.best.number})"
        )
    if overview.summary is not None:
        info = overview.summary
        confirmed = " after cross-validating the top candidates" if info.get("confirmation") else ""
        console.print(
            f"chosen{confirmed}: {info['best_arch']}, test accuracy {info['test_acc']:.2f}%"
        )
    if overview.pareto:
        console.print(f"Pareto front ({', '.join(overview.objectives)}):")
        for trial in overview.pareto:
            values = ", ".join(f"{o} {trial.metrics[o]:.4g}" for o in overview.objectives)
            console.print(f"  trial {trial.number}: {values}  {trial.text}")


def _cell(value) -> str:
    if isinstance(value, float):
        return f"{value:,.0f}" if value.is_integer() or abs(value) >= 1e5 else f"{value:,.2f}"
    return str(value)


@app.command()
def parse(
    arch: Annotated[str, typer.Argument(help="Architecture text, e.g. a NAS-Bench-201 string.")],
    space: Annotated[str, typer.Option(help="Search space: nb201, chain or mlp.")] = "nb201",
) -> None:
    """Check an architecture string and print its decisions as JSON."""
    from nasforge.spaces import get_space

    try:
        parsed = get_space(space).parse(arch)
    except USER_ERRORS as error:
        _fail(error)
    console.print_json(parsed.to_json())


app.add_typer(proxies_app, name="proxies")
app.add_typer(predictors_app, name="predictors")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
