"""Tasks: what a search is for (input shape, classes, metric) and the data to train on."""

from __future__ import annotations

from pathlib import Path

from nasforge.errors import DataNotFoundError
from nasforge.tasks.base import BENCHMARK_TASKS, Task, benchmark_task
from nasforge.tasks.bundled import BUNDLED, load_bundled


def load_task(
    source: str | Path = "digits",
    seed: int = 0,
    val_fraction: float = 0.15,
    test_fraction: float = 0.15,
    label_column: str | None = None,
    task: str | None = None,
    metric: str | None = None,
) -> Task:
    """A task from a bundled name (digits, breast_cancer, wine, diabetes), a table (.csv,
    .tsv, .parquet: label `label_column`), a `.npz` archive, an image folder, or a CIFAR
    python-batch directory; splits are seeded. `task` ("classification" / "regression")
    overrides the target rule of `nasforge.tasks.tables`; `metric` is the task's metric
    (see `nasforge.tasks.metrics`)."""
    from nasforge.tasks.cifar import is_cifar_dir, load_cifar
    from nasforge.tasks.files import load_image_folder, load_npz
    from nasforge.tasks.tables import TABLE_SUFFIXES, load_table

    split = {"seed": seed, "val_fraction": val_fraction, "test_fraction": test_fraction}
    if str(source) in BUNDLED:
        if label_column is not None:
            raise ValueError(f"{source} is a bundled task with its own label; leave --label out")
        return load_bundled(str(source), task=task, metric=metric, **split)
    path = Path(source).expanduser()
    if not path.exists():
        raise DataNotFoundError(
            f"{path}: no such file or folder; give {', '.join(BUNDLED)}, a .csv / .tsv / "
            ".parquet table, a .npz, an image folder or a CIFAR python-batch directory"
        )
    if path.is_file() and path.suffix.lower() in TABLE_SUFFIXES:
        return load_table(path, label_column, task=task, metric=metric, **split)
    if label_column is not None or task not in (None, "classification"):
        raise ValueError(f"{path}: --label and --task apply to tables (.csv, .tsv, .parquet)")
    if path.is_dir():
        loader = load_cifar if is_cifar_dir(path) else load_image_folder
        loaded = loader(path, **split)
    elif path.suffix.lower() == ".npz":
        loaded = load_npz(path, **split)
    else:
        raise ValueError(
            f"{path}: unsupported data file; accepted: {', '.join(TABLE_SUFFIXES)}, .npz, "
            "or a folder"
        )
    return loaded if metric is None else Task(**{**loaded.__dict__, "metric": metric})


__all__ = ["BENCHMARK_TASKS", "BUNDLED", "Task", "benchmark_task", "load_task"]
