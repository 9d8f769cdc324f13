"""The Optuna adapter: every sampler by name or instance, proposals that depend on the
finished trials and the generator only (resume, fresh History objects), several
objectives."""

from __future__ import annotations

import numpy as np
import optuna
import pytest

from nasforge.evaluators import NB201Benchmark
from nasforge.history import History
from nasforge.run.loop import TrialLog, run_study
from nasforge.strategies import OptunaStrategy
from nasforge.strategies.optuna_adapter import SAMPLERS, reseeded
from nasforge.study import Study

TWO = {"objectives": ("val_acc", "params"), "directions": ("maximize", "minimize")}


@pytest.fixture(scope="module")
def costed(table_path) -> NB201Benchmark:
    """The table with params and FLOPs (each op-count network built once, on demand)."""
    return NB201Benchmark("cifar10").setup()


def _archs(history) -> list:
    return [t.arch for t in history]


@pytest.mark.parametrize("name", list(SAMPLERS))
def test_every_named_sampler_proposes_new_valid_architectures(name, space, cifar10):
    budget = 12 if name == "gp" else 30
    history = run_study(TrialLog(), space, OptunaStrategy(name), cifar10, budget, seed=1)
    archs = _archs(history)
    assert len(set(archs)) == budget
    for arch in archs:
        space.validate(arch)


def test_unknown_sampler_is_one_line_listing_the_accepted_ones(space):
    with pytest.raises(ValueError) as error:
        OptunaStrategy("annealing").check(space)
    message = str(error.value)
    assert "\n" not in message
    for name in SAMPLERS:
        assert name in message


def test_a_sampler_instance_is_copied_never_changed(space, cifar10):
    sampler = optuna.samplers.NSGAIISampler(population_size=6, seed=1)
    state = sampler._rng.rng.get_state()[1].copy()
    a = run_study(TrialLog(), space, OptunaStrategy(sampler=sampler), cifar10, 20, seed=2)
    b = run_study(TrialLog(), space, OptunaStrategy(sampler=sampler), cifar10, 20, seed=2)
    assert _archs(a) == _archs(b)
    assert (sampler._rng.rng.get_state()[1] == state).all()
    c = run_study(TrialLog(), space, OptunaStrategy(sampler=sampler), cifar10, 20, seed=3)
    assert _archs(a) != _archs(c), "the run's seed, not the instance's, decides"


def test_reseeding_reaches_the_samplers_inside_a_sampler():
    sampler = optuna.samplers.TPESampler()  # no seed: left alone, Optuna would use entropy

    def draws(copy):
        return copy._rng.rng.randint(10**9), copy._random_sampler._rng.rng.randint(10**9)

    first = draws(reseeded(sampler, np.random.default_rng(5)))
    assert first == draws(reseeded(sampler, np.random.default_rng(5)))
    other = draws(reseeded(sampler, np.random.default_rng(6)))
    assert first[0] != other[0] and first[1] != other[1]


@pytest.mark.filterwarnings("ignore::optuna.exceptions.ExperimentalWarning")
@pytest.mark.parametrize(
    "make",
    [
        lambda: OptunaStrategy("tpe"),  # TPE's model starts after 10 trials
        lambda: OptunaStrategy("qmc"),
        lambda: OptunaStrategy(sampler=optuna.samplers.NSGAIISampler(population_size=4)),
        lambda: OptunaStrategy(sampler=optuna.samplers.NSGAIIISampler(population_size=4)),
    ],
    ids=["tpe", "qmc", "nsgaii-instance", "nsgaiii-instance"],
)
def test_a_resumed_study_proposes_what_an_uninterrupted_one_does(make, tmp_path, space, cifar10):
    whole = run_study(Study.create(tmp_path, "whole"), space, make(), cifar10, 20, seed=7)
    parts = Study.create(tmp_path, "parts")
    strategy = make()
    run_study(parts, space, strategy, cifar10, 8, seed=7)
    same_object = run_study(parts, space, strategy, cifar10, 14, seed=7)  # a new History
    fresh_object = run_study(parts, space, make(), cifar10, 20, seed=7)
    assert _archs(same_object) == _archs(whole)[:14]
    assert _archs(fresh_object) == _archs(whole)


def test_the_cache_follows_content_not_the_history_object(space, cifar10):
    history = run_study(TrialLog(), space, OptunaStrategy("tpe"), cifar10, 15, seed=0)
    strategy = OptunaStrategy("tpe")
    a = strategy.propose(space, history, np.random.default_rng(3))
    session = strategy.session_
    b = strategy.propose(space, History(history.trials), np.random.default_rng(3))
    assert a == b and strategy.session_ is session, "a copy of the history reuses the study"
    changed = History(history.trials[:-1])
    strategy.propose(space, changed, np.random.default_rng(3))
    assert strategy.session_ is not session, "other trials: a new study"
    assert OptunaStrategy("tpe").propose(space, history, np.random.default_rng(3)) == a


def test_genetic_samplers_advance_generations_on_the_history(space, cifar10):
    strategy = OptunaStrategy(sampler=optuna.samplers.NSGAIISampler(population_size=5))
    run_study(TrialLog(), space, strategy, cifar10, 26, seed=0)
    sampler_class = optuna.samplers.NSGAIISampler  # Optuna 4.0 names the key as a constant
    key = getattr(sampler_class, "_get_generation_key", lambda: "nsga2:generation")()
    study = strategy.session_.study
    complete = study.get_trials(states=(optuna.trial.TrialState.COMPLETE,))
    generations = [t.system_attrs[key] for t in complete]
    assert generations == [i // 5 for i in range(25)]
    asked = [t for t in study.get_trials() if t.state == optuna.trial.TrialState.FAIL]
    assert asked[-1].system_attrs[key] == 5, "the last proposal bred generation 5"


def test_nsgaii_optimises_every_objective(tmp_path, space, costed):
    study = Study.create(tmp_path, "mo", directions=TWO["directions"])
    strategy = OptunaStrategy("nsgaii", **TWO)
    history = run_study(study, space, strategy, costed, 12, seed=0, objectives=TWO["objectives"])
    assert strategy.session_.study.directions == [
        optuna.study.StudyDirection.MAXIMIZE,
        optuna.study.StudyDirection.MINIMIZE,
    ]
    values = [tuple(t.values) for t in strategy.session_.study.get_trials() if t.values]
    # The sampler has seen every trial but the last (proposed after the 11th finished).
    assert values == [(t.metrics["val_acc"], t.metrics["params"]) for t in history][:-1]


def test_objectives_need_one_direction_each(space):
    strategy = OptunaStrategy("tpe", objectives=("val_acc", "params"), directions=("maximize",))
    with pytest.raises(ValueError, match="one direction per objective"):
        strategy.check(space)
    wrong = OptunaStrategy("tpe", objectives=("val_acc",), directions=("up",))
    with pytest.raises(ValueError, match="accepted: maximize, minimize"):
        wrong.check(space)


def test_cmaes_is_single_objective_the_others_are_not():
    assert not OptunaStrategy("cmaes").multi_objective
    assert not OptunaStrategy(sampler=optuna.samplers.CmaEsSampler()).multi_objective
    assert all(OptunaStrategy(name).multi_objective for name in SAMPLERS if name != "cmaes")


def test_the_registered_gp_asks_once_per_proposal(space, cifar10):
    from nasforge.registry import STRATEGIES

    assert STRATEGIES.create("gp").duplicate_tries == 1
    strategy = OptunaStrategy("random", duplicate_tries=1)
    history = run_study(TrialLog(), space, strategy, cifar10, 6, seed=0)
    strategy.propose(space, history, np.random.default_rng(9))  # syncs the last trial
    before = len(strategy.session_.study.trials)
    for seed in range(5):  # the same history: the cached study, one asked trial each time
        strategy.propose(space, history, np.random.default_rng(seed))
    assert len(strategy.session_.study.trials) == before + 5
