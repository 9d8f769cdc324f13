"""Every registered strategy on every registered space, through the conformance suite (the
one search loop, resumed halfway), with real evaluators: the NAS-Bench-201 table for
`nb201`, and for the others a score of the parameter count of the network each
architecture builds for a real scikit-learn task."""

from __future__ import annotations

import math

import numpy as np
import pytest

from nasforge.architecture import Architecture
from nasforge.constraints import count_params
from nasforge.evaluators.base import EvaluationContext, Evaluator, Result
from nasforge.registry import SPACES, STRATEGIES
from nasforge.spaces.base import SearchSpace
from nasforge.strategies.options import create_strategy
from nasforge.tasks import Task, load_task
from nasforge.testing import check_strategy

BUDGET = 10
# Real tasks for the spaces without a benchmark table, and the log10 parameter count that
# scores best on each (the middle of the space's range).
TASKS = {"chain": ("digits", 4.9), "mlp": ("wine", 3.5), "conv1d": ("aeon:GunPoint", 3.5),
         "transformer": ("eca", 4.0), "darts": ("digits", 3.9)}  # fmt: skip
SMALL = {"darts": {"channels": 4, "cells": 2}}  # cheap to build, still both cell kinds
# Settings (as command-line text) that keep the costly strategies to a fraction of a second
# per proposal at this budget; the rest run with their defaults.
CHEAP = {
    "bananas": {"initial": "4", "epochs": "20", "mutations": "5"},
    "gp-local": {"initial": "4", "samples": "200"},
    "npenas": {"initial": "4", "batch_size": "4"},
    "npenas-zc": {"initial": "4", "batch_size": "4"},
    "npred": {"initial": "4", "pool": "200"},
    "naswot": {"samples": "2", "proxy": "params"},  # data-dependent proxies: tests/evaluators
    "two-stage": {"pool_size": "10"},
}


class ParameterScore(Evaluator):
    """`val_acc` = 100 - 20 * |log10(params) - best|, where params counts the network that
    `space` builds for `task`: deterministic, cheap, and a function of the real model."""

    def __init__(self, space: SearchSpace, task: Task, best: float) -> None:
        self.space = space
        self.task = task
        self.best = best
        self.cache_: dict[Architecture, float] = {}

    def evaluate(self, arch: Architecture, context: EvaluationContext | None = None) -> Result:
        if arch not in self.cache_:
            self.cache_[arch] = float(count_params(self.space.build(arch, self.task)))
        params = self.cache_[arch]
        return Result({"val_acc": 100 - 20 * abs(math.log10(params) - self.best), "params": params})


@pytest.fixture(scope="module")
def setups(cifar10):
    """Space, evaluator and task (None: the benchmark's, for table look-ups) by space name."""
    result = {}
    for name in SPACES.names():
        if name == "nb201":  # small cells: training-free strategies build them cheaply
            result[name] = (SPACES.create(name, channels=4, cells=1), cifar10, None)
            continue
        data, best = TASKS[name]
        space, task = SPACES.create(name, **SMALL.get(name, {})), load_task(data)
        result[name] = (space, ParameterScore(space, task, best), task)
    return result


def _options(strategy: str, space: str) -> dict[str, str]:
    options = dict(CHEAP.get(strategy, {}))
    constructor = STRATEGIES.get(strategy)
    if space == "nb201" and getattr(constructor, "func", constructor).multi_fidelity:
        options["fidelities"] = "12,200"  # the table's two epoch columns
    return options


def test_every_registered_space_has_a_setup():
    assert set(SPACES.names()) <= {"nb201", *TASKS}, "give a new space a task in TASKS"


@pytest.mark.parametrize("space_name", SPACES.names())
@pytest.mark.parametrize("strategy", STRATEGIES.names())
def test_every_strategy_conforms_on_every_space(strategy, space_name, setups):
    space, evaluator, task = setups[space_name]
    options = _options(strategy, space_name)
    made = []

    def make():
        made.append(create_strategy(strategy, options, task=task))
        return made[-1]

    proposed = check_strategy(make, space, evaluator, budget=BUDGET, seed=3)
    assert len(proposed) == BUDGET and all(a.space == space.name for a in proposed)


def _last_made(name: str, space, evaluator, budget: int):
    """The strategy object of the conformance suite's last run of `name`."""
    made = []

    def make():
        made.append(create_strategy(name, CHEAP[name]))
        return made[-1]

    check_strategy(make, space, evaluator, budget=budget)
    return made[-1]


CHOICES = [
    ("nb201", "path", "gin"),
    ("mlp", "onehot", "mlp_ensemble"),
    ("chain", "onehot", "mlp_ensemble"),
    ("darts", "path", "gin"),
]


@pytest.mark.parametrize(("space_name", "encoding", "predictor"), CHOICES)
def test_predictor_guided_strategies_use_what_the_space_supports(
    space_name, encoding, predictor, setups
):
    space, evaluator, _ = setups[space_name]
    bananas, npenas, npred = (
        _last_made(name, space, evaluator, 8) for name in ("bananas", "npenas", "npred")
    )
    assert bananas.encoding_ == encoding == bananas.predictor_.chosen_encoding()
    assert npenas.predictor_name_ == npred.predictor_name_ == predictor
    # The fitted predictors rank real candidates: finite predictions, not all equal.
    rng = np.random.default_rng(0)
    candidates = [space.sample(rng) for _ in range(20)]
    for model in (bananas.predictor_, npenas.predictor_, npred.predictor_):
        predicted = model.predict(candidates)
        assert np.all(np.isfinite(predicted)) and np.ptp(predicted) > 0
