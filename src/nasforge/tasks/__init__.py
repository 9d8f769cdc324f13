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
) -> Task:
    """A task from a bundled name (digits, breast_cancer, wine), a CSV file, a `.npz`
    archive, an image folder, or a CIFAR python-batch directory; splits are seeded."""
    from nasforge.tasks.cifar import is_cifar_dir, load_cifar
    from nasforge.tasks.files import load_csv, load_image_folder, load_npz

    split = {"seed": seed, "val_fraction": val_fraction, "test_fraction": test_fraction}
    if str(source) in BUNDLED:
        return load_bundled(str(source), **split)
    path = Path(source).expanduser()
    if not path.exists():
        raise DataNotFoundError(
            f"{path}: no such file or folder; give {', '.join(BUNDLED)}, a .csv, a .npz, "
            "an image folder or a CIFAR python-batch directory"
        )
    if path.is_dir():
        return load_cifar(path, **split) if is_cifar_dir(path) else load_image_folder(path, **split)
    if path.suffix.lower() == ".csv":
        return load_csv(path, label_column, **split)
    if path.suffix.lower() == ".npz":
        return load_npz(path, **split)
    raise ValueError(f"{path}: unsupported data file; accepted: .csv, .npz, or a folder")


__all__ = ["BENCHMARK_TASKS", "BUNDLED", "Task", "benchmark_task", "load_task"]
