"""Bayesian optimisation with a categorical Gaussian process and local acquisition search.

The surrogate is `HammingGP`: Matérn-5/2 on the decision-weighted Hamming distance, the
transformed overlap kernel of CASMOPOLITAN (Wan et al., "Think global and act local:
Bayesian optimisation over high-dimensional categorical and mixed search spaces", ICML
2021), hyperparameters fitted by maximum a posteriori marginal likelihood. The
acquisition is expected improvement (Jones, Schonlau & Welch, J. Global Optim. 1998)
over the best observed score, maximised as BANANAS does (White, Neiswanger & Savani,
AAAI 2021): candidates are the neighbours of the best `parents` architectures plus
`samples` random ones (the random restarts), then the neighbours of the `starts` best
candidates are added round after round while the best acquisition value still improves.

Refitting the hyperparameters costs most, so they are refitted at the history sizes
`initial`, then each `refit_growth` times larger (10, 11, 12, 13, 14, 16, ...), and the
GP is conditioned on all finished trials with the latest fit in between; every step is
a function of the finished trials (see `PredictorGuided`), so resumed runs agree.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.stats import norm

from nasforge.architecture import Architecture
from nasforge.history import History
from nasforge.predictors.hamming_gp import HammingGP
from nasforge.spaces.base import CategoricalSpace, SearchSpace
from nasforge.strategies.bananas import PredictorGuided

ACQUISITIONS = ("ei", "ucb", "mean")
KEEP = 100  # the best candidates a plan keeps, for the proposals until the next refit


class LocalGP(PredictorGuided):
    """GP-EI over a categorical space, the acquisition maximised by local search from the
    best architectures and from random samples; `ucb_beta` weighs the spread for "ucb".
    With `observation_noise` the spread is that of a new observation (the latent
    variance plus the fitted noise), not of the latent function: the incumbent is the
    best observed score, and a noisy objective can beat it at a well-known point."""

    def __init__(
        self,
        initial: int = 10,
        acquisition: str = "ei",
        ucb_beta: float = 1.0,
        parents: int = 10,
        samples: int = 2000,
        starts: int = 10,
        rounds: int = 5,
        refit_growth: float = 1.15,
        restarts: int = 0,
        observation_noise: bool = True,
        metric: str = "val_acc",
        maximize: bool = True,
        allow_duplicates: bool = False,
    ) -> None:
        self.initial = initial
        self.acquisition = acquisition
        self.ucb_beta = ucb_beta
        self.parents = parents
        self.samples = samples
        self.starts = starts
        self.rounds = rounds
        self.refit_growth = refit_growth
        self.restarts = restarts
        self.observation_noise = observation_noise
        self.metric = metric
        self.maximize = maximize
        self.allow_duplicates = allow_duplicates

    batch_size = 1

    def check(self, space: SearchSpace) -> None:
        super().check(space)
        if not isinstance(space, CategoricalSpace):
            raise ValueError(f"gp-local needs a categorical space; {space.name!r} is not")
        if self.acquisition not in ACQUISITIONS:
            raise ValueError(
                f"unknown acquisition {self.acquisition!r}; accepted: {', '.join(ACQUISITIONS)}"
            )
        self.require(1, "parents", "starts")
        self.require(0, "samples", "rounds", "restarts")
        if not self.refit_growth >= 1.0:
            raise ValueError(f"refit_growth must be at least 1, got {self.refit_growth}")

    def refit_size(self, size: int) -> int:
        """The history size at which the hyperparameters used with `size` trials were fit."""
        point = self.initial
        while True:
            following = max(point + 1, math.floor(point * self.refit_growth))
            if following > size:
                return min(point, size)
            point = following

    def _hyperparameters(
        self, space: SearchSpace, archs: list[Architecture], scores: np.ndarray, seed: int
    ) -> np.ndarray:
        """The fit on the first `refit_size(len(archs))` trials, cached on their content."""
        size = self.refit_size(len(archs))
        key = tuple(zip(archs[:size], scores[:size].tolist()))
        cached = getattr(self, "hyperparameters_", None)
        if cached is None or cached[0] != key:
            model = HammingGP(space, restarts=self.restarts, seed=seed)
            model.fit(archs[:size], scores[:size])
            cached = self.hyperparameters_ = (key, model.hyperparameters_)
        return cached[1]

    def plan(
        self,
        space: SearchSpace,
        archs: list[Architecture],
        scores: np.ndarray,
        history: History,
        rng: np.random.Generator,
    ) -> list[Architecture]:
        hyperparameters = self._hyperparameters(space, archs, scores, int(rng.integers(2**31)))
        model = HammingGP(space, hyperparameters=hyperparameters).fit(archs, scores)
        best = float((scores.max() - model.y_mean_) / model.y_std_)
        noise = float(np.exp(hyperparameters[-1])) if self.observation_noise else 0.0
        sizes = np.array([len(space.choices(label)) for label in space.labels], dtype=np.int64)
        radix = np.cumprod(np.concatenate([[1], sizes[::-1][:-1]]))[::-1]
        seen = [] if self.allow_duplicates else [t.arch for t in history.trials]
        scored = model.positions(seen) @ radix  # indexes never scored again
        pool, values = [], []

        def score(x: np.ndarray) -> None:
            nonlocal scored
            index, first = np.unique(x @ radix, return_index=True)
            fresh = ~np.isin(index, scored)
            if fresh.any():
                x = x[first[fresh]]
                mean, std = model.predict_positions(x)
                pool.append(x)
                values.append(self._acquire(mean, np.sqrt(std**2 + noise), best))
                scored = np.concatenate([scored, index[fresh]])

        x = model.positions(archs)
        score(_neighbours(x[np.argsort(-scores, kind="stable")[: self.parents]], sizes))
        score(rng.integers(0, sizes, size=(self.samples, len(sizes))))
        for _ in range(self.rounds):
            if not pool:
                break
            x, value = np.concatenate(pool), np.concatenate(values)
            before = value.max()
            score(_neighbours(x[np.argsort(-value, kind="stable")[: self.starts]], sizes))
            if np.concatenate(values).max() <= before:
                break
        self.predictor_ = model
        if not pool:
            return []
        x, value = np.concatenate(pool), np.concatenate(values)
        ranked = (
            space.canonical(space.from_positions(row))
            for row in x[np.argsort(-value, kind="stable")[:KEEP]].tolist()
        )
        return [arch for arch in dict.fromkeys(ranked) if self._open(arch, history)]

    def _open(self, arch: Architecture, history: History) -> bool:
        return self.allow_duplicates or arch not in history

    def _acquire(self, mean: np.ndarray, std: np.ndarray, best: float) -> np.ndarray:
        if self.acquisition == "ei":
            u = (mean - best) / std
            return std * (u * norm.cdf(u) + norm.pdf(u))
        if self.acquisition == "ucb":
            return mean + self.ucb_beta * std
        return mean


def _neighbours(x: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """Every row of `x` with one decision changed to each of its other choices."""
    rows = []
    for decision, size in enumerate(sizes.tolist()):
        for choice in range(size):
            changed = x[x[:, decision] != choice].copy()
            changed[:, decision] = choice
            rows.append(changed)
    return np.concatenate(rows)
