"""The one module that writes into Optuna's tables (study/fast_rows.py) against Optuna's
public API: the same trials written both ways read back identically through
`optuna.load_study`. `.ci/run` runs this file under each Optuna major we support."""

from __future__ import annotations

import math

import numpy as np
import optuna
import pytest

from nasforge.study import INTERRUPTED, Study, fast_rows, space_choices, storage_url


def _write_trials(folder, space) -> Study:
    """Every kind of trial: complete (two objectives), failed with NaN, interrupted,
    infeasible, and one left running."""
    study = Study.create(
        folder, "s", directions=("maximize", "minimize"),
        attrs={"seed": 0, "objectives": ["val_acc", "params"]},
    )  # fmt: skip
    study.choices = space_choices(space)
    rng = np.random.default_rng(0)
    a, b, c, d, e = (space.sample(rng) for _ in range(5))
    first = study.start(a, space.format(a), fidelity=12)
    second = study.start(b, space.format(b))
    third = study.start(c, space.format(c), fidelity=200)
    study.finish(
        first, {"val_acc": 91.5, "params": 1e5, "fidelity": 12.0}, cost_s=3.0,
        objectives=("val_acc", "params"),
    )  # fmt: skip
    study.finish(second, {"val_acc": math.nan}, state="failed", failure="NaN loss at epoch 2")
    study.finish(third, {}, state=INTERRUPTED, failure="interrupted: stopped")
    study.record_infeasible(d, space.format(d), {"params": 2e6}, "params 2e6 > 1e6")
    study.start(e, space.format(e))
    return study


def _as_optuna_sees_it(folder) -> list[tuple]:
    native = optuna.load_study(study_name="s", storage=storage_url(folder))
    rows = []
    for trial in sorted(native.get_trials(deepcopy=False), key=lambda t: t.number):
        rows.append(
            (trial.number, trial.state.name, trial.values, trial.params,
             {k: repr(v) for k, v in trial.distributions.items()}, dict(trial.user_attrs))
        )  # fmt: skip
    return rows


def test_fast_path_and_public_api_write_the_same_trials(tmp_path, space, monkeypatch):
    fast = _write_trials(tmp_path / "fast", space)
    assert fast_rows.available(fast._storage) == (
        int(optuna.__version__.split(".")[0]) in fast_rows.TESTED_MAJORS
    )
    with monkeypatch.context() as patch:
        patch.setattr(optuna, "__version__", "99.0.0")  # a major we have not tested
        public = _write_trials(tmp_path / "public", space)
        assert not fast_rows.available(public._storage)

    written_fast = _as_optuna_sees_it(tmp_path / "fast")
    assert written_fast == _as_optuna_sees_it(tmp_path / "public")
    assert [row[1] for row in written_fast] == ["COMPLETE", "FAIL", "FAIL", "PRUNED", "RUNNING"]
    assert written_fast[0][2] == [91.5, 1e5] and written_fast[0][3]  # values, params
    assert [t.state for t in fast.trials(include_running=True)] == [
        t.state for t in public.trials(include_running=True)
    ]


def test_fast_path_is_off_for_an_untested_major_and_other_storages(tmp_path, monkeypatch):
    study = Study.create(tmp_path, "s")
    if int(optuna.__version__.split(".")[0]) in fast_rows.TESTED_MAJORS:
        assert fast_rows.available(study._storage)
    assert not fast_rows.available(optuna.storages.InMemoryStorage())
    monkeypatch.setattr(optuna, "__version__", "6.0.0")
    assert not fast_rows.available(study._storage)


@pytest.mark.parametrize("major", fast_rows.TESTED_MAJORS)
def test_tested_majors_are_the_ones_ci_installs(major):
    from pathlib import Path

    ci = (Path(__file__).parents[2] / ".ci" / "run").read_text()
    assert f"optuna>={major},<{major + 1}" in ci
