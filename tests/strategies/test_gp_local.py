"""gp-local: the categorical GP it fits (gradient, hyperparameter schedule) and the search
it drives, through the conformance suite and a small real bench."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import check_grad

import nasforge
from nasforge.history import History
from nasforge.predictors import HammingGP
from nasforge.predictors.hamming_gp import _negative_log_posterior
from nasforge.registry import SPACES
from nasforge.strategies import LocalGP
from nasforge.testing import check_strategy


def _run(strategy, space, evaluator, budget, seed=0):
    history, rng = History(), np.random.default_rng(seed)
    for _ in range(budget):
        arch = strategy.propose(space, history, rng)
        history.add(arch, evaluator.evaluate(arch).metrics)
    return history


def test_conforms(space, cifar10):
    check_strategy(lambda: LocalGP(initial=5, samples=50), space, cifar10, budget=16)


def test_gradient_of_the_log_posterior_matches_finite_differences(space, cifar10):
    rng = np.random.default_rng(0)
    index = rng.choice(len(space), 40, replace=False)
    x = np.array([space.positions(space.from_index(int(i))) for i in index])
    mismatch = (x[:, None, :] != x[None, :, :]).astype(float)
    y = cifar10.columns_[200][index]
    y = (y - y.mean()) / y.std()
    for _ in range(3):
        theta = rng.uniform(-2.0, 1.0, 8)
        _, gradient = _negative_log_posterior(theta, mismatch, y)
        error = check_grad(lambda t: _negative_log_posterior(t, mismatch, y)[0],
                           lambda t: _negative_log_posterior(t, mismatch, y)[1], theta)  # fmt: skip
        assert error < 1e-4 * max(1.0, np.linalg.norm(gradient))


def test_the_fit_learns_which_decisions_matter(space, cifar10):
    rng = np.random.default_rng(1)
    index = rng.choice(len(space), 150, replace=False)
    archs = [space.from_index(int(i)) for i in index]
    model = HammingGP(space).fit(archs, cifar10.columns_[200][index])
    noise = np.exp(model.hyperparameters_[-1])
    assert noise < 0.2  # one-seed accuracy is mostly explained by the cell
    fixed = HammingGP(space, hyperparameters=model.hyperparameters_).fit(
        archs, cifar10.test_[index]
    )
    np.testing.assert_array_equal(fixed.hyperparameters_, model.hyperparameters_)


def test_hyperparameters_are_refitted_on_the_schedule_only(space, cifar10):
    strategy = LocalGP(initial=6, refit_growth=1.5, samples=20)
    assert [strategy.refit_size(n) for n in (6, 8, 9, 12, 13, 18, 26, 27)] == [
        6, 6, 9, 9, 13, 13, 19, 19,
    ]  # fmt: skip
    history = _run(strategy, space, cifar10, 10)
    key, _ = strategy.hyperparameters_
    assert len(key) == 9  # the fit for the 10th proposal was made on the first 9 trials
    history.add(strategy.propose(space, history, np.random.default_rng(0)), {"val_acc": 80.0})
    strategy.propose(space, history, np.random.default_rng(0))
    assert strategy.hyperparameters_[0] is key  # 11 trials: still the fit at 9


def test_without_restarts_or_rounds_it_proposes_neighbours_of_the_best(space, cifar10):
    strategy = LocalGP(initial=8, parents=1, samples=0, rounds=0)
    history = _run(strategy, space, cifar10, 14)
    for k in range(8, 14):
        best = max(history.trials[:k], key=lambda t: t.metrics["val_acc"]).arch
        child = history[k].arch
        assert sum(a != b for a, b in zip(child.choice_values, best.choice_values)) == 1


def test_bad_settings_are_named(space):
    with pytest.raises(ValueError, match="accepted: ei, ucb, mean"):
        LocalGP(acquisition="its").check(space)
    with pytest.raises(ValueError, match="refit_growth must be at least 1"):
        LocalGP(refit_growth=0.5).check(space)
    with pytest.raises(ValueError, match="starts must be at least 1"):
        LocalGP(starts=0).check(space)
    LocalGP().check(SPACES.create("chain"))


def test_beats_random_search_in_a_small_bench():
    result = nasforge.benchmark(["gp-local", "random"], seeds=3, budget=40, workers=1)
    table = result.comparison()
    assert table.loc["gp-local", "vs_random"] > 0
    assert result.summary().loc["gp-local", "at_30"] > result.summary().loc["random", "at_30"]
