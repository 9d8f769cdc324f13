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
    """Finished trials (complete, failed, infeasible) in the order they finished, and apart
    from them the jobs still running, with fast membership tests by architecture.

    Iterating, `len` and indexing see finished trials only; `arch in history` is true for
    finished and running architectures alike, so a strategy never proposes one twice.
    """

    def __init__(self, trials: Iterable[Trial] = (), running: Iterable[Trial] = ()) -> None:
        self._trials: list[Trial] = []
        self._seen: set[Architecture] = set()
        self._running: dict[int, Trial] = {}
        for trial in trials:
            self.append(trial)
        for trial in running:
            self.start(trial)

    def append(self, trial: Trial) -> None:
        """Record a finished trial; a running job with its number is finished by it."""
        self._running.pop(trial.number, None)
        self._trials.append(trial)
        self._seen.add(trial.arch)

    def start(self, trial: Trial) -> None:
        """Record a job that is being evaluated (its metrics hold at most its fidelity)."""
        self._running[trial.number] = trial

    def add(self, arch: Architecture, metrics: dict[str, float], **fields: Any) -> Trial:
        """Record a completed evaluation of `arch` and return its trial."""
        trial = Trial(self.proposed, arch, metrics, **fields)
        self.append(trial)
        return trial

    @property
    def running(self) -> list[Trial]:
        """The jobs being evaluated now, by trial number."""
        return [self._running[n] for n in sorted(self._running)]

    @property
    def proposed(self) -> int:
        """Every job handed out so far: finished and running."""
        return len(self._trials) + len(self._running)

    def in_order(self) -> list[Trial]:
        """Finished and running trials by trial number: the order they were proposed."""
        return sorted([*self._trials, *self._running.values()], key=lambda t: t.number)

    def __contains__(self, arch: object) -> bool:
        return arch in self._seen or self.is_running(arch)

    def is_running(self, arch: object) -> bool:
        """Whether `arch` is being evaluated now."""
        return bool(self._running) and any(t.arch == arch for t in self._running.values())

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


def ranking_key(
    trial: Trial, metric: str = "val_acc", maximize: bool = True
) -> tuple[float, float, float, int]:
    """Most training epochs first, then the better `metric` (larger when `maximize`,
    else smaller), then lower validation loss, then the earlier trial."""
    metrics = trial.metrics
    return (
        metrics.get("fidelity", 0.0),
        metrics[metric] if maximize else -metrics[metric],
        -metrics.get("val_loss", 0.0),
        -trial.number,
    )


def ranked(history: Iterable[Trial], metric: str = "val_acc", maximize: bool = True) -> list[Trial]:
    """Completed trials with `metric`, best first by `ranking_key`."""
    completed = [t for t in history if t.ok and metric in t.metrics]
    return sorted(completed, key=lambda t: ranking_key(t, metric, maximize), reverse=True)
