"""NPENAS: neural-predictor-guided evolution (Wei, Niu, Tang, Wang, Hu & Liang, "NPENAS:
neural predictor guided evolution for neural architecture search", IEEE TNNLS 2022),
the NPENAS-NP variant.

After `initial` random architectures, each round fits a predictor to the history (by
default the GIN graph network where the space has a graph form, else the MLP ensemble on
the space's best encoding, one-hot for `mlp` and `chain`), lets the best `parents`
architectures produce many offspring (all their unseen neighbours plus random multi-edit
mutations), and evaluates the `batch_size` offspring with the best predicted score.

With a zero-cost `proxy` (registry name `npenas-zc`: synflow), offspring are ranked by the
predicted score plus a weight times the proxy, both standardised over the offspring: the
weight is `proxy_weight` (6) times the proxy's Spearman correlation with the objective
over the better half of the history (none when that is negative), so the proxy counts
where it has ranked the good architectures seen so far and the predictor takes over where
it has not (synflow ranks all NAS-Bench-201 cells at 0.75 on CIFAR-100, its 50 best at
-0.07; docs/bench.md). This
is the zero-cost "move proposal" of Abdelfattah, Mehrotra, Dudziak & Lane ("Zero-Cost
Proxies for Lightweight NAS", ICLR 2021) applied to NPENAS's offspring, and a form of the
proxy-informed predictors of Krishnakumar et al. (NAS-Bench-Suite-Zero, NeurIPS 2022
Datasets and Benchmarks). The proxy scores untrained networks of `space.scaled_down()`
built for the search's task, never counted as queries; synflow on an edge space scores
every cell on one shared supernet (`SharedSynflow`), other proxies a network per cell.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import spearmanr

from nasforge.architecture import Architecture
from nasforge.history import History
from nasforge.predictors.base import standardize
from nasforge.spaces.base import SearchSpace
from nasforge.strategies.bananas import best_first
from nasforge.strategies.neural_predictor import RegistryPredictorGuided
from nasforge.strategies.training_free import default_scorer, proxy_value
from nasforge.tasks import Task


class NPENAS(RegistryPredictorGuided):
    """Evolution whose offspring are filtered by a predictor (registry name `predictor`;
    None: `default_predictor(space)`). `task` reaches predictors that build networks
    (`zc`) and the `proxy`'s networks; None means the NAS-Bench-201 cifar10 task, for
    benchmark look-ups."""

    def __init__(
        self,
        initial: int = 10,
        batch_size: int = 10,
        predictor: str | None = None,
        parents: int = 10,
        mutations: int = 20,
        max_edits: int = 2,
        metric: str = "val_acc",
        maximize: bool = True,
        allow_duplicates: bool = False,
        proxy: str | None = None,
        proxy_weight: float = 6.0,
        task: Task | str | None = None,
    ) -> None:
        self.initial = initial
        self.batch_size = batch_size
        self.predictor = predictor
        self.parents = parents
        self.mutations = mutations
        self.max_edits = max_edits
        self.metric = metric
        self.maximize = maximize
        self.allow_duplicates = allow_duplicates
        self.proxy = proxy
        self.proxy_weight = proxy_weight
        self.task = task

    def check(self, space: SearchSpace) -> None:
        super().check(space)
        self.require(1, "parents", "mutations", "max_edits")
        if self.proxy is not None:
            from nasforge.registry import PROXIES

            PROXIES.get(self.proxy)  # a ValueError listing the known proxies

    def plan(
        self,
        space: SearchSpace,
        archs: list[Architecture],
        scores: np.ndarray,
        history: History,
        rng: np.random.Generator,
    ) -> list[Architecture]:
        model = self.fit_predictor(space, archs, scores, rng)
        candidates = self.offspring(space, archs, scores, history, rng)
        if not candidates:
            return []
        value = standardize(model.predict(candidates))[0]
        if self.proxy is not None:
            self.proxy_weight_ = self._evidence_weight(space, archs, scores)
            if self.proxy_weight_ > 0:
                value = value + self.proxy_weight_ * self._standardized_proxy(space, candidates)
        self.predictor_ = model
        return best_first(candidates, value)

    def _evidence_weight(
        self, space: SearchSpace, archs: list[Architecture], scores: np.ndarray
    ) -> float:
        """`proxy_weight` times the proxy's Spearman correlation with `scores` over the
        better half of the history, 0 where that is negative or undefined."""
        better = np.flatnonzero(scores >= np.median(scores))
        proxies = self._proxy_values(space, [archs[i] for i in better])
        if len(np.unique(proxies)) < 2 or len(np.unique(scores[better])) < 2:
            return 0.0  # no ranking to judge the proxy by
        rho = spearmanr(proxies, scores[better]).statistic
        return self.proxy_weight * max(0.0, float(rho)) if np.isfinite(rho) else 0.0

    def _proxy_values(self, space: SearchSpace, archs: list[Architecture]) -> np.ndarray:
        """The proxy of `archs` (a failed score is -inf); the scorer, made once, caches
        each architecture's score."""
        if getattr(self, "scorer_", None) is None:
            self.scorer_ = default_scorer(
                self.proxy, self.task, space.scaled_down(), shared_weights=True
            )
        return np.array([proxy_value(self.scorer_, arch) for arch in archs])

    def _standardized_proxy(self, space: SearchSpace, archs: list[Architecture]) -> np.ndarray:
        """The standardised proxy of `archs`, a failed score counting as the lowest."""
        values = self._proxy_values(space, archs)
        finite = np.isfinite(values)
        if not finite.any():
            return np.zeros(len(archs))
        return standardize(np.where(finite, values, values[finite].min()))[0]
