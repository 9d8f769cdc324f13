"""Training-free search: the NASWOT procedure (Mellor et al., "Neural Architecture Search
without Training", ICML 2021) and a two-stage search that pre-filters a large random pool
by a zero-cost proxy and spends the real budget on the best-ranked candidates (as in the
warm-up / pruning uses of proxies by Abdelfattah et al., ICLR 2021).

A proxy scorer is any `Evaluator` (by default a `ZeroCostEvaluator`): the strategy reads
`result.metrics[scorer.objective]`. Scores are cached by the scorer, never in the history.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nasforge.architecture import Architecture
from nasforge.evaluators.base import Evaluator
from nasforge.history import History
from nasforge.spaces.base import SearchSpace
from nasforge.strategies.base import Strategy


def _default_scorer(proxy: str) -> Evaluator:
    from nasforge.evaluators.zerocost.evaluator import ZeroCostEvaluator

    return ZeroCostEvaluator(proxies=(proxy,))


def _proxy_value(scorer: Evaluator, arch: Architecture) -> float:
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
    the best; with a budget of one query this is the NASWOT procedure."""

    def __init__(
        self,
        scorer: Evaluator | None = None,
        samples: int = 100,
        proxy: str = "nwot",
        allow_duplicates: bool = False,
    ) -> None:
        self.scorer = scorer
        self.samples = samples
        self.proxy = proxy
        self.allow_duplicates = allow_duplicates

    def propose(
        self, space: SearchSpace, history: History, rng: np.random.Generator
    ) -> Architecture:
        if self.samples < 1:
            raise ValueError(f"NASWOT needs samples >= 1, got {self.samples}")
        if self.scorer is None:
            self.scorer = _default_scorer(self.proxy)
        seen = History() if self.allow_duplicates else history
        candidates = _unique_samples(space, seen, rng, self.samples)
        if not candidates:
            return self.sample_new(space, history, rng)
        values = [_proxy_value(self.scorer, arch) for arch in candidates]
        return candidates[int(np.argmax(values))]


@dataclass
class _Pool:
    ranked: list[Architecture]


class TwoStage(Strategy):
    """Stage one scores `pool_size` random architectures with the proxy; stage two proposes
    them best-first (the top `top_k`, default all), then hands over to `then` (default:
    random search) once they are spent.

    The pool is drawn from `pool_seed` when given, else from the generator at the first
    proposal; give `pool_seed` to resume a search with a fresh strategy object.
    """

    def __init__(
        self,
        scorer: Evaluator | None = None,
        pool_size: int = 1000,
        top_k: int | None = None,
        then: Strategy | None = None,
        pool_seed: int | None = None,
        proxy: str = "synflow",
    ) -> None:
        self.scorer = scorer
        self.pool_size = pool_size
        self.top_k = top_k
        self.then = then
        self.pool_seed = pool_seed
        self.proxy = proxy

    def _pool(self, space: SearchSpace, rng: np.random.Generator) -> _Pool:
        pool = getattr(self, "pool_", None)
        if pool is not None:
            return pool
        if self.pool_size < 1:
            raise ValueError(f"TwoStage needs pool_size >= 1, got {self.pool_size}")
        if self.scorer is None:
            self.scorer = _default_scorer(self.proxy)
        source = np.random.default_rng(self.pool_seed) if self.pool_seed is not None else rng
        candidates = _unique_samples(space, History(), source, self.pool_size)
        values = np.array([_proxy_value(self.scorer, arch) for arch in candidates])
        order = np.argsort(-values, kind="stable")
        self.pool_ = _Pool([candidates[i] for i in order])
        return self.pool_

    def propose(
        self, space: SearchSpace, history: History, rng: np.random.Generator
    ) -> Architecture:
        pool = self._pool(space, rng)
        shortlist = pool.ranked if self.top_k is None else pool.ranked[: self.top_k]
        for arch in shortlist:
            if arch not in history:
                return arch
        if self.then is not None:
            return self.then.propose(space, history, rng)
        return self.sample_new(space, history, rng)
