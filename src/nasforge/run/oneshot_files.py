"""The run directory of a one-shot search: what `search` writes for its best (through
`write_run_directory` when the choice was retrained), plus the architecture-weight
history (`arch_weights.csv`, `arch_weights.png`) and `oneshot.json` (per-epoch report,
method and settings, collapse share, NAS-Bench-201 accuracies)."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import TYPE_CHECKING

from torch import nn

from nasforge.architecture import Architecture
from nasforge.errors import DataFormatError, DataNotFoundError
from nasforge.history import Trial
from nasforge.run.directory import write_run_directory
from nasforge.run.result import SearchResult
from nasforge.spaces.base import SearchSpace

if TYPE_CHECKING:
    from nasforge.run.oneshot import OneShotResult


def nb201_accuracies(space: SearchSpace, arch: Architecture) -> dict[str, float]:
    """The cell's seed-averaged 200-epoch NAS-Bench-201 test accuracy per data set, when
    the table is readable (empty otherwise, and for other spaces)."""
    if space.name != "nb201":
        return {}
    from nasforge.evaluators.tabular import DATASETS, NB201Benchmark

    try:
        return {d: NB201Benchmark(d).evaluate(arch).metrics["test_acc"] for d in DATASETS}
    except (DataNotFoundError, DataFormatError, OSError):
        return {}


def write_oneshot_files(
    result: OneShotResult, chosen: Trial, model: nn.Module | None, run: Path, export: bool
) -> dict[str, Path]:
    """Write the run directory; returns the file paths by kind."""
    space = result.space
    if model is not None:
        searched = SearchResult(
            result.task, space, result.study.history(), chosen, result.test_metrics, 0,
            ["val_acc"], result.search_seconds,
        )  # fmt: skip
        searched.study = result.study
        _, files = write_run_directory(searched, model, run, export)
    else:
        files = {"trials": run / "trials.csv", "best_text": run / "best_arch.txt",
                 "best_json": run / "best_arch.json"}  # fmt: skip
        result.study.to_dataframe().to_csv(files["trials"], index=False)
        files["best_text"].write_text(space.format(result.arch) + "\n")
        files["best_json"].write_text(result.arch.to_json() + "\n")
    if any(report.arch is not None for report in result.epochs):
        files["arch_weights"] = run / "arch_weights.csv"
        files["arch_weights_plot"] = run / "arch_weights.png"
        _write_weights(result, files["arch_weights"])
        _plot_weights(result, files["arch_weights_plot"])
    files["oneshot"] = run / "oneshot.json"
    files["oneshot"].write_text(json.dumps(oneshot_summary(result), indent=1) + "\n")
    return files


def oneshot_summary(result: OneShotResult) -> dict:
    """JSON-able record of a one-shot search."""
    space = result.space
    return {
        "task": result.task.name,
        "space": space.name,
        "method": result.method,
        "select": result.select,
        "settings": result.settings,
        "arch": space.format(result.arch),
        "val_acc_inherited": result.val_acc,
        "test_metrics": result.test_metrics,
        "skip_none_share": result.skip_share,
        "nb201_test_acc": result.benchmark,
        "search_seconds": round(result.search_seconds, 1),
        "epochs": [_epoch_record(r, space) for r in result.epochs],
    }


def _epoch_record(report, space: SearchSpace) -> dict:
    arch = None if report.arch is None else space.format(report.arch)
    return {
        "epoch": report.epoch, "train_loss": report.train_loss, "train_acc": report.train_acc,
        "val_loss": report.val_loss, "val_acc": report.val_acc, "entropy": report.entropy,
        "arch": arch, "seconds": round(report.seconds, 2),
    }  # fmt: skip


def _write_weights(result: OneShotResult, path: Path) -> None:
    edges = result.epochs[0].weights
    ops = {edge: _ops_of(result, edge) for edge in edges}
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["epoch", "edge", "op", "weight"])
        for report in result.epochs:
            for edge, values in report.weights.items():
                for op, value in zip(ops[edge], values):
                    writer.writerow([report.epoch, edge, op, value])


def _ops_of(result: OneShotResult, edge: str) -> tuple[str, ...]:
    from nasforge.oneshot.supernet import EdgeSpace

    space = result.space
    assert isinstance(space, EdgeSpace)
    return space.supernet_edges()[edge]


def _plot_weights(result: OneShotResult, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    edges = list(result.epochs[0].weights)
    columns = min(3, len(edges))
    rows = -(-len(edges) // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(4 * columns, 2.8 * rows), squeeze=False)
    epochs = [r.epoch for r in result.epochs]
    for ax, edge in zip(axes.flat, edges):
        for k, op in enumerate(_ops_of(result, edge)):
            ax.plot(epochs, [r.weights[edge][k] for r in result.epochs], label=op)
        ax.set_title(edge, fontsize=9)
        ax.set_xlabel("epoch")
        ax.grid(alpha=0.3)
    for ax in list(axes.flat)[len(edges) :]:
        ax.axis("off")
    axes.flat[0].legend(fontsize=7)
    fig.suptitle(f"{result.method} operation weights, {result.space.name} on {result.task.name}")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
