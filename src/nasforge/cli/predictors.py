"""`nasforge predictors`: evaluate performance predictors on a tabular benchmark."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from nasforge.cli.common import (
    USER_ERRORS,
    BenchDatasetOption,
    BenchSpaceOption,
    DataPathOption,
    WorkersOption,
    _at_least,
    _check_output,
    _fail,
    _names,
    console,
    print_table,
)

predictors_app = typer.Typer(
    help="Performance predictors: rank-correlation evaluation.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _sizes(text: str) -> list[int]:
    try:
        return [int(part) for part in _names(text)]
    except ValueError:
        raise ValueError(
            f"--train-sizes must be comma-separated integers like 10,20,50, got {text!r}"
        ) from None


@predictors_app.command("eval")
def evaluate(
    space: BenchSpaceOption = "nb201",
    dataset: BenchDatasetOption = "cifar10",
    predictors: Annotated[
        str, typer.Option(help="Comma-separated predictor names.")
    ] = "mlp_ensemble,gp,lgbm,gin,zc",
    train_sizes: Annotated[
        str, typer.Option(help="Comma-separated training-set sizes.")
    ] = "10,20,50,100,200,500",
    seeds: Annotated[int, typer.Option(help="Number of seeds (random splits) per size.")] = 10,
    test_size: Annotated[int, typer.Option(help="Held-out architectures ranked.")] = 1000,
    data_path: DataPathOption = None,
    output: Annotated[
        Path, typer.Option(help="Directory for runs.csv, summary.csv, results.json, kendall.png.")
    ] = Path("predictor-results"),
    workers: WorkersOption = 0,
    device: Annotated[
        str, typer.Option(help="Where gin trains: cpu, auto (CUDA when present), cuda or cuda:N.")
    ] = "cpu",
) -> None:
    """Kendall tau and Spearman of each predictor against held-out test accuracy."""
    from nasforge.bench.predictors import evaluate_predictors

    _at_least(0, workers=workers)
    _check_output(output)
    try:
        result = evaluate_predictors(
            predictors=_names(predictors),
            space=space,
            dataset=dataset,
            train_sizes=_sizes(train_sizes),
            seeds=seeds,
            test_size=test_size,
            data_path=data_path,
            workers=workers or None,
            device=device,
        )
        paths = result.save(output / f"{space}-{dataset}")
    except USER_ERRORS as error:
        _fail(error)
    table = Table(
        title=f"{space} / {dataset}: {seeds} seeds, {test_size} held-out architectures "
        "(trained on val_acc, ranked against test_acc)"
    )
    for column in ("predictor", "train size", "Kendall tau", "Spearman", "fit s", "query ms"):
        table.add_column(column, justify="left" if column == "predictor" else "right")
    for (name, size), row in result.summary().iterrows():
        table.add_row(
            str(name),
            str(size),
            f"{row['kendall_tau']:.3f} ± {row['kendall_std']:.3f}",
            f"{row['spearman']:.3f}",
            f"{row['fit_s']:.2f}",
            f"{row['query_ms']:.3f}",
        )
    print_table(table)
    console.print(f"results written to {paths['json'].parent}/ (plot: {paths['plot'].name})")
