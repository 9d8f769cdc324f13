"""The run directory of a search: trial table, best architecture, weights, ONNX, plots,
and `preprocessing.json`, everything `nasforge predict` needs besides the weights (plain
JSON, no pickle)."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import numpy as np
from torch import nn

from nasforge.export import export_onnx, save_state_dict
from nasforge.run.ensemble import ENSEMBLE_FILE, ensemble_description
from nasforge.run.result import SearchResult, summary
from nasforge.spaces.base import SearchSpace
from nasforge.tasks import Task

PREPROCESSING_FILE = "preprocessing.json"


def check_writable(folder: str | Path) -> None:
    """Raise an `OSError` saying what is wrong unless `folder` is, or can be made as, a
    folder this process may write into; nothing is created."""
    path = Path(folder).absolute()
    missing = outermost_missing(path)
    existing = path if missing is None else missing.parent
    if not existing.is_dir():
        raise NotADirectoryError(
            f"cannot write to {path}: {existing} is a file, not a folder; choose another output"
        )
    if not os.access(existing, os.W_OK | os.X_OK):
        raise PermissionError(
            f"cannot write to {path}: no permission to write into {existing} (or a read-only "
            "disk); choose another output"
        )


def fresh_directory(root: Path, name: str) -> Path:
    """`root/name`, or `root/name-2`, `-3`, ... so an earlier run is never overwritten
    (nor one another process makes at the same moment)."""
    root.mkdir(parents=True, exist_ok=True)
    n = 1
    while True:
        candidate = root / (name if n == 1 else f"{name}-{n}")
        try:
            candidate.mkdir()
            return candidate
        except FileExistsError:
            n += 1


def outermost_missing(path: Path) -> Path | None:
    """The outermost folder on the way to `path` that does not exist yet (None: all do)."""
    path, missing = Path(path).absolute(), None
    while not path.exists():
        path, missing = path.parent, path
    return missing


@contextmanager
def removed_on_failure(run: Path, made: Path | None) -> Iterator[None]:
    """If the block raises and this start made `run` (`made`: the outermost folder it
    created on the way, `run` itself when only that), remove `run` and the folders up to
    `made` that are left empty, so a failed start leaves no half-made run directory."""
    try:
        yield
    except BaseException:
        if made is not None:
            shutil.rmtree(run, ignore_errors=True)
            for folder in run.absolute().parents:
                if folder != made and made not in folder.parents:
                    break
                with suppress(OSError):  # not empty: another run is using it
                    folder.rmdir()
        raise


def write_run_directory(
    result: SearchResult, model: nn.Module, run: Path, export: bool
) -> tuple[Path, dict[str, Path]]:
    """Write every artefact of `result` into `run`; returns it and the file paths."""
    files = {
        "trials": run / "trials.csv",
        "best_text": run / "best_arch.txt",
        "best_json": run / "best_arch.json",
        "weights": run / "model.pt",
        "summary": run / "summary.json",
        "curve": run / "best_so_far.png",
    }
    if result.study is not None:
        frame = result.study.to_dataframe()
    else:
        frame = result.history.to_dataframe()
        frame.insert(1, "arch_text", [result.space.format(t.arch) for t in result.history])
    frame.to_csv(files["trials"], index=False)
    files["best_text"].write_text(result.space.format(result.best.arch) + "\n")
    files["best_json"].write_text(result.best.arch.to_json() + "\n")
    save_state_dict(model, files["weights"])
    if len(result.members) > 1:
        files["ensemble"] = run / ENSEMBLE_FILE
        files["ensemble"].write_text(ensemble_description([t.arch for t in result.members]))
    info = summary(result)
    if export:
        files["onnx"] = run / "model.onnx"
        try:
            info["onnx_max_abs_diff"] = export_onnx(
                model, result.task.input_shape, files["onnx"], vocabulary=result.task.vocabulary
            )
        except ImportError as err:
            info["onnx_skipped"] = str(err)
            files.pop("onnx")
    files["summary"].write_text(json.dumps(info, indent=2) + "\n")
    if result.task.has_data:
        files["preprocessing"] = run / PREPROCESSING_FILE
        saved = run_description(result.task, result.space)
        files["preprocessing"].write_text(json.dumps(saved, indent=1) + "\n")
    _plot_curve(result, files["curve"])
    if len(result.objectives) > 1:
        files["pareto"] = run / "pareto.png"
        _plot_pareto(result, files["pareto"])
    return run, files


def space_settings(space: SearchSpace) -> dict:
    """The space's constructor settings (stored as given, style rule 1), JSON-able."""
    import inspect

    names = inspect.signature(type(space).__init__).parameters
    settings = {n: getattr(space, n) for n in names if n != "self" and hasattr(space, n)}
    return {n: list(v) if isinstance(v, tuple) else v for n, v in settings.items()}


def run_description(task: Task, space: SearchSpace) -> dict:
    """What rebuilds the model and its inputs: the task's kind, shape, target and metric,
    the space and its settings, and the task's preprocessing (none: inputs used as given)."""
    return {
        "task": {
            "name": task.name, "kind": task.kind, "input_shape": list(task.input_shape),
            "num_classes": task.num_classes, "metric": task.metric,
            "vocabulary": task.vocabulary, "per_position": task.per_position,
        },
        "space": {"name": space.name, "settings": space_settings(space)},
        "class_names": list(task.class_names), "target": task.target,
        "target_scale": list(task.target_scale),
        **(task.preprocessing or {"inputs": {}}),
    }  # fmt: skip


def _axes():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt, *plt.subplots(figsize=(6.5, 4.2))


def _plot_curve(result: SearchResult, path: Path) -> None:
    plt, fig, ax = _axes()
    metric = result.task.objective
    key = "val_" + metric.key
    trained = [t for t in result.history if t.ok and key in t.metrics]
    values = [t.metrics[key] for t in trained]
    best = np.maximum.accumulate if metric.maximize else np.minimum.accumulate
    ax.scatter(range(1, len(values) + 1), values, s=12, alpha=0.5, label="trial")
    ax.plot(range(1, len(values) + 1), best(values), label="best so far")
    ax.set_xlabel("trained architectures")
    ax.set_ylabel(_axis_label(result.task))
    ax.set_title(f"{result.space.name} on {result.task.name}")
    ax.legend()
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _plot_pareto(result: SearchResult, path: Path) -> None:
    plt, fig, ax = _axes()
    x_name, key = result.objectives[1], result.objectives[0]
    trained = [t for t in result.history if t.ok and key in t.metrics]
    ax.scatter([t.metrics[x_name] for t in trained], [t.metrics[key] for t in trained],
               s=14, alpha=0.4, label="trials")  # fmt: skip
    front = sorted(result.pareto, key=lambda t: t.metrics[x_name])
    ax.plot([t.metrics[x_name] for t in front], [t.metrics[key] for t in front],
            "o-", color="C3", label="Pareto front")  # fmt: skip
    ax.set_xlabel(x_name)
    ax.set_ylabel(_axis_label(result.task))
    ax.set_title(f"Pareto front: {key} vs {x_name}")
    ax.legend()
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _axis_label(task: Task) -> str:
    """`validation accuracy (%)`, `validation rmse (lower is better)`, ..."""
    metric = task.objective
    if metric.name == "accuracy":
        return "validation accuracy (%)"
    unit = " (%)" if metric.percent else ""
    return f"validation {metric.name}{unit}" + ("" if metric.maximize else " (lower is better)")
