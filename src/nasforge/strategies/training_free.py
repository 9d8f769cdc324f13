"""Training-free search: the NASWOT procedure (Mellor et al., "Neural Architecture Search
without Training", ICML 2021) and a two-stage search that pre-filters a large random pool
by a zero-cost proxy and spends the real budget on the best-ranked candidates (as in the
warm-up / pruning uses of proxies by Abdelfattah et al., ICLR 2021).

A proxy scorer is any `Evaluator` (by default a `ZeroCostEvaluator` for the strategy's
`task` and the searched space, so that on a table the proxies score MLPs built for its
features on rows of its training split): the strategy reads
`result.metrics[scorer.objective]`. Scores are cached by the scorer, never in the history.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nasforge.architecture import Architecture
from nasforge.evaluators.base import Evaluator
from nasforge.history import History
from nasforge.spaces.base import SearchSpace
from nasforge.strategies._seeding import content_rng
from nasforge.strategies.base import Strategy
from nasforge.tasks import Task


def default_scorer(
    proxy: str, task: Task | str | None, space: SearchSpace, shared_weights: bool = False
) -> Evaluator:
    """The `proxy` on untrained networks of `space` built for `task` (None: the
    NAS-Bench-201 cifar10 task, for benchmark look-ups), on the task's own rows when it
    carries data. With `shared_weights`, synflow on an edge space (nb201, darts) scores
    every architecture on one untrained supernet instead (`SharedSynflow`, 2-3x cheaper)."""
    from nasforge.evaluators.zerocost.evaluator import ZeroCostEvaluator

    if shared_weights and proxy == "synflow":
        from nasforge.oneshot import EdgeSpace, SharedSynflow

        if isinstance(space, EdgeSpace):
            return SharedSynflow(space, task or "cifar10")
    return ZeroCostEvaluator(proxies=(proxy,), task=task or "cifar10", space=space)


def _scorer(strategy: NASWOT | TwoStage, space: SearchSpace) -> Evaluator:
    """The strategy's `scorer`, or its default scorer, made once and kept as `scorer_`."""
    if strategy.scorer is not None:
        return strategy.scorer
    if getattr(strategy, "scorer_", None) is None:
        strategy.scorer_ = default_scorer(strategy.proxy, strategy.task, space)
    return strategy.scorer_


def proxy_value(scorer: Evaluator, arch: Architecture) -> float:
    value = scorer.evaluate(arch).metrics.get(scorer.objective, -np.inf)
    value = -np.inf if value != value else float(value)
    return value if scorer.maximize else -value


def _unique_samples(
    space: SearchSpace, history: History, rng: np.random.Generator, count: int
) -> list[Architecture]:
    """Up to `count` distinct random architectures not in `history`, in draw order."""
    found: dict[Architecture, None] = {}
    for _ in range(20 * count):
        arch = space.sample(rng)
        if arch not in history:
            found.setdefault(arch)
            if len(found) == count:
                break
    return list(found)


class NASWOT(Strategy):
    """Each proposal scores `samples` fresh random architectures with the proxy and returns
    the best; with a budget of one query this is the NASWOT procedure. Without a `scorer`,
    the `proxy` scores networks built for `task` (see the module doc)."""

    def __init__(
        self,
        scorer: Evaluator | None = None,
        samples: int = 100,
        proxy: str = "nwot",
        allow_duplicates: bool = False,
        task: Task | str | None = None,
    ) -> None:
        self.scorer = scorer
        self.samples = samples
        self.proxy = proxy
        self.allow_duplicates = allow_duplicates
        self.task = task

    def check(self, space: SearchSpace) -> None:
        if self.samples < 1:
            raise ValueError(f"NASWOT needs samples >= 1, got {self.samples}")

    def propose(
        self, space: SearchSpace, history: History, rng: np.random.Generator
    ) -> Architecture:
        scorer = _scorer(self, space)
        seen = History() if self.allow_duplicates else history
        candidates = _unique_samples(space, seen, rng, self.samples)
        if not candidates:
            return self.sample_new(space, history, rng)
        values = [proxy_value(scorer, arch) for arch in candidates]
        return candidates[int(np.argmax(values))]


@dataclass
class _Pool:
    key: object  # the pool seed, or the first proposed architecture it was seeded by
    ranked: list[Architecture]


class TwoStage(Strategy):
    """Stage one scores `pool_size` random architectures with the proxy; stage two proposes
    them best-first (the top `top_k`, default all), then hands over to `then` (default:
    random search) once they are spent.

    The pool is drawn from `pool_seed` when given. Without it the first proposal is a
    random architecture from its generator, and the pool is drawn from a generator seeded
    by that architecture, so a fresh strategy object resuming the search (or another
    worker) rebuilds the same pool from the history. Without a `scorer`, the `proxy`
    scores networks built for `task` (see the module doc).
    """

    def __init__(
        self,
        scorer: Evaluator | None = None,
        pool_size: int = 1000,
        top_k: int | None = None,
        then: Strategy | None = None,
        pool_seed: int | None = None,
        proxy: str = "synflow",
        task: Task | str | None = None,
    ) -> None:
        self.scorer = scorer
        self.pool_size = pool_size
        self.top_k = top_k
        self.then = then
        self.pool_seed = pool_seed
        self.proxy = proxy
        self.task = task

    def check(self, space: SearchSpace) -> None:
        if self.pool_size < 1:
            raise ValueError(f"TwoStage needs pool_size >= 1, got {self.pool_size}")
        if self.top_k is not None and self.top_k < 1:
            raise ValueError(f"TwoStage needs top_k >= 1 (or None: all), got {self.top_k}")
        if self.then is not None:
            self.then.check(space)

    def _pool(self, space: SearchSpace, history: History) -> _Pool | None:
        """The ranked pool (cached under what seeds it), None before the first proposal
        when there is no `pool_seed`."""
        if self.pool_seed is not None:
            key: object = self.pool_seed
        elif history.proposed:
            key = history.in_order()[0].arch
        else:
            return None
        pool = getattr(self, "pool_", None)
        if pool is not None and pool.key == key:
            return pool
        scorer = _scorer(self, space)
        if self.pool_seed is not None:
            source = np.random.default_rng(self.pool_seed)
        else:
            source = content_rng([(0, key, 0.0)])
        candidates = _unique_samples(space, History(), source, self.pool_size)
        values = np.array([proxy_value(scorer, arch) for arch in candidates])
        order = np.argsort(-values, kind="stable")
        self.pool_ = _Pool(key, [candidates[i] for i in order])
        return self.pool_

    def propose(
        self, space: SearchSpace, history: History, rng: np.random.Generator
    ) -> Architecture:
        pool = self._pool(space, history)
        if pool is None:
            return self.sample_new(space, history, rng)
        shortlist = pool.ranked if self.top_k is None else pool.ranked[: self.top_k]
        for arch in shortlist:
            if arch not in history:
                return arch
        if self.then is not None:
            return self.then.propose(space, history, rng)
        return self.sample_new(space, history, rng)
