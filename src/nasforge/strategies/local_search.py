"""Local search: first-improvement hill climbing with random restarts
(White et al., "Local search is state of the art for NAS benchmarks", 2020).

A climb starts at a random architecture and evaluates its unseen neighbours in random
order, moving to the first one that scores better; when every neighbour of the current
point has been evaluated without improvement, the climb restarts at a random point.
The climb's state is replayed from the history, so resumed and parallel runs agree.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field

import numpy as np

from nasforge.architecture import Architecture
from nasforge.history import History, Trial
from nasforge.spaces.base import SearchSpace
from nasforge.strategies.base import Strategy


def _one_change_apart(a: Architecture, b: Architecture) -> bool:
    return sum(x != y for x, y in zip(a.choice_values, b.choice_values)) == 1


@dataclass
class _Climb:
    """Replay state: the current point and how much of the history it has consumed."""

    history: weakref.ref
    processed: int = 0
    current: Trial | None = None
    at_optimum: bool = False
    seen: set = field(default_factory=set)


class LocalSearch(Strategy):
    """Hill climbing over `space.neighbors`, restarting from a random point at local optima."""

    def __init__(
        self, metric: str = "val_acc", maximize: bool = True, allow_duplicates: bool = False
    ) -> None:
        self.metric = metric
        self.maximize = maximize
        self.allow_duplicates = allow_duplicates

    def _replay(self, space: SearchSpace, history: History) -> _Climb:
        climb = getattr(self, "climb_", None)
        if climb is None or climb.history() is not history or climb.processed > len(history):
            climb = _Climb(history=weakref.ref(history))
        for trial in history.trials[climb.processed :]:
            climb.seen.add(trial.arch)
            if trial.ok:
                if climb.current is None or climb.at_optimum:
                    climb.current = trial
                elif self.score(trial) > self.score(climb.current) and _one_change_apart(
                    trial.arch, climb.current.arch
                ):
                    climb.current = trial
            if climb.current is not None:
                climb.at_optimum = all(n in climb.seen for n in space.neighbors(climb.current.arch))
        climb.processed = len(history)
        self.climb_ = climb
        return climb

    def propose(
        self, space: SearchSpace, history: History, rng: np.random.Generator
    ) -> Architecture:
        climb = self._replay(space, history)
        if climb.current is None or climb.at_optimum:
            return self.sample_new(space, history, rng)
        unseen = [n for n in space.neighbors(climb.current.arch) if self.is_new(n, history)]
        if not unseen:
            return self.sample_new(space, history, rng)
        return unseen[int(rng.integers(len(unseen)))]
