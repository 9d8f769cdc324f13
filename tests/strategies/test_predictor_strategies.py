from __future__ import annotations

import numpy as np
import pytest

from nasforge import History
from nasforge.history import Trial
from nasforge.registry import SPACES
from nasforge.strategies.bananas import BANANAS
from nasforge.strategies.neural_predictor import NeuralPredictor
from nasforge.strategies.npenas import NPENAS
from nasforge.testing import check_strategy

FAST = {
    "bananas": lambda: BANANAS(initial=5, epochs=60, mutations=5),
    "bananas_ucb": lambda: BANANAS(initial=5, epochs=60, acquisition="ucb", batch_size=3),
    "npred": lambda: NeuralPredictor(initial=8, predictor="lgbm", pool=500),
    "npenas": lambda: NPENAS(initial=5, batch_size=4, predictor="mlp_ensemble"),
    "npenas_zc": lambda: NPENAS(initial=5, batch_size=4, predictor="mlp_ensemble", proxy="synflow"),
}


def _run(strategy, space, evaluator, budget, seed=0):
    history, rng = History(), np.random.default_rng(seed)
    for _ in range(budget):
        arch = strategy.propose(space, history, rng)
        history.add(arch, evaluator.evaluate(arch).metrics)
    return history


@pytest.mark.parametrize("name", sorted(FAST))
def test_predictor_strategies_conform(name, space, cifar10):
    check_strategy(FAST[name], space, cifar10, budget=14)


def test_bananas_proposes_near_the_best_after_warm_up(space, cifar10):
    bananas = BANANAS(initial=10, epochs=60)
    history = _run(bananas, space, cifar10, 20)
    for k in range(10, 20):
        past = history.trials[:k]
        top = sorted(past, key=lambda t: -t.metrics["val_acc"])[: bananas.parents]
        child = history[k].arch.choice_values
        edits = min(sum(a != b for a, b in zip(t.arch.choice_values, child)) for t in top)
        assert 1 <= edits <= bananas.max_edits, f"trial {k} is {edits} edits from the top"
    assert bananas.plan_.fitted == 19


def test_bananas_refits_once_per_batch(space, cifar10):
    bananas = BANANAS(initial=6, batch_size=4, epochs=40)
    history = _run(bananas, space, cifar10, 10)
    assert bananas.plan_.fitted == 6  # proposals 7..10 share the fit on the first 6
    bananas.propose(space, history, np.random.default_rng(1))
    plan = bananas.plan_
    assert plan.fitted == 10
    bananas.propose(space, history, np.random.default_rng(1))
    assert bananas.plan_ is plan  # same history length: no refit
    history.add(bananas.propose(space, history, np.random.default_rng(1)), {"val_acc": 50.0})
    bananas.propose(space, history, np.random.default_rng(1))
    assert bananas.plan_ is plan  # 11 < 6 + 2 * 4: still the fit at 10


def test_plan_is_keyed_on_the_finished_trials_not_the_history_object(space, cifar10):
    bananas = BANANAS(initial=6, batch_size=4, epochs=40)
    history = _run(bananas, space, cifar10, 10)
    first = bananas.propose(space, history, np.random.default_rng(1))
    plan = bananas.plan_
    # A parallel driver hands over a new History holding the running job as well.
    copy = History([*history.trials, Trial(len(history), first, state="running")])
    second = bananas.propose(space, copy, np.random.default_rng(2))
    assert bananas.plan_ is plan and plan.fitted == 10
    assert second != first and second not in history
    assert [a for a in plan.ranked if a not in history][:2] == [first, second]
    # Same length, one different finished trial: a different training set, so a refit.
    changed = History(history.trials[:-1])
    changed.add(next(a for a in plan.ranked[5:] if a not in history), {"val_acc": 90.0})
    bananas.propose(space, changed, np.random.default_rng(1))
    assert bananas.plan_ is not plan and bananas.plan_.fitted == 10
    # Same architectures, another score: a refit too.
    rescored = History(history.trials[:-1])
    last = history.trials[-1]
    rescored.add(last.arch, {**last.metrics, "val_acc": last.metrics["val_acc"] + 1})
    plan = bananas.plan_
    bananas.propose(space, rescored, np.random.default_rng(1))
    assert bananas.plan_ is not plan


def test_neural_predictor_fits_once_and_exploits_its_ranking(space, cifar10):
    npred = NeuralPredictor(initial=20, predictor="lgbm", pool=20000)
    history = _run(npred, space, cifar10, 40)
    assert npred.plan_.fitted == 20
    ranked = [a for a in npred.plan_.ranked if a not in history.trials[:20]]
    assert [t.arch for t in history.trials[20:]] == ranked[:20]
    guided = np.mean([t.metrics["test_acc"] for t in history.trials[20:]])
    random = np.mean([t.metrics["test_acc"] for t in history.trials[:20]])
    assert guided > random + 5, (guided, random)


def test_predictor_strategies_skip_failed_trials(space, cifar10):
    history = _run(BANANAS(initial=4, epochs=30), space, cifar10, 6)
    history.add(space.sample(np.random.default_rng(5)), {}, state="fail", failure="oom")
    bananas = BANANAS(initial=4, epochs=30)
    arch = bananas.propose(space, history, np.random.default_rng(0))
    assert arch not in history and len(bananas.plan_.ranked) > 0


def test_bananas_rejects_bad_settings(space):
    with pytest.raises(ValueError, match="accepted: its, ucb, mean"):
        BANANAS(initial=3, acquisition="ei").check(space)
    with pytest.raises(ValueError, match="batch_size must be at least 1"):
        BANANAS(initial=3, batch_size=0).check(space)
    with pytest.raises(ValueError, match="initial must be at least 2"):
        BANANAS(initial=1).check(space)
    with pytest.raises(ValueError, match="needs one of the encodings graph"):
        NPENAS(predictor="gin").check(SPACES.create("mlp"))


@pytest.mark.parametrize(
    ("strategy", "message"),
    [
        (BANANAS(members=0), "members must be at least 1, got 0"),
        (NPENAS(max_edits=0), "max_edits must be at least 1, got 0"),
        (NPENAS(predictor="nonsense"), "nonsense"),
        (NeuralPredictor(pool=0), "pool must be at least 1, got 0"),
        (NeuralPredictor(refit_every=0), "refit_every must be at least 1 or None, got 0"),
    ],
)
def test_predictor_strategies_name_the_bad_setting(space, strategy, message):
    with pytest.raises(ValueError, match=message):
        strategy.check(space)


def test_npenas_proxy_ranks_offspring_by_predictor_and_proxy(space, cifar10):
    plain = NPENAS(initial=8, batch_size=4, predictor="mlp_ensemble")
    history = _run(plain, space, cifar10, 8)
    plain.propose(space, history, np.random.default_rng(0))
    settings = {"initial": 8, "batch_size": 4, "predictor": "mlp_ensemble", "proxy": "synflow"}
    led = NPENAS(**settings, proxy_weight=1e6)
    led.propose(space, history, np.random.default_rng(0))
    # The same offspring: the proxy reorders them, and at this weight it leads the order
    # (further down, synflow's spread of many orders of magnitude leaves ties to the model).
    assert set(led.plan_.ranked) == set(plain.plan_.ranked)
    assert led.plan_.ranked != plain.plan_.ranked
    scores = [led.scorer_.score(arch) for arch in led.plan_.ranked]
    assert scores[:10] == sorted(scores, reverse=True)[:10]
    assert led.scorer_.space.channels == 8 and led.scorer_.space.cells == 1  # scaled down
    none = NPENAS(**settings, proxy_weight=0)
    none.propose(space, history, np.random.default_rng(0))
    assert none.plan_.ranked == plain.plan_.ranked


def test_npenas_proxy_counts_as_far_as_it_ranks_the_better_half(space):
    from scipy.stats import rankdata

    settings = {"initial": 8, "batch_size": 8, "predictor": "mlp_ensemble", "proxy": "synflow"}
    archs = list(dict.fromkeys(space.sample(np.random.default_rng(seed)) for seed in range(16)))
    ranks = rankdata(NPENAS(**settings)._proxy_values(space, archs))

    def plan_for(strategy, objective):
        history = History()
        for arch, value in zip(archs, objective):
            history.add(arch, {"val_acc": float(value)})
        strategy.propose(space, history, np.random.default_rng(0))
        return strategy

    agree, oppose = plan_for(NPENAS(**settings), ranks), plan_for(NPENAS(**settings), -ranks)
    assert agree.proxy_weight_ == pytest.approx(6.0)  # the proxy ranks the objective exactly
    assert oppose.proxy_weight_ == 0.0  # ... or backwards: it does not count
    plain = {"initial": 8, "batch_size": 8, "predictor": "mlp_ensemble"}
    assert oppose.plan_.ranked == plan_for(NPENAS(**plain), -ranks).plan_.ranked
    assert agree.plan_.ranked != plan_for(NPENAS(**plain), ranks).plan_.ranked


def test_scaled_down_nb201_ranks_cells_as_the_full_network_does(space):
    from scipy.stats import spearmanr

    from nasforge.evaluators.zerocost.evaluator import ZeroCostEvaluator

    cells = [space.sample(np.random.default_rng(seed)) for seed in range(24)]
    full, small = (
        ZeroCostEvaluator(("synflow",), "imagenet16-120", s) for s in (space, space.scaled_down())
    )
    rho = spearmanr([full.score(a) for a in cells], [small.score(a) for a in cells]).statistic
    assert rho > 0.95, rho


def test_npenas_rejects_an_unknown_proxy(space):
    with pytest.raises(ValueError, match="synflow"):
        NPENAS(proxy="synflo").check(space)


@pytest.mark.slow
def test_bananas_beats_random_search_on_nb201(space, cifar10):
    finals = {"bananas": [], "random": []}
    for seed in range(3):
        for name, strategy in (("bananas", BANANAS()), ("random", None)):
            if strategy is None:
                rng = np.random.default_rng(seed)
                index = rng.choice(len(space), 60, replace=False)
                best = max(index, key=lambda i: cifar10.columns_[200][i])
                finals[name].append(cifar10.test_[best])
            else:
                history = _run(strategy, space, cifar10, 60, seed)
                finals[name].append(history.best().metrics["test_acc"])
    assert np.mean(finals["bananas"]) > np.mean(finals["random"])
