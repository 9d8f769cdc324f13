"""Neural Predictor (Wen, Liu, Chen, Li, Bender & Kindermans, "Neural predictor for neural
architecture search", ECCV 2020): evaluate `initial` random architectures, fit a graph
network on them, predict a large pool and evaluate the `K` best-predicted ones in order.

The pool is the whole space when it has at most `pool` members, else `pool` random
samples. The predictor is the GIN graph network where the space has a graph form, else
the MLP ensemble on the space's best encoding (one-hot for `mlp` and `chain`), unless
`predictor` names one. With `refit_every` set, the predictor is refitted on the grown history after
that many guided proposals (not in the paper; off by default).
"""

from __future__ import annotations

import numpy as np

from nasforge.architecture import Architecture
from nasforge.history import History, Trial
from nasforge.predictors import check_predictor, create_predictor, default_predictor
from nasforge.predictors.base import Predictor
from nasforge.spaces.base import SearchSpace
from nasforge.strategies.bananas import PredictorGuided, best_first
from nasforge.tasks import Task


def predictor_pool(space: SearchSpace, size: int, rng: np.random.Generator) -> list:
    """Every architecture of a finite space of at most `size` members, else `size` samples."""
    try:
        total = len(space)  # type: ignore[arg-type]
    except TypeError:
        total = None
    if total is not None and total <= size:
        return list(space)  # type: ignore[call-overload]
    return list(dict.fromkeys(space.sample(rng) for _ in range(size)))


class RegistryPredictorGuided(PredictorGuided):
    """A `PredictorGuided` strategy whose model is a registry predictor (`predictor`; None:
    `default_predictor(space)`), built for `task` (None: NAS-Bench-201 cifar10)."""

    predictor: str | None = None
    task: Task | str | None = None

    def check(self, space: SearchSpace) -> None:
        super().check(space)
        check_predictor(self.predictor or default_predictor(space), space)

    def fit_predictor(
        self,
        space: SearchSpace,
        archs: list[Architecture],
        scores: np.ndarray,
        rng: np.random.Generator,
    ) -> Predictor:
        """The predictor fitted on the scored trials, its seed drawn from the plan's `rng`."""
        self.predictor_name_ = self.predictor or default_predictor(space)
        seed = int(rng.integers(2**31))
        return create_predictor(self.predictor_name_, space, seed, self.task).fit(archs, scores)


class NeuralPredictor(RegistryPredictorGuided):
    """Random warm-up, one predictor fit (registry name `predictor`; None:
    `default_predictor(space)`), then exploitation of its ranking of a large pool. `task`
    reaches predictors that build networks (`zc`); None: the NAS-Bench-201 cifar10 task."""

    def __init__(
        self,
        initial: int = 50,
        predictor: str | None = None,
        pool: int = 20000,
        refit_every: int | None = None,
        metric: str = "val_acc",
        maximize: bool = True,
        allow_duplicates: bool = False,
        task: Task | str | None = None,
    ) -> None:
        self.initial = initial
        self.predictor = predictor
        self.pool = pool
        self.refit_every = refit_every
        self.metric = metric
        self.maximize = maximize
        self.allow_duplicates = allow_duplicates
        self.task = task

    def check(self, space: SearchSpace) -> None:
        if self.refit_every is not None and self.refit_every < 1:
            raise ValueError(f"refit_every must be at least 1 or None, got {self.refit_every}")
        self.require(1, "pool")
        super().check(space)

    def _fit_point(self, finished: list[Trial]) -> int:
        if self.refit_every is None:
            return min(len(finished), self._first_fit(finished))
        first = self._first_fit(finished)
        return len(finished) - (len(finished) - first) % self.refit_every

    def _first_fit(self, finished: list[Trial]) -> int:
        """How many finished trials there were when `initial` of them had a score."""
        count = 0
        for position, trial in enumerate(finished, start=1):
            count += bool(np.isfinite(self.score(trial)))
            if count == self.initial:
                return position
        return len(finished)

    def plan(
        self,
        space: SearchSpace,
        archs: list[Architecture],
        scores: np.ndarray,
        history: History,
        rng: np.random.Generator,
    ) -> list[Architecture]:
        model = self.fit_predictor(space, archs, scores, rng)
        pool = [a for a in predictor_pool(space, self.pool, rng) if self.is_new(a, history)]
        if not pool:
            return []
        predicted = model.predict(pool)
        self.predictor_ = model
        return best_first(pool, predicted)
