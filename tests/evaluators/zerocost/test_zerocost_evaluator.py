"""`ZeroCostEvaluator` and the training-free strategies, with real models and the real table."""

from __future__ import annotations

import numpy as np
import pytest

from nasforge.evaluators.zerocost.evaluator import ZeroCostEvaluator
from nasforge.history import History
from nasforge.spaces import NB201Space
from nasforge.strategies import RegularizedEvolution
from nasforge.strategies.training_free import NASWOT, TwoStage
from nasforge.tasks import Task
from nasforge.testing import check_strategy

TINY = Task("tiny-images", (3, 8, 8), 10)
SMALL = NB201Space(channels=4, cells=1)


def _scorer(proxies=("synflow",), **options) -> ZeroCostEvaluator:
    return ZeroCostEvaluator(proxies=proxies, task=TINY, space=SMALL, batch_size=8, **options)


def test_metrics_hold_every_proxy_and_the_searched_score(space):
    arch = space.sample(np.random.default_rng(0))
    result = _scorer(("params", "synflow")).evaluate(arch)
    assert set(result.metrics) == {"proxy_params", "proxy_synflow", "proxy_score"}
    assert result.metrics["proxy_score"] == result.metrics["proxy_params"]
    as_val = _scorer(("synflow",), objective="val_acc").evaluate(arch).metrics
    assert as_val["val_acc"] == as_val["proxy_synflow"]


def test_scores_are_cached_and_reproducible(space):
    archs = [space.sample(np.random.default_rng(s)) for s in range(3)]
    first, second = _scorer(seed=4), _scorer(seed=4)
    assert [first.score(a) for a in archs] == [second.score(a) for a in archs]
    first.score(archs[0])
    assert len(first.cache_) == 3
    assert _scorer(seed=5).score(archs[0]) != first.score(archs[0])


def test_unknown_proxy_lists_the_known_ones(space):
    with pytest.raises(ValueError, match=r"unknown zero-cost proxy 'synflo'; known: .*synflow"):
        _scorer(("synflo",)).evaluate(space.sample(np.random.default_rng(0)))


def test_strategies_search_the_proxy_through_their_metric(space):
    scorer = _scorer(("params",))
    strategy = RegularizedEvolution(population_size=5, tournament_size=2, metric=scorer.objective)
    history, rng = History(), np.random.default_rng(0)
    for _ in range(15):
        arch = strategy.propose(space, history, rng)
        history.add(arch, scorer.evaluate(arch).metrics)
    best = history.best(scorer.objective)
    assert best.metrics["proxy_params"] == max(t.metrics["proxy_params"] for t in history)


def test_naswot_and_two_stage_keep_the_strategy_promises(space, cifar10):
    scorer = _scorer(("params",))
    check_strategy(lambda: NASWOT(scorer=scorer, samples=10), space, cifar10, budget=8)
    check_strategy(lambda: TwoStage(scorer=scorer, pool_size=20), space, cifar10, budget=25)


def test_naswot_returns_the_best_scored_sample(space):
    scorer = _scorer(("params",))
    proposal = NASWOT(scorer=scorer, samples=30).propose(space, History(), np.random.default_rng(1))
    assert scorer.score(proposal) == max(scorer.cache_[a]["params"] for a in scorer.cache_)
    assert len(scorer.cache_) == 30


def test_two_stage_proposes_its_pool_best_first_and_resumes_from_pool_seed(space):
    scorer = _scorer(("params",))
    strategy = TwoStage(scorer=scorer, pool_size=40, top_k=10, pool_seed=2)
    history, rng = History(), np.random.default_rng(0)
    for _ in range(12):
        arch = strategy.propose(space, history, rng)
        history.add(arch, {"val_acc": 0.0})
    scores = [scorer.score(t.arch) for t in history]
    assert scores[:10] == sorted(scores[:10], reverse=True)
    assert min(scores[:10]) >= sorted((scorer.score(a) for a in scorer.cache_), reverse=True)[9]
    fresh = TwoStage(scorer=scorer, pool_size=40, top_k=10, pool_seed=2)
    resumed = History(history.trials[:5])
    assert fresh.propose(space, resumed, np.random.default_rng(9)) == history[5].arch
