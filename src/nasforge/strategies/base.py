"""The `Strategy` protocol: propose the next architecture from the history alone."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence

import numpy as np

from nasforge.architecture import Architecture
from nasforge.errors import NasforgeError
from nasforge.history import History, Trial
from nasforge.spaces.base import SearchSpace

DIRECTIONS = ("maximize", "minimize")


class SpaceExhaustedError(NasforgeError):
    """Every architecture of a finite space is already in the history."""


class Strategy(ABC):
    """Proposes architectures. Everything it knows comes from `history`, so searches can
    resume and run on parallel workers; caches may speed it up but never change a result.

    Subclasses set `metric`, `maximize` and `allow_duplicates` in their constructors and
    implement `propose`; `check` and `propose_job` are the optional hooks. A strategy that sets
    `multi_objective = True` takes `objectives` (metric names) and `directions`
    ("maximize" / "minimize") in its constructor and optimises them all; `search` and the
    multi-objective bench then give it every objective.
    """

    metric: str = "val_acc"
    maximize: bool = True
    allow_duplicates: bool = False
    multi_objective: bool = False
    multi_fidelity: bool = False  # True: overrides propose_job, takes `fidelities=` (epochs)

    def check(self, space: SearchSpace) -> None:
        """Raise a ValueError naming a setting that is out of range, or that `space` cannot
        serve. The loop calls it before the first proposal, and `search` and `benchmark`
        before any work starts; by default there is nothing to check."""
        return None

    def require(self, minimum: float, *names: str) -> None:
        """A one-line ValueError for the first setting in `names` below `minimum`: the
        range check that `check` overrides share."""
        for name in names:
            if getattr(self, name) < minimum:
                raise ValueError(f"{name} must be at least {minimum}, got {getattr(self, name)}")

    @abstractmethod
    def propose(
        self, space: SearchSpace, history: History, rng: np.random.Generator
    ) -> Architecture:
        """The next architecture to evaluate."""

    def propose_job(
        self, space: SearchSpace, history: History, rng: np.random.Generator
    ) -> tuple[Architecture, int | None]:
        """The next job: an architecture and the fidelity (training epochs) to evaluate it
        at, None for the run's default. Multi-fidelity strategies override this; the loop
        always calls it, and by default it is `(propose(...), None)`."""
        return self.propose(space, history, rng), None

    def score(self, trial: Trial) -> float:
        """The trial's objective, signed so that larger is better; -inf when missing."""
        value = trial.metrics.get(self.metric) if trial.ok else None
        if value is None or value != value:  # missing or NaN
            return -np.inf
        return value if self.maximize else -value

    def is_new(self, arch: Architecture, history: History) -> bool:
        """Whether `arch` may be proposed: unseen, or duplicates are allowed."""
        return self.allow_duplicates or arch not in history

    def sample_new(
        self, space: SearchSpace, history: History, rng: np.random.Generator, tries: int = 1000
    ) -> Architecture:
        """A random architecture not in the history (unless duplicates are allowed)."""
        for _ in range(tries):
            arch = space.sample(rng)
            if self.is_new(arch, history):
                return arch
        try:
            total = len(space)  # type: ignore[arg-type]
        except TypeError:
            total = None
        if total is not None:
            unseen = [a for a in space if a not in history]  # type: ignore[attr-defined]
            if unseen:
                return unseen[int(rng.integers(len(unseen)))]
            raise SpaceExhaustedError(
                f"all {total} architectures of space {space.name!r} are already evaluated"
            )
        raise SpaceExhaustedError(f"found no unseen architecture in {tries} random samples")


def check_objectives(
    objectives: Sequence[str], directions: Sequence[str] | None
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """`objectives` and `directions` as tuples of equal length (all "maximize" when
    `directions` is None); a ValueError saying what is wrong otherwise."""
    objectives = tuple(objectives)
    directions = ("maximize",) * len(objectives) if directions is None else tuple(directions)
    if not objectives or len(directions) != len(objectives):
        raise ValueError(
            f"give one direction per objective: {len(objectives)} objective(s) "
            f"({', '.join(objectives)}), {len(directions)} direction(s)"
        )
    wrong = [d for d in directions if d not in DIRECTIONS]
    if wrong:
        raise ValueError(f"unknown direction {wrong[0]!r}; accepted: {', '.join(DIRECTIONS)}")
    return objectives, directions
