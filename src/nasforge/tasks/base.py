"""`Task`: the problem an architecture is built for."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Task:
    """Input shape (channels, height, width) or (features,), class count and metric."""

    name: str
    input_shape: tuple[int, ...]
    num_classes: int
    metric: str = "accuracy"

    def __post_init__(self) -> None:
        if self.num_classes < 2:
            raise ValueError(f"task {self.name!r} needs at least 2 classes, got {self.num_classes}")
        if not self.input_shape or any(int(d) < 1 for d in self.input_shape):
            raise ValueError(f"task {self.name!r} has an invalid input shape {self.input_shape}")


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
