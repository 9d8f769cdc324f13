"""The one loop: running jobs apart from finished trials, no duplicated or lost trial with
parallel workers, one randomness scheme for bench and search, multi-fidelity in bench."""

from __future__ import annotations

import numpy as np
import pytest

import nasforge
from nasforge import SimulatedCost, Study, TrialLog, run_study
from nasforge.history import History, Trial
from nasforge.registry import STRATEGIES
from nasforge.strategies import RandomSearch


def test_history_keeps_running_jobs_apart(space):
    rng = np.random.default_rng(0)
    done, running = space.sample(rng), space.sample(rng)
    history = History([Trial(0, done, {"val_acc": 90.0})])
    history.start(Trial(1, running, {"fidelity": 12.0}, state="running"))
    assert len(history) == 1 and list(history) == [history[0]]
    assert history.proposed == 2 and [t.arch for t in history.running] == [running]
    assert running in history and history.is_running(running) and not history.is_running(done)
    assert [t.number for t in history.in_order()] == [0, 1]
    history.append(Trial(1, running, {"val_acc": 80.0, "fidelity": 12.0}))
    assert history.running == [] and len(history) == 2


def test_default_job_hook_leaves_the_fidelity_to_the_run(space):
    arch, fidelity = RandomSearch().propose_job(space, History(), np.random.default_rng(0))
    assert fidelity is None and arch.space == space.name


@pytest.mark.parametrize("workers", [2, 4])
def test_workers_never_duplicate_or_lose_a_trial(tmp_path, space, cifar10, workers):
    study = Study.create(tmp_path, "w")
    evaluator = SimulatedCost(cifar10, seconds=0.02)
    history = run_study(study, space, STRATEGIES.create("evolution"), evaluator, 30,
                        workers=workers, seed=3)  # fmt: skip
    stored = nasforge.load_study(tmp_path).trials(include_running=True)
    assert len(history) == 30 and len(stored) == 30
    assert {t.state for t in stored} == {"complete"}
    assert len({t.arch for t in stored}) == 30, "an architecture was evaluated twice"
    assert sorted(t.number for t in stored) == list(range(30)), "a trial number was lost"


def test_bench_and_search_loop_propose_the_same(space, cifar10):
    """bench runs searches through run_study: the same strategy and seed give the same
    architectures in a bench curve and in a study-backed run."""
    result = nasforge.benchmark(strategies=["evolution"], seeds=[5], budget=30, workers=1)
    stored = run_study(Study.create("memory", "s"), space, STRATEGIES.create("evolution"),
                       cifar10, 30, seed=5, fidelity=200)  # fmt: skip
    logged = run_study(TrialLog(), space, STRATEGIES.create("evolution"), cifar10, 30, seed=5,
                       fidelity=200)  # fmt: skip
    assert [t.arch for t in stored] == [t.arch for t in logged]
    best = np.maximum.accumulate([t.metrics["val_acc"] for t in logged])
    assert np.allclose(result.curves["best_val_acc"].to_numpy(), best)


def test_multi_fidelity_strategies_use_the_table_fidelities_at_equal_cost():
    result = nasforge.benchmark(
        strategies=["random", "sh", "hyperband"], seeds=3, budget=30, workers=1,
        fidelities=(12, 200),
    )  # fmt: skip
    summary = result.summary()
    assert summary["queries"].nunique() == 3, "multi-fidelity strategies ran as random search"
    assert (summary["epochs"] <= 30 * 200).all() and (summary["epochs"] > 29 * 200 - 200).all()
    assert summary.loc["random", "queries"] == 30
    assert summary.loc["sh", "queries"] > 30 and summary.loc["hyperband", "queries"] > 30
    runs = result.curves.groupby(["strategy", "seed"])
    assert all(run["epochs"].is_monotonic_increasing for _, run in runs)
    assert {"at_2000_epochs", "at_6000_epochs"} <= set(summary.columns)


def test_bench_rejects_fidelities_the_table_lacks():
    with pytest.raises(ValueError, match="fidelity must be one of"):
        nasforge.benchmark(strategies=["sh"], seeds=1, budget=5, fidelities=(12, 50))
