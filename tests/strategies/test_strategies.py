from __future__ import annotations

import numpy as np
import optuna
import pytest

from nasforge import History, LocalSearch, OptunaStrategy, RegularizedEvolution
from nasforge.registry import STRATEGIES
from nasforge.strategies import RandomSearch, SpaceExhaustedError
from nasforge.testing import check_strategy

# Cheap settings for strategies whose defaults cost seconds per proposal; the rest run
# with their defaults. A newly registered strategy is covered automatically.
CHEAP = {
    "gp": ({}, 15),
    "gp-local": ({"initial": 5, "samples": 200}, 20),
    "naswot": ({"samples": 3, "proxy": "params"}, 10),
    "two-stage": ({"pool_size": 20, "proxy": "params"}, 25),
    "bananas": ({"initial": 5, "batch_size": 5, "epochs": 20}, 15),
    "npred": ({"initial": 5, "pool": 200}, 10),
    "npenas": ({"initial": 5, "batch_size": 5}, 15),
}


@pytest.mark.parametrize("name", STRATEGIES.names())
def test_every_registered_strategy_conforms(name, space, cifar10):
    settings, budget = CHEAP.get(name, ({}, 40))
    check_strategy(lambda: STRATEGIES.create(name, **settings), space, cifar10, budget=budget)


def _run(strategy, space, evaluator, budget, seed=0):
    history, rng = History(), np.random.default_rng(seed)
    for _ in range(budget):
        arch = strategy.propose(space, history, rng)
        history.add(arch, evaluator.evaluate(arch).metrics)
    return history


def test_different_seeds_give_different_searches(space, cifar10):
    a = _run(RandomSearch(), space, cifar10, 5, seed=0)
    b = _run(RandomSearch(), space, cifar10, 5, seed=1)
    assert [t.arch for t in a] != [t.arch for t in b]


def test_evolution_children_mutate_a_tournament_winner(space, cifar10):
    evolution = RegularizedEvolution(population_size=10, tournament_size=3)
    history = _run(evolution, space, cifar10, 60)
    for k in range(10, 60):
        population = [t.arch for t in history.trials[k - 10 : k]]
        child = history[k].arch
        distances = [
            sum(a != b for a, b in zip(p.choice_values, child.choice_values)) for p in population
        ]
        assert min(distances) == 1, f"trial {k} is not one mutation from the population"


def test_evolution_rejects_bad_sizes(space):
    with pytest.raises(ValueError, match="tournament_size"):
        RegularizedEvolution(population_size=3, tournament_size=5).check(space)


def test_local_search_climbs_to_a_local_optimum_then_restarts(space, cifar10):
    history = _run(LocalSearch(), space, cifar10, 200)
    scores = [t.metrics["val_acc"] for t in history]
    # Along a climb, the current point's score never decreases.
    current, restarts = history[0], 0
    for trial in history.trials[1:]:
        one_apart = (
            sum(a != b for a, b in zip(trial.arch.choice_values, current.arch.choice_values)) == 1
        )
        if not one_apart:
            restarts += 1
            current = trial
        elif trial.metrics["val_acc"] > current.metrics["val_acc"]:
            current = trial
    assert restarts >= 1, "200 queries should reach at least one local optimum"
    assert max(scores) >= 94.0


def test_local_search_proposes_neighbors_of_the_incumbent(space, cifar10):
    search = LocalSearch()
    history = _run(search, space, cifar10, 5)
    proposal = search.propose(space, history, np.random.default_rng(3))
    assert proposal in space.neighbors(search.climb_.current.arch)


def test_resumed_history_gives_the_same_next_proposal(space, cifar10):
    history = _run(LocalSearch(), space, cifar10, 30)
    fresh = History(history.trials)
    a = LocalSearch().propose(space, history, np.random.default_rng(9))
    b = LocalSearch().propose(space, fresh, np.random.default_rng(9))
    assert a == b


def test_optuna_adapter_learns_from_history_it_did_not_propose(space, cifar10):
    history = _run(RandomSearch(), space, cifar10, 30)
    tpe = OptunaStrategy("tpe")
    tpe.propose(space, history, np.random.default_rng(0))
    completed = tpe.session_.study.get_trials(states=(optuna.trial.TrialState.COMPLETE,))
    assert len(completed) == 30


def test_optuna_adapter_unknown_sampler(space):
    with pytest.raises(ValueError, match="accepted: tpe, gp, random"):
        OptunaStrategy("cma").check(space)


def test_exhausted_space_is_reported(space, cifar10):
    history = History()
    for arch in space:
        history.add(arch, {"val_acc": 0.0})
    with pytest.raises(SpaceExhaustedError, match="all 15625"):
        RandomSearch().propose(space, history, np.random.default_rng(0))
    assert RandomSearch(allow_duplicates=True).propose(space, history, np.random.default_rng(0))


def test_unknown_strategy_lists_known_ones():
    with pytest.raises(ValueError, match=r"known: .*evolution.*local.*random.*tpe"):
        STRATEGIES.get("annealing")


def test_optuna_adapter_without_retries_still_proposes(space, cifar10):
    check_strategy(lambda: OptunaStrategy("tpe", duplicate_tries=0), space, cifar10, budget=5)


def test_optuna_adapter_proposes_canonical_architectures():
    from nasforge.spaces import MLPSpace

    space = MLPSpace()
    strategy, history, rng = OptunaStrategy("tpe"), History(), np.random.default_rng(0)
    for i in range(15):
        arch = strategy.propose(space, history, rng)
        assert space.canonical(arch) == arch
        history.add(arch, {"val_acc": float(i % 7)})
