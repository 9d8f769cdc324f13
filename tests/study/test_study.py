"""The trial database: Optuna storage round trips, states, settings checks, recovery."""

from __future__ import annotations

import math

import numpy as np
import optuna
import pytest

from nasforge.study import Study, StudyError, load_study, space_choices, storage_url


@pytest.fixture
def study(tmp_path, space) -> Study:
    created = Study.create(tmp_path, "s", attrs={"seed": 0, "objectives": ["val_acc"]})
    created.choices = space_choices(space)
    return created


def test_storage_url_forms(tmp_path):
    assert storage_url(tmp_path) == f"sqlite:///{tmp_path / 'study.db'}"
    assert storage_url(tmp_path / "x.db") == f"sqlite:///{tmp_path / 'x.db'}"
    assert storage_url("postgresql://u:p@h/db") == "postgresql://u:p@h/db"


def test_trials_round_trip_through_optuna(study, space, tmp_path):
    rng = np.random.default_rng(0)
    a, b, c = (space.sample(rng) for _ in range(3))
    first = study.start(a, space.format(a), fidelity=12)
    second = study.start(b, space.format(b))
    study.finish(first, {"val_acc": 91.5, "params": 1e5, "fidelity": 12.0}, cost_s=3.0)
    study.finish(second, {"val_acc": math.nan}, state="failed", failure="NaN loss at epoch 2")
    rejected = study.record_infeasible(c, space.format(c), {"params": 2e6}, "params 2e6 > 1e6")

    back = {t.number: t for t in load_study(tmp_path).trials()}
    assert back[first].arch == a and back[first].metrics["val_acc"] == 91.5
    assert back[first].text == space.format(a) and back[first].cost_s == 3.0
    assert back[second].state == "failed" and math.isnan(back[second].metrics["val_acc"])
    assert back[second].failure == "NaN loss at epoch 2"
    assert back[rejected].state == "infeasible" and back[rejected].failure.startswith("params")

    native = optuna.load_study(study_name="s", storage=storage_url(tmp_path))
    states = {t.number: t.state.name for t in native.trials}
    assert states == {first: "COMPLETE", second: "FAIL", rejected: "PRUNED"}
    assert native.trials[first].value == 91.5
    assert native.trials[first].params == dict(a)  # the choices, for Optuna's plots
    assert native.best_trial.number == first


def test_history_is_in_finishing_order_without_running(study, space):
    rng = np.random.default_rng(1)
    archs = [space.sample(rng) for _ in range(3)]
    numbers = [study.start(arch, space.format(arch)) for arch in archs]
    study.finish(numbers[2], {"val_acc": 80.0})
    study.finish(numbers[0], {"val_acc": 70.0})
    history = study.history()
    assert [t.number for t in history] == [numbers[2], numbers[0]]
    assert archs[1] not in history
    assert len(study.trials(include_running=True)) == 3


def test_recover_marks_running_trials_interrupted_and_requeues_them_once(study, space):
    rng = np.random.default_rng(2)
    done, lost = space.sample(rng), space.sample(rng)
    study.finish(study.start(done, space.format(done), 200), {"val_acc": 90.0, "fidelity": 200})
    study.start(lost, space.format(lost), 200)  # the process died here

    assert study.recover() == [(lost, 200.0)]
    states = {t.arch: t.state for t in study.trials()}
    assert states == {done: "complete", lost: "interrupted"}
    assert lost not in study.history()  # interrupted trials teach the strategy nothing
    assert study.recover() == [(lost, 200.0)]  # still owed after a second crash

    again = study.start(lost, space.format(lost), 200)
    study.finish(again, {"val_acc": 91.0, "fidelity": 200})
    assert study.recover() == []


def test_reopening_rules(study, tmp_path):
    with pytest.raises(StudyError, match="already exists"):
        Study.create(tmp_path, "s")
    with pytest.raises(StudyError, match=r"seed 0 -> 1"):
        Study.create(tmp_path, "s", attrs={"seed": 1}, load_if_exists=True)
    same = Study.create(tmp_path, "s", attrs={"seed": 0}, load_if_exists=True)
    assert same.attrs["objectives"] == ["val_acc"]


def test_load_study_errors(tmp_path, study):
    with pytest.raises(StudyError, match="no study database"):
        load_study(tmp_path / "missing")
    Study.create(tmp_path, "other")
    with pytest.raises(StudyError, match="holds 2 studies"):
        load_study(tmp_path)
    with pytest.raises(StudyError, match=r"no study 'nope'.*it holds: "):
        load_study(tmp_path, "nope")
    assert load_study(tmp_path, "other").name == "other"


def test_memory_study_cannot_go_to_workers(space):
    import pickle

    memory = Study.create("memory", "m")
    with pytest.raises(StudyError, match="cannot be shared"):
        pickle.dumps(memory)


def test_recover_keeps_a_trial_whose_process_died_between_outcome_and_state(study, space):
    """A kill after the outcome row but before the state change must not lose the result."""
    arch = space.sample(np.random.default_rng(3))
    number = study.start(arch, space.format(arch))
    outcome = {"metrics": {"val_acc": 88.0}, "cost_s": 1.0, "state": "complete"}
    study._storage.set_trial_user_attr(study.trial_id(number), "outcome", outcome)
    assert study.recover() == []
    (trial,) = study.trials(include_running=True)
    assert trial.state == "complete" and trial.metrics["val_acc"] == 88.0
    native = optuna.load_study(study_name="s", storage=study.url)
    assert native.trials[0].state.name == "COMPLETE" and native.trials[0].value == 88.0
