"""The `Evaluator` protocol and its `Result`."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field

from nasforge.architecture import Architecture


@dataclass
class Result:
    """What one evaluation produced: metrics (`val_acc`, `test_acc`, `params`, `flops`, ...),
    its cost in seconds, and the learning curve (validation metric per epoch) if any."""

    metrics: dict[str, float]
    cost_s: float = 0.0
    curve: list[float] = field(default_factory=list)
    state: str = "complete"
    failure: str | None = None


@dataclass
class EvaluationContext:
    """Per-evaluation settings from the strategy: the fidelity (epochs) to evaluate at, and
    `on_epoch(epoch, val_acc) -> bool`, called after every epoch; False stops the run."""

    fidelity: int | None = None
    on_epoch: Callable[[int, float], bool] | None = None

    def report(self, epoch: int, value: float) -> bool:
        """Forward one epoch's validation metric; whether the evaluation should go on."""
        return True if self.on_epoch is None else bool(self.on_epoch(epoch, value))


class Evaluator(ABC):
    """Turns an architecture into a `Result`. `objective` names the metric searched on."""

    objective: str = "val_acc"
    maximize: bool = True

    @abstractmethod
    def evaluate(self, arch: Architecture, context: EvaluationContext | None = None) -> Result:
        """Evaluate `arch`, at `context.fidelity` when given."""


class SimulatedCost(Evaluator):
    """`evaluator` plus a fixed wait of `seconds` per evaluation: a tabular benchmark with
    a simulated training time, to measure parallel workers and storage without training."""

    def __init__(self, evaluator: Evaluator, seconds: float = 0.2) -> None:
        if seconds < 0:
            raise ValueError(f"the simulated cost must be >= 0 seconds, got {seconds}")
        self.evaluator = evaluator
        self.seconds = seconds
        self.objective = evaluator.objective
        self.maximize = evaluator.maximize

    def evaluate(self, arch: Architecture, context: EvaluationContext | None = None) -> Result:
        import time

        result = self.evaluator.evaluate(arch, context)
        time.sleep(self.seconds)
        result.cost_s += self.seconds
        return result
