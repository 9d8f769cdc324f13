"""Our NSGA-II: Deb's sorting and crowding, elitist generations read off the history,
children bred from the population, resume for free."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from nasforge.evaluators import NB201Benchmark
from nasforge.history import History, Trial
from nasforge.registry import STRATEGIES
from nasforge.run.loop import TrialLog, run_study
from nasforge.strategies import NSGA2
from nasforge.strategies.nsga2 import crowding_distance, nondominated_ranks, uniform_crossover
from nasforge.study import Study

TWO = {"objectives": ("val_acc", "params"), "directions": ("maximize", "minimize")}


@pytest.fixture(scope="module")
def costed(table_path) -> NB201Benchmark:
    return NB201Benchmark("cifar10").setup()


def _dominates(a, b) -> bool:
    return bool(np.all(a >= b) and np.any(a > b))


def test_ranks_are_the_peeled_pareto_fronts():
    values = np.random.default_rng(0).integers(0, 6, size=(40, 2)).astype(float)
    ranks = nondominated_ranks(values)
    remaining, rank = set(range(len(values))), 0
    while remaining:  # brute force: peel off the non-dominated rows
        front = {
            i for i in remaining if not any(_dominates(values[j], values[i]) for j in remaining)
        }
        assert {int(i) for i in np.flatnonzero(ranks == rank)} == front
        remaining -= front
        rank += 1


def test_crowding_distance_follows_deb():
    front = np.array([[1.0, 5.0], [2.0, 3.0], [4.0, 2.0], [5.0, 1.0]])
    distance = crowding_distance(front)
    assert np.isinf(distance[0]) and np.isinf(distance[3])
    assert distance[1] == pytest.approx((4 - 1) / 4 + (5 - 2) / 4)
    assert distance[2] == pytest.approx((5 - 2) / 4 + (3 - 1) / 4)


def _synthetic_history(space, count: int, seed: int) -> History:
    rng, history = np.random.default_rng(seed), History()
    for arch in itertools.islice(space, 0, count * 37, 37):
        history.add(arch, {"a": float(rng.integers(0, 30)), "b": float(rng.integers(0, 30))})
    return history


def test_the_population_keeps_every_non_dominated_trial_it_has_room_for(space):
    strategy = NSGA2(objectives=("a", "b"), directions=("maximize", "minimize"))
    history = _synthetic_history(space, 97, seed=1)
    parents, ranks, _ = strategy.population(history)
    assert len(parents) == 10 and ranks.min() == 0
    used = history.trials[:90]  # nine whole generations; the last 7 are not judged yet
    values = np.array([[t.metrics["a"], -t.metrics["b"]] for t in used])
    front = {used[i].arch for i in np.flatnonzero(nondominated_ranks(values) == 0)}
    assert len(front) <= 10, "pick a seed whose front fits the population"
    assert front <= {p.arch for p in parents}
    assert {p.arch for p, r in zip(parents, ranks) if r == 0} == front


def test_children_are_one_mutation_from_the_population_without_crossover(space, cifar10):
    strategy = NSGA2(population_size=8, crossover_prob=0.0)
    history = run_study(TrialLog(), space, strategy, cifar10, 60, seed=3)
    near = 0
    for k in range(8, 60):
        parents, _, _ = strategy.population(History(history.trials[:k]))
        child = history[k].arch
        distance = min(
            sum(a != b for a, b in zip(p.arch.choice_values, child.choice_values)) for p in parents
        )
        near += distance == 1
    assert near >= 0.9 * 52  # the rest were mutated again after hitting a seen architecture


def test_uniform_crossover_takes_each_decision_from_either_parent(space):
    rng = np.random.default_rng(0)
    first, second = space.from_index(0), space.from_index(len(space) - 1)  # differ everywhere
    taken_from_first = []
    for _ in range(200):
        child = uniform_crossover(space, first, second, rng).choice_values
        assert all(c in (a, b) for c, a, b in zip(child, first.choice_values, second.choice_values))
        taken_from_first.append(np.equal(child, first.choice_values))
    assert np.mean(taken_from_first) == pytest.approx(0.5, abs=0.05)


def test_a_resumed_study_breeds_what_an_uninterrupted_one_does(tmp_path, space, costed):
    def make():
        return NSGA2(population_size=4, **TWO)

    def run(study, trials, strategy):
        return run_study(
            study, space, strategy, costed, trials, seed=5, objectives=TWO["objectives"]
        )

    whole = run(Study.create(tmp_path, "whole", directions=TWO["directions"]), 20, make())
    parts = Study.create(tmp_path, "parts", directions=TWO["directions"])
    run(parts, 9, make())
    resumed = run(parts, 20, make())
    assert [t.arch for t in resumed] == [t.arch for t in whole]


def test_failed_trials_are_not_in_any_generation(space):
    history = _synthetic_history(space, 12, seed=0)
    failed = History([*history.trials[:3], Trial(99, history[5].arch, {}, state="failed")])
    for trial in history.trials[3:]:
        failed.append(trial)
    strategy = NSGA2(objectives=("a", "b"), population_size=4)
    assert {p.arch for p in strategy.population(failed)[0]} == {
        p.arch for p in strategy.population(history)[0]
    }


def test_bad_settings_are_named(space):
    with pytest.raises(ValueError, match="one direction per objective"):
        NSGA2(objectives=("val_acc", "params")).check(space)
    with pytest.raises(ValueError, match="population_size"):
        NSGA2(population_size=1).check(space)
    with pytest.raises(ValueError, match="crossover_prob"):
        NSGA2(crossover_prob=2.0).check(space)


def test_registered_and_multi_objective():
    strategy = STRATEGIES.create("nsga2", **TWO)
    assert strategy.multi_objective and strategy.metric == "val_acc" and strategy.maximize


def test_search_gives_several_objectives_to_nsga2_by_default(tmp_path, capsys):
    from nasforge.run.search import search

    result = search(
        "wine", trials=4, epochs=1, objectives=["val_acc", "params"], output_dir=tmp_path,
        threads=1, progress=True, confirm_top=1,
    )  # fmt: skip
    assert result.study.attrs["strategy"] == "nsga2"
    assert "strategy nsga2 optimises val_acc, params" in capsys.readouterr().err


def test_search_refuses_a_single_objective_strategy_for_several_objectives():
    from nasforge.run.search import search

    with pytest.raises(ValueError, match=r"'evolution' optimises one objective.*nsga2.*nsgaii"):
        search("wine", strategy="evolution", objectives=["val_acc", "params"], output_dir=None)
