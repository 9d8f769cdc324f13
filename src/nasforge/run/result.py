"""What a search returns (`SearchResult`) and its JSON summary."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

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
    test_acc: float
    rejected: int
    objectives: list[str]
    seconds: float
    run_dir: Path | None = None
    pareto: list[Trial] = field(default_factory=list)
    files: dict[str, Path] = field(default_factory=dict)
    study: Study | None = None
    confirmation: list[Confirmation] = field(default_factory=list)

    def leaderboard(self, top: int = 10) -> pd.DataFrame:
        """The `top` trained architectures by training epochs, then validation accuracy,
        then validation loss."""
        rows = [
            {"trial": t.number, "arch": self.space.format(t.arch), **t.metrics}
            for t in ranked(self.history)[:top]
        ]
        return pd.DataFrame(rows)


def summary(result: SearchResult) -> dict:
    """JSON-able summary of a search."""
    return {
        "task": result.task.name,
        "space": result.space.name,
        "best_arch": result.space.format(result.best.arch),
        "best_val_acc": result.best.metrics["val_acc"],
        "test_acc": result.test_acc,
        "trained": len([t for t in result.history if t.state != "infeasible"]),
        "rejected": result.rejected,
        "seconds": round(result.seconds, 1),
        "objectives": result.objectives,
        "pareto": [result.space.format(t.arch) for t in result.pareto],
        "confirmation": [c.as_dict(result.space.format) for c in result.confirmation],
    }
