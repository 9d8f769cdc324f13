"""Batches for data-dependent proxies.

`task` draws rows of the task's own training split (real data, the task's labels; tasks
loaded with `load_task` carry it, benchmark tasks do not). Without training data:
`gaussian` draws standard-normal inputs (uniform ids for tokens) and uniform labels
(synthetic: no real data);
`digits` resizes scikit-learn's 1,797 8x8 handwritten digits (real images, 10 classes) to
the task's input shape. Data-free proxies only read the batch's shape.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from nasforge.evaluators.zerocost._common import Batch
from nasforge.tasks import Task

SOURCES = ("gaussian", "digits", "task")


def proxy_batch(task: Task, source: str = "gaussian", batch_size: int = 64, seed: int = 0) -> Batch:
    """A seeded (inputs, targets) batch of `batch_size` examples shaped for `task`."""
    if batch_size < 2:
        raise ValueError(f"batch_size must be at least 2, got {batch_size}")
    rng = np.random.default_rng(seed)
    if source == "gaussian":
        inputs = rng.standard_normal((batch_size, *task.input_shape)).astype(np.float32)
        if task.kind == "tokens":  # uniform token ids instead
            inputs = rng.integers(0, task.vocabulary, (batch_size, *task.input_shape))
        shape = (batch_size, *task.input_shape[-1:]) if task.per_position else (batch_size,)
        targets = rng.integers(0, task.num_classes, size=shape)
        return torch.from_numpy(inputs), torch.from_numpy(targets).long()
    if source == "digits":
        return _digits(task, batch_size, rng)
    if source == "task":
        return task_rows(task, batch_size, rng)
    raise ValueError(f"unknown proxy data source {source!r}; accepted: {', '.join(SOURCES)}")


def default_source(task: Task) -> str:
    """`task` when the task carries training data, else `gaussian`."""
    return "task" if task.has_data else "gaussian"


def task_rows(task: Task, batch_size: int, rng: np.random.Generator) -> Batch:
    """`batch_size` distinct training rows of `task` (all of them when it has fewer)."""
    if not task.has_data:
        raise ValueError(
            f"task {task.name!r} carries no training data for the proxies; use the "
            "'gaussian' or 'digits' proxy data, or load the task with its data"
        )
    pick = rng.choice(len(task.y_train), size=min(batch_size, len(task.y_train)), replace=False)
    inputs = torch.from_numpy(np.ascontiguousarray(task.x_train[pick], dtype=np.float32))
    return inputs, torch.from_numpy(task.y_train[pick].astype(np.int64))


def _digits(task: Task, batch_size: int, rng: np.random.Generator) -> Batch:
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        raise ImportError(
            "the 'digits' proxy data needs scikit-learn: pip install scikit-learn"
        ) from None
    images, labels = load_digits(return_X_y=True)
    pick = rng.choice(len(labels), size=batch_size, replace=False)
    x = torch.from_numpy(images[pick].astype(np.float32) / 16.0)
    x = (x - 0.5) / 0.5
    if len(task.input_shape) == 3:
        channels, height, width = task.input_shape
        x = F.interpolate(x.reshape(-1, 1, 8, 8), size=(height, width), mode="bilinear")
        x = x.expand(-1, channels, -1, -1).contiguous()
    else:
        features = int(np.prod(task.input_shape))
        x = F.interpolate(x.reshape(-1, 1, 64), size=features, mode="linear")
        x = x.reshape(batch_size, *task.input_shape)
    targets = torch.from_numpy(labels[pick] % task.num_classes).long()
    return x, targets
