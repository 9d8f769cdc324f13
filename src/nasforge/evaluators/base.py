"""The `Evaluator` protocol and its `Result`."""

from __future__ import annotations

from abc import ABC, abstractmethod
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
    """Per-evaluation settings from the strategy: the fidelity (epochs) to evaluate at."""

    fidelity: int | None = None


class Evaluator(ABC):
    """Turns an architecture into a `Result`. `objective` names the metric searched on."""

    objective: str = "val_acc"
    maximize: bool = True

    @abstractmethod
    def evaluate(self, arch: Architecture, context: EvaluationContext | None = None) -> Result:
        """Evaluate `arch`, at `context.fidelity` when given."""
