"""CIFAR-10 / CIFAR-100 in the python-pickle batch layout (`cifar-10-batches-py`,
`cifar-100-python`), read with a restricted unpickler and no torchvision."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np

from nasforge.errors import DataFormatError, DataNotFoundError
from nasforge.tasks.base import Task
from nasforge.tasks.splits import make_task

_ALLOWED = {
    ("numpy.core.multiarray", "_reconstruct"),
    ("numpy._core.multiarray", "_reconstruct"),
    ("numpy", "ndarray"),
    ("numpy", "dtype"),
}


class _ArrayUnpickler(pickle.Unpickler):
    """Builds dicts, lists, strings, bytes and numpy arrays only."""

    def find_class(self, module: str, name: str):
        if (module, name) not in _ALLOWED:
            raise pickle.UnpicklingError(f"refusing to load {module}.{name}")
        return super().find_class(module, name)


def _read_batch(path: Path) -> dict:
    try:
        with open(path, "rb") as handle:
            batch = _ArrayUnpickler(handle, encoding="bytes").load()
    except FileNotFoundError:
        raise DataNotFoundError(f"{path}: missing CIFAR batch file") from None
    except Exception as err:  # only data is built, so any failure means bad content
        raise DataFormatError(f"{path}: not a CIFAR python batch ({err})") from None
    if not isinstance(batch, dict):
        raise DataFormatError(f"{path}: not a CIFAR python batch (no dict inside)")
    return {k.decode() if isinstance(k, bytes) else k: v for k, v in batch.items()}


def _arrays(batch: dict, path: Path, label_key: str) -> tuple[np.ndarray, np.ndarray]:
    if "data" not in batch or label_key not in batch:
        raise DataFormatError(f"{path}: lacks 'data' or '{label_key}'")
    data = np.asarray(batch["data"], dtype=np.uint8)
    if data.ndim != 2 or data.shape[1] != 3 * 32 * 32:
        raise DataFormatError(f"{path}: 'data' has shape {data.shape}, expected (n, 3072)")
    return data.reshape(-1, 3, 32, 32), np.asarray(batch[label_key], dtype=np.int64)


def is_cifar_dir(root: Path) -> bool:
    return (root / "data_batch_1").exists() or (root / "train").is_file()


def load_cifar(root: Path, **split: float | int) -> Task:
    """CIFAR-10 (`data_batch_1..5`, `test_batch`) or CIFAR-100 (`train`, `test`, fine labels);
    the official test set is kept, the validation split comes from the training batches."""
    if (root / "data_batch_1").exists():
        name, label_key = "cifar10", "labels"
        train_files = [root / f"data_batch_{i}" for i in range(1, 6)]
        test_file = root / "test_batch"
    else:
        name, label_key = "cifar100", "fine_labels"
        train_files, test_file = [root / "train"], root / "test"
    parts = [_arrays(_read_batch(p), p, label_key) for p in train_files]
    x = np.concatenate([p[0] for p in parts]).astype(np.float32) / 255.0
    y = np.concatenate([p[1] for p in parts])
    x_test, y_test = _arrays(_read_batch(test_file), test_file, label_key)
    return make_task(
        name,
        x,
        y,
        x_test=x_test.astype(np.float32) / 255.0,
        y_test=y_test,
        source=str(root),
        **split,
    )  # type: ignore[arg-type]
