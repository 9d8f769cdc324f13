"""A real study storage (completed, failed, infeasible and running trials; a second and
an empty study) and a real `nasforge dashboard` process serving it on 127.0.0.1."""

from __future__ import annotations

import numpy as np
import pytest
from live_server import add_trials, free_port, start_dashboard

from nasforge.spaces import NB201Space
from nasforge.study import Study, space_choices


@pytest.fixture
def storage(tmp_path):
    """A run directory whose study has 12 completed trials, a failed one, an infeasible
    one and a running one (this process is its driver); plus studies 'other' and 'empty'."""
    space = NB201Space()
    study = Study.create(tmp_path, "main", attrs={"space": "nb201", "objectives": ["val_acc"],
                                                  "strategy": "evolution", "seed": 0})  # fmt: skip
    study.choices = space_choices(space)
    add_trials(study, space, 12, seed=0)
    rng = np.random.default_rng(1)
    arch = space.sample(rng)
    failed = study.start(arch, space.format(arch), fidelity=12)
    study.finish(failed, {"val_acc": float("nan")}, state="failed", failure="NaN loss at epoch 2")
    arch = space.sample(rng)
    study.record_infeasible(arch, space.format(arch), {"params": 2e6}, "params 2.0M > 1.0M")
    arch = space.sample(rng)
    study.start(arch, space.format(arch), fidelity=12)
    other = Study.create(tmp_path, "other", attrs={"space": "nb201", "objectives": ["val_acc"]})
    other.choices = space_choices(space)
    add_trials(other, space, 3, seed=2)
    Study.create(tmp_path, "empty", attrs={"space": "nb201"})
    return tmp_path


@pytest.fixture
def server(storage):
    port = free_port()
    process = start_dashboard(storage, port)
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait(timeout=20)
