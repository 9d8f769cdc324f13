"""What a search returns (`SearchResult`) and its JSON summary."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from torch import nn

from nasforge.history import History, Trial, ranked
from nasforge.run.selection import Confirmation
from nasforge.spaces.base import SearchSpace
from nasforge.study import Study
from nasforge.tasks import Task


class SearchInterrupted(KeyboardInterrupt):
    """Ctrl-C during a search: the completed trials are in the study `name`, which
    `resume=True` with that name continues."""

    def __init__(self, name: str, run_dir: Path | None) -> None:
        super().__init__(name)
        self.name = name
        self.run_dir = run_dir


@dataclass
class SearchResult:
    """What a search produced; `run_dir` holds the same on disk."""

    task: Task
    space: SearchSpace
    history: History
    best: Trial
    test_metrics: dict[str, float]
    rejected: int
    objectives: list[str]
    seconds: float
    run_dir: Path | None = None
    pareto: list[Trial] = field(default_factory=list)
    files: dict[str, Path] = field(default_factory=dict)
    study: Study | None = None
    confirmation: list[Confirmation] = field(default_factory=list)
    baseline: dict | None = None
    members: list[Trial] = field(default_factory=list)
    member_test_metrics: list[dict[str, float]] = field(default_factory=list)
    ensemble_measures: dict[str, float] = field(default_factory=dict)
    ensemble_notes: list[str] = field(default_factory=list)  # why members were left out
    model: nn.Module | None = None  # the retrained network (or ensemble), on the CPU

    @property
    def test_acc(self) -> float | None:
        """Test accuracy (%) of the retrained best network; None for regression."""
        return self.test_metrics.get("test_acc")

    @property
    def test_score(self) -> float:
        """The retrained best network's test score in the task's metric."""
        return self.test_metrics["test_" + self.task.objective.key]

    @property
    def winner_test_metrics(self) -> dict[str, float]:
        """The best network's own test metrics: an ensemble's first member, else the model's."""
        return (self.member_test_metrics or [self.test_metrics])[0]

    def leaderboard(self, top: int = 10) -> pd.DataFrame:
        """The `top` trained architectures by training epochs, then the validation metric
        (in its direction), then validation loss."""
        metric = self.task.objective
        rows = [
            {"trial": t.number, "arch": self.space.format(t.arch), **t.metrics}
            for t in ranked(self.history, "val_" + metric.key, metric.maximize)[:top]
        ]
        return pd.DataFrame(rows)


def summary(result: SearchResult) -> dict:
    """JSON-able summary of a search (`test_acc` and `best_val_acc` for classes, every
    `test_<metric>` always, the baseline's scores for tables, an ensemble's members with
    their own test scores)."""
    task = result.task
    key = task.objective.key
    classes = {"best_val_acc": result.best.metrics.get("val_acc"), "test_acc": result.test_acc}
    return {
        "task": task.name,
        "target": task.target,
        "metric": task.metric,
        "space": result.space.name,
        "best_arch": result.space.format(result.best.arch),
        **{k: v for k, v in classes.items() if v is not None},
        "best_val": result.best.metrics["val_" + key],
        "test_score": result.test_score,
        "test_metrics": result.test_metrics,
        "baseline": result.baseline,
        "trained": len([t for t in result.history if t.state != "infeasible"]),
        "rejected": result.rejected,
        "seconds": round(result.seconds, 1),
        "objectives": result.objectives,
        "pareto": [result.space.format(t.arch) for t in result.pareto],
        "confirmation": [c.as_dict(result.space.format) for c in result.confirmation],
        "ensemble": [
            {"trial": t.number, "arch": result.space.format(t.arch), "test_metrics": m}
            for t, m in zip(result.members, result.member_test_metrics)
        ],
        "ensemble_measures": result.ensemble_measures,
        "ensemble_notes": result.ensemble_notes,
    }
