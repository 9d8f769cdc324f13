"""Tasks: what a search is for (input shape, classes, metric) and the data to train on."""

from __future__ import annotations

from pathlib import Path

from nasforge.errors import DataNotFoundError
from nasforge.tasks.base import BENCHMARK_TASKS, KINDS, Task, benchmark_task
from nasforge.tasks.bundled import BUNDLED, load_bundled
from nasforge.tasks.series import AEON_PREFIX, SERIES_PREFIX
from nasforge.tasks.tokens import ECA_PREFIX, TOKENS_PREFIX


def load_task(
    source: str | Path = "digits",
    seed: int = 0,
    val_fraction: float = 0.15,
    test_fraction: float = 0.15,
    label_column: str | None = None,
    task: str | None = None,
    metric: str | None = None,
) -> Task:
    """A task from a bundled name (digits, breast_cancer, wine, diabetes), an aeon-bundled
    series set (`aeon:GunPoint`, official test split), your series (`series:<.npz|.csv>`,
    see `nasforge.tasks.series_files`), cellular-automaton tokens (`eca[:settings]`,
    `nasforge.tasks.tokens`), token ids (`tokens:<.npz>`), a table (.csv, .tsv, .parquet: label
    `label_column`), a `.npz` archive, an image folder, or a CIFAR python-batch
    directory; splits are seeded. `task` ("classification" / "regression")
    overrides the target rule of `nasforge.tasks.tables`; `metric` is the task's metric
    (see `nasforge.tasks.metrics`)."""
    from nasforge.tasks.cifar import is_cifar_dir, load_cifar
    from nasforge.tasks.files import load_image_folder, load_npz
    from nasforge.tasks.tables import TABLE_SUFFIXES, load_table

    split = {"seed": seed, "val_fraction": val_fraction, "test_fraction": test_fraction}
    text = str(source)
    if text.startswith(AEON_PREFIX):
        if label_column is not None:
            raise ValueError(f"{source} carries its own labels; leave --label out")
        from nasforge.tasks.series import load_aeon

        return load_aeon(text[len(AEON_PREFIX) :], seed, val_fraction, task, metric)
    if text == ECA_PREFIX or text.startswith(ECA_PREFIX + ":"):
        from nasforge.tasks.tokens import eca_task, parse_eca

        if label_column is not None or task not in (None, "classification"):
            raise ValueError("eca is a per-cell classification task; leave --label and --task out")
        made = eca_task(**parse_eca(text), **split)
        return made if metric is None else Task(**{**made.__dict__, "metric": metric})
    if text.startswith(TOKENS_PREFIX):
        from nasforge.tasks.tokens import load_tokens_npz

        path = Path(text[len(TOKENS_PREFIX) :]).expanduser()
        if not path.is_file() or path.suffix.lower() != ".npz":
            raise DataNotFoundError(f"{path}: no such .npz file; tokens: takes a .npz of ids")
        made = load_tokens_npz(path, **split)
        return made if metric is None else Task(**{**made.__dict__, "metric": metric})
    if text.startswith(SERIES_PREFIX):
        return _load_series_file(Path(text[len(SERIES_PREFIX) :]), label_column, task,
                                 metric, split)  # fmt: skip
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


def _load_series_file(
    path: Path, label_column: str | None, task: str | None, metric: str | None, split: dict
) -> Task:
    from nasforge.tasks.series_files import load_series_csv, load_series_npz

    path = path.expanduser()
    if not path.is_file():
        raise DataNotFoundError(f"{path}: no such file; series: takes a .npz or .csv file")
    if path.suffix.lower() == ".npz":
        if label_column is not None:
            raise ValueError(f"{path}: --label applies to CSV series, not .npz")
        return load_series_npz(path, task=task, metric=metric, **split)
    if path.suffix.lower() in (".csv", ".tsv"):
        return load_series_csv(path, label_column, task=task, metric=metric, **split)
    raise ValueError(f"{path}: series: takes a .npz or .csv file")


__all__ = ["BENCHMARK_TASKS", "BUNDLED", "KINDS", "Task", "benchmark_task", "load_task"]
