"""`Trial` and `History`: what a strategy knows about the search so far.

A strategy's next proposal depends only on the history (and its random generator), so a
resumed or parallel search just hands it the trials recorded in the study.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from nasforge.architecture import Architecture


@dataclass(frozen=True)
class Trial:
    """One evaluated (or failed) architecture."""

    number: int
    arch: Architecture
    metrics: dict[str, float] = field(default_factory=dict)
    cost_s: float = 0.0
    state: str = "complete"
    failure: str | None = None

    @property
    def ok(self) -> bool:
        return self.state == "complete"


class History:
    """Trials in the order they finished, with fast membership tests by architecture."""

    def __init__(self, trials: Iterable[Trial] = ()) -> None:
        self._trials: list[Trial] = []
        self._seen: set[Architecture] = set()
        for trial in trials:
            self.append(trial)

    def append(self, trial: Trial) -> None:
        self._trials.append(trial)
        self._seen.add(trial.arch)

    def add(self, arch: Architecture, metrics: dict[str, float], **fields: Any) -> Trial:
        """Record a completed evaluation of `arch` and return its trial."""
        trial = Trial(len(self._trials), arch, metrics, **fields)
        self.append(trial)
        return trial

    def __contains__(self, arch: object) -> bool:
        return arch in self._seen

    def __len__(self) -> int:
        return len(self._trials)

    def __iter__(self) -> Iterator[Trial]:
        return iter(self._trials)

    def __getitem__(self, index: int) -> Trial:
        return self._trials[index]

    @property
    def trials(self) -> list[Trial]:
        return self._trials

    def completed(self) -> list[Trial]:
        return [t for t in self._trials if t.ok]

    def best(self, metric: str = "val_acc", maximize: bool = True) -> Trial | None:
        """The completed trial with the best `metric`, earliest on ties; None if there is none."""
        scored = [t for t in self._trials if t.ok and metric in t.metrics]
        if not scored:
            return None
        sign = 1.0 if maximize else -1.0
        return max(scored, key=lambda t: (sign * t.metrics[metric], -t.number))

    def to_dataframe(self):
        """One row per trial: number, architecture (JSON), state, cost and every metric."""
        import pandas as pd

        rows = [
            {
                "number": t.number,
                "arch": t.arch.to_json(),
                "state": t.state,
                "cost_s": t.cost_s,
                "failure": t.failure,
                **t.metrics,
            }
            for t in self._trials
        ]
        return pd.DataFrame(rows)
