"""BANANAS: Bayesian optimization with a neural-network ensemble on the path encoding
(White, Neiswanger & Savani, "BANANAS: Bayesian optimization with neural architectures for
neural architecture search", AAAI 2021).

After `initial` random architectures, each step fits an ensemble of 5 MLPs
(`nasforge.predictors.MLPEnsemble`) to the history, on the paper's path encoding where
the space has one (`space.encodings`), else the adjacency encoding, else one-hot (spaces
without a graph form, as `mlp` and `chain`), makes candidates by mutating the
best architectures so far (all their unseen neighbours plus random multi-edit
mutations), and proposes the candidate that maximises the acquisition: independent
Thompson sampling (`"its"`, one Gaussian draw per candidate from the ensemble's mean
and spread) or an upper confidence bound (`"ucb"`). Every `batch_size` proposals share
one fit, as the paper's batches of k do; the default, k = 1, refits after every query,
which a fit of well under a second (50 full-batch epochs of 32-32 networks) affords.
Defaults chosen on NAS-Bench-201 cifar10 at 100 queries: mutating the 10 best (not 5)
found the best-validation cell in 89 of 100 seeds instead of 43 of 60 (docs/predictors.md).

Also home of `PredictorGuided`, the base that NPENAS and the Neural Predictor share.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from nasforge.architecture import Architecture
from nasforge.history import History, Trial
from nasforge.predictors.encodings import choose_encoding
from nasforge.predictors.mlp import MLPEnsemble
from nasforge.spaces.base import SearchSpace
from nasforge.strategies._seeding import content_rng
from nasforge.strategies.base import Strategy


@dataclass
class _Plan:
    """Architectures ranked by the acquisition after a fit on the finished trials `key`."""

    key: tuple[tuple[int, Architecture, float], ...]
    ranked: list[Architecture] = field(default_factory=list)
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def fitted(self) -> int:
        """How many finished trials (the first ones in the history) the fit saw."""
        return len(self.key)


def finished_trials(history: History) -> list[Trial]:
    """The history's trials without those still running (a parallel search driver lists
    running jobs, without metrics, so that they are not proposed again)."""
    return [trial for trial in history.trials if trial.state != "running"]


class PredictorGuided(Strategy):
    """Base of strategies that refit a predictor every `batch_size` finished trials and
    propose the best-ranked unseen candidates in between. Subclasses implement `plan`.

    A plan is a function of the finished trials it is fitted on (number, architecture,
    score) and nothing else: its randomness (predictor seed, mutations, Thompson draws)
    comes from a generator seeded by their content, and its candidates exclude only
    those trials (running and later ones are skipped when proposing). So a resumed
    search's fresh strategy, or a new `History` object holding the same finished trials
    plus running jobs, rebuilds or reuses exactly the same plan; the plan is cached under
    that key."""

    initial: int = 10
    batch_size: int = 1
    parents: int = 10  # offspring settings, for the subclasses that mutate the best
    mutations: int = 20
    max_edits: int = 2

    def scored(self, trials: Sequence[Trial]) -> tuple[list[Architecture], np.ndarray]:
        """The trials with a finite objective (larger is better) and their scores."""
        archs, scores = [], []
        for trial in trials:
            score = self.score(trial)
            if np.isfinite(score):
                archs.append(trial.arch)
                scores.append(score)
        return archs, np.asarray(scores, dtype=np.float64)

    def plan(
        self,
        space: SearchSpace,
        archs: list[Architecture],
        scores: np.ndarray,
        history: History,
        rng: np.random.Generator,
    ) -> list[Architecture]:
        """Candidates ordered best first, given the scored training set; `history` holds
        the fitted trials and `rng` is the plan's own generator."""
        raise NotImplementedError

    def check(self, space: SearchSpace) -> None:
        if self.initial < 2:
            raise ValueError(f"initial must be at least 2 random architectures, got {self.initial}")
        self.require(1, "batch_size")

    def offspring(
        self,
        space: SearchSpace,
        archs: list[Architecture],
        scores: np.ndarray,
        history: History,
        rng: np.random.Generator,
    ) -> list[Architecture]:
        """`mutation_candidates` with the strategy's `parents`, `mutations`, `max_edits`."""
        return mutation_candidates(
            space,
            archs,
            scores,
            history,
            rng,
            self.parents,
            self.mutations,
            self.max_edits,
            self.allow_duplicates,
        )

    def _fit_point(self, finished: list[Trial]) -> int:
        """How many of the finished trials the current plan is fitted on: a refit every
        `batch_size` trials after the first `initial`."""
        return len(finished) - (len(finished) - self.initial) % self.batch_size

    def propose(
        self, space: SearchSpace, history: History, rng: np.random.Generator
    ) -> Architecture:
        finished = finished_trials(history)
        archs, scores = self.scored(finished)
        if len(archs) < self.initial:
            return self.sample_new(space, history, rng)
        trials = finished[: self._fit_point(finished)]
        key = tuple((t.number, t.arch, self.score(t)) for t in trials)
        plan = getattr(self, "plan_", None)
        if plan is None or plan.key != key:
            archs, scores = self.scored(trials)
            plan = _Plan(key)
            if len(archs) >= 2:
                plan.ranked = self.plan(space, archs, scores, History(trials), content_rng(key))
            self.plan_ = plan
        for arch in plan.ranked:
            if self.is_new(arch, history):
                return arch
        return self.sample_new(space, history, rng)


def best_first(candidates: list[Architecture], value: np.ndarray) -> list[Architecture]:
    """`candidates` by decreasing `value`, ties in their given order."""
    return [candidates[i] for i in np.argsort(-value, kind="stable")]


def mutation_candidates(
    space: SearchSpace,
    archs: list[Architecture],
    scores: np.ndarray,
    history: History,
    rng: np.random.Generator,
    parents: int,
    mutations: int,
    max_edits: int,
    allow_duplicates: bool = False,
) -> list[Architecture]:
    """Unseen architectures near the `parents` best: every neighbour where the space
    enumerates them, plus `mutations` random chains of 1..`max_edits` mutations each."""
    order = np.argsort(-scores, kind="stable")[:parents]
    seen: set[Architecture] = set()
    result: list[Architecture] = []

    def add(arch: Architecture) -> None:
        if arch not in seen and (allow_duplicates or arch not in history):
            seen.add(arch)
            result.append(arch)

    for i in order.tolist():
        try:
            for neighbor in space.neighbors(archs[i]):
                add(neighbor)
        except NotImplementedError:
            pass
        for _ in range(mutations):
            child = archs[i]
            for _ in range(int(rng.integers(1, max_edits + 1))):
                child = space.mutate(child, rng)
            add(child)
    return result


ACQUISITIONS = ("its", "ucb", "mean")
ENCODINGS = ("path", "adjacency", "onehot")  # BANANAS's choice, best first


class BANANAS(PredictorGuided):
    """Ensemble-predictor Bayesian optimization with mutation-based acquisition search;
    `encoding=None` takes the first of `ENCODINGS` the space has."""

    def __init__(
        self,
        initial: int = 10,
        batch_size: int = 1,
        acquisition: str = "its",
        ucb_beta: float = 0.5,
        encoding: str | None = None,
        members: int = 5,
        hidden: Sequence[int] = (32, 32),
        epochs: int = 50,
        parents: int = 10,
        mutations: int = 20,
        max_edits: int = 2,
        metric: str = "val_acc",
        maximize: bool = True,
        allow_duplicates: bool = False,
    ) -> None:
        self.initial = initial
        self.batch_size = batch_size
        self.acquisition = acquisition
        self.ucb_beta = ucb_beta
        self.encoding = encoding
        self.members = members
        self.hidden = hidden
        self.epochs = epochs
        self.parents = parents
        self.mutations = mutations
        self.max_edits = max_edits
        self.metric = metric
        self.maximize = maximize
        self.allow_duplicates = allow_duplicates

    def check(self, space: SearchSpace) -> None:
        super().check(space)
        if self.acquisition not in ACQUISITIONS:
            raise ValueError(
                f"unknown acquisition {self.acquisition!r}; accepted: {', '.join(ACQUISITIONS)}"
            )
        self.require(1, "members", "epochs", "parents")
        choose_encoding(space, ENCODINGS if self.encoding is None else (self.encoding,), "bananas")

    def plan(
        self,
        space: SearchSpace,
        archs: list[Architecture],
        scores: np.ndarray,
        history: History,
        rng: np.random.Generator,
    ) -> list[Architecture]:
        preferred = ENCODINGS if self.encoding is None else (self.encoding,)
        self.encoding_ = choose_encoding(space, preferred, "bananas")
        predictor = MLPEnsemble(
            space,
            encoding=self.encoding_,
            members=self.members,
            hidden=self.hidden,
            epochs=self.epochs,
            seed=int(rng.integers(2**31)),
        ).fit(archs, scores)
        candidates = self.offspring(space, archs, scores, history, rng)
        if not candidates:
            return []
        mean, std = predictor.predict_dist(candidates)
        if self.acquisition == "its":
            value = rng.normal(mean, std)
        elif self.acquisition == "ucb":
            value = mean + self.ucb_beta * std
        else:
            value = mean
        self.predictor_ = predictor
        return best_first(candidates, value)
