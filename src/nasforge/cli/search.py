"""`nasforge search`: the main job, from the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from nasforge.cli.common import (
    ARCH_COLUMN,
    RIGHT,
    USER_ERRORS,
    ProgressOption,
    _fail,
    _names,
    console,
    print_table,
)
from nasforge.tasks.metrics import test_text


def search_command(
    data: Annotated[
        str,
        typer.Option(
            help="digits, breast_cancer, wine, diabetes, aeon:NAME (an aeon-bundled series "
            "set), series:FILE (.npz / .csv series), eca[:SETTINGS] (cellular-automaton tokens), "
            "tokens:FILE.npz, or a .csv / .tsv / .parquet table, .npz, "
            "image folder or CIFAR dir."
        ),
    ] = "digits",
    label: Annotated[
        str | None,
        typer.Option(help="The table's label column (default: 'label', else the last column)."),
    ] = None,
    task: Annotated[
        str | None,
        typer.Option(
            help="classification or regression (default: from the label: text or at most 20 "
            "distinct whole numbers is classification).",
        ),
    ] = None,
    metric: Annotated[
        str | None,
        typer.Option(
            help="accuracy, balanced_accuracy, f1_macro, roc_auc, log_loss (classes); rmse, "
            "mae, r2 (regression). Default: accuracy / rmse."
        ),
    ] = None,
    loss: Annotated[
        str | None, typer.Option(help="Regression loss: mse (default) or huber.")
    ] = None,
    class_weights: Annotated[
        bool, typer.Option(help="Weight cross-entropy by inverse class frequency (balanced).")
    ] = False,
    baseline: Annotated[
        bool,
        typer.Option(
            help="Also fit HistGradientBoosting (tables), MiniRocket (series) or train a "
            "ResNet (images: NAS-Bench-201's residual cell, trained like the final network), "
            "same splits."
        ),
    ] = True,
    space: Annotated[
        str | None,
        typer.Option(
            help="Search space (default by task kind: nb201 cells for images, mlp for tables, "
            "conv1d for series, transformer for tokens)."
        ),
    ] = None,
    space_option: Annotated[
        list[str] | None,
        typer.Option(
            help="A space setting, repeatable: --space-option channels=8 (darts, nb201: "
            "channels, cells).",
            metavar="KEY=VALUE",
        ),
    ] = None,
    strategy: Annotated[
        str | None,
        typer.Option(help="Search strategy (default: evolution; nsga2 with several objectives)."),
    ] = None,
    strategy_option: Annotated[
        list[str] | None,
        typer.Option(
            help="A strategy setting, repeatable: --strategy-option initial=5.",
            metavar="KEY=VALUE",
        ),
    ] = None,
    trials: Annotated[int, typer.Option(help="Architectures to train.")] = 24,
    time_budget: Annotated[
        float | None, typer.Option(help="Stop proposing after this many seconds.")
    ] = None,
    epochs: Annotated[
        int | None,
        typer.Option(
            help="Training epochs per architecture (default: at least 8 and 160 optimizer "
            "steps: 8 on digits and tables, more on small sets)."
        ),
    ] = None,
    batch_size: Annotated[
        int | None,
        typer.Option(
            help="Training batch size (default: the largest power of two from 8 to 64 "
            "giving at least 4 batches an epoch; 64 on tables)."
        ),
    ] = None,
    optimizer: Annotated[str, typer.Option(help="sgd (default) or adamw.")] = "sgd",
    learning_rate: Annotated[
        float | None,
        typer.Option(
            help="Peak learning rate, cosine schedule (default: 0.05 at batch 64, scaled "
            "down in proportion to smaller batches)."
        ),
    ] = None,
    final_epochs: Annotated[
        int | None, typer.Option(help="Epochs to retrain the best (default: --epochs).")
    ] = None,
    max_params: Annotated[str | None, typer.Option(help="Parameter limit, e.g. 100k.")] = None,
    max_flops: Annotated[str | None, typer.Option(help="FLOPs limit, e.g. 5M.")] = None,
    max_latency_ms: Annotated[
        float | None, typer.Option(help="Batch-1 latency limit on this machine (ms).")
    ] = None,
    max_param_bytes: Annotated[
        str | None, typer.Option(help="Weight memory limit in bytes, e.g. 256k (KiB).")
    ] = None,
    max_peak_memory: Annotated[
        str | None,
        typer.Option(help="Peak activation memory limit in bytes (batch 1), e.g. 64k (KiB)."),
    ] = None,
    objectives: Annotated[
        str | None,
        typer.Option(
            help="The task's val_<metric> (val_acc, val_rmse, ...), then optionally params, "
            "flops, latency_ms, param_bytes, peak_memory (Pareto front). Default: the metric "
            "alone."
        ),
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed for splits, search and training.")] = 0,
    output: Annotated[Path, typer.Option(help="Directory for run directories.")] = Path("runs"),
    threads: Annotated[
        int, typer.Option(help="PyTorch threads per training (0: PyTorch's default, all cores).")
    ] = 1,
    export: Annotated[bool, typer.Option(help="Export the best model to ONNX.")] = True,
    progress: ProgressOption = True,
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
    ensemble: Annotated[
        int | None,
        typer.Option(
            help="Average the final networks of this many best confirmed candidates "
            "(1: the winner alone). Default: 3, at most --confirm-top; 1 with several "
            "objectives or --confirm-top 1.",
            show_default=False,
        ),
    ] = None,
    device: Annotated[
        str, typer.Option(help="Where to train: cpu, auto (CUDA when present), cuda or cuda:N.")
    ] = "cpu",
) -> None:
    """Search architectures for a task by training them; retrain, test and export the best."""
    from nasforge.constraints import Constraints, parse_bytes, parse_quantity
    from nasforge.run.search import search as run_search
    from nasforge.strategies.options import parse_options

    try:
        limits = Constraints(
            max_params=parse_quantity(max_params) if max_params else None,
            max_flops=parse_quantity(max_flops) if max_flops else None,
            max_latency_ms=max_latency_ms,
            max_param_bytes=parse_bytes(max_param_bytes) if max_param_bytes else None,
            max_peak_memory=parse_bytes(max_peak_memory) if max_peak_memory else None,
        )
        result = run_search(
            data=data,
            space=space,
            strategy=strategy,
            strategy_options=parse_options(strategy_option or ()),
            space_options=parse_options(space_option or (), "space"),
            trials=trials,
            time_budget_s=time_budget,
            epochs=epochs,
            batch_size=batch_size,
            optimizer=optimizer,
            learning_rate=learning_rate,
            final_epochs=final_epochs,
            constraints=limits,
            objectives=None if objectives is None else _names(objectives),
            seed=seed,
            output_dir=output,
            threads=threads or None,
            export=export,
            progress=progress,
            name=name,
            storage=storage,
            resume=resume,
            workers=workers,
            ray=ray or ray_address is not None,
            ray_address=ray_address,
            confirm_top=confirm_top,
            confirm_folds=confirm_folds,
            ensemble=ensemble,
            label_column=label,
            task=task,
            metric=metric,
            loss=loss,
            class_weights=class_weights,
            baseline=baseline,
            device=device,
        )
    except USER_ERRORS as error:
        _fail(error)
    except KeyboardInterrupt as stop:
        name = getattr(stop, "name", None)
        how = f"the same command with --resume --name {name}" if name else "it with --resume"
        console.print(f"interrupted: completed trials are kept in the study; run {how}")
        raise typer.Exit(130) from None
    board = result.leaderboard()
    metric = result.task.objective
    table = Table(title=f"leaderboard: {result.space.name} on {result.task.name}")
    for column in ("trial", "architecture", metric.label, "params", "flops"):
        table.add_column(column, **ARCH_COLUMN if column == "architecture" else RIGHT)
    for _, row in board.iterrows():
        value = row["val_" + metric.key]
        table.add_row(
            str(row["trial"]), row["arch"], f"{value:.2f}" if metric.percent else f"{value:.4g}",
            f"{row['params']:,.0f}", f"{row['flops']:,.0f}",
        )  # fmt: skip
    print_table(table)
    if result.rejected:
        console.print(f"{result.rejected} architectures broke the limits and were never trained")
    if result.pareto:
        console.print(
            f"Pareto front ({', '.join(result.objectives)}): {len(result.pareto)} architectures"
        )
    if result.confirmation:
        folds = len(result.confirmation[0].fold_score)
        mean = metric.text(result.confirmation[0].mean_score)
        what = "" if metric.name == "accuracy" else f" {metric.name}"
        console.print(
            f"{folds}-fold cross-validation of the top {len(result.confirmation)}: trial "
            f"{result.best.number} is best ({mean} mean{what})"
        )
    console.print(f"best: {result.space.format(result.best.arch)}")
    for line in result.ensemble_notes:
        console.print(line)
    if result.member_test_metrics:
        numbers = [str(t.number) for t in result.members]
        listed = ", ".join(numbers[:-1]) + f" and {numbers[-1]}"
        alone = test_text(result.winner_test_metrics)
        console.print(f"ensemble of trials {listed}; trial {numbers[0]} alone: {alone}")
    whose = " of the ensemble" if result.member_test_metrics else ""
    if metric.name == "accuracy":
        scores = f"test accuracy{whose} after retraining on train+val: "
        scores += f"[bold]{result.test_acc:.2f}%[/]"
    else:
        scores = f"after retraining{whose} on train+val: [bold]{test_text(result.test_metrics)}[/]"
    console.print(f"{scores} ({result.seconds:.0f} s); run directory: {result.run_dir}")
    if result.baseline:
        console.print(
            f"baseline {result.baseline['model']} on the same splits: "
            f"{test_text(result.baseline)} ({result.baseline['seconds']:.1f} s)"
        )
    if "preprocessing" in result.files:
        console.print(
            f"apply it to new data: nasforge predict {result.run_dir} DATA -o predictions.csv",
            style="dim", highlight=False,
        )  # fmt: skip
