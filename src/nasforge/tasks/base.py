"""`Task`: the problem an architecture is built for, and (optionally) its data splits."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True, eq=False)
class Task:
    """Input shape (channels, height, width) or (features,), class count and metric, plus
    train / validation / test arrays when the task carries data (benchmark tasks do not).

    Inputs are float32 arrays of shape (n, *input_shape); labels are int64 in
    [0, num_classes).
    """

    name: str
    input_shape: tuple[int, ...]
    num_classes: int
    metric: str = "accuracy"
    x_train: np.ndarray | None = field(default=None, repr=False)
    y_train: np.ndarray | None = field(default=None, repr=False)
    x_val: np.ndarray | None = field(default=None, repr=False)
    y_val: np.ndarray | None = field(default=None, repr=False)
    x_test: np.ndarray | None = field(default=None, repr=False)
    y_test: np.ndarray | None = field(default=None, repr=False)
    class_names: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.num_classes < 2:
            raise ValueError(f"task {self.name!r} needs at least 2 classes, got {self.num_classes}")
        if not self.input_shape or any(int(d) < 1 for d in self.input_shape):
            raise ValueError(f"task {self.name!r} has an invalid input shape {self.input_shape}")

    @property
    def has_data(self) -> bool:
        return self.x_train is not None

    def train_and_val(self) -> tuple[np.ndarray, np.ndarray]:
        """Training and validation examples together: what the final model and the
        cross-validation of candidates train on."""
        return (
            np.concatenate([self.x_train, self.x_val]),
            np.concatenate([self.y_train, self.y_val]),
        )

    def split_sizes(self) -> dict[str, int]:
        """Examples per split (0 for a split the task does not carry)."""
        return {
            name: 0 if x is None else len(x)
            for name, x in (("train", self.x_train), ("val", self.x_val), ("test", self.x_test))
        }


BENCHMARK_TASKS: dict[str, Task] = {
    "cifar10": Task("cifar10", (3, 32, 32), 10),
    "cifar100": Task("cifar100", (3, 32, 32), 100),
    "imagenet16-120": Task("imagenet16-120", (3, 16, 16), 120),
}


def benchmark_task(dataset: str) -> Task:
    """The `Task` of a NAS-Bench-201 dataset; `ValueError` naming the accepted ones."""
    try:
        return BENCHMARK_TASKS[dataset]
    except KeyError:
        raise ValueError(
            f"unknown dataset {dataset!r}; accepted: {', '.join(BENCHMARK_TASKS)}"
        ) from None
