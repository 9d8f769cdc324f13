"""A small digits task and tiny NAS-Bench-201 and DARTS spaces for supernet tests."""

from __future__ import annotations

import dataclasses

import pytest

from nasforge.spaces.darts import DartsSpace
from nasforge.spaces.nb201 import NB201Space
from nasforge.tasks import Task, load_task


@pytest.fixture(scope="session")
def small_digits() -> Task:
    """Real digits, cut to 192 training and 96 validation images so a supernet epoch
    takes a fraction of a second."""
    task = load_task("digits", seed=0)
    return dataclasses.replace(
        task, x_train=task.x_train[:192], y_train=task.y_train[:192],
        x_val=task.x_val[:96], y_val=task.y_val[:96],
    )  # fmt: skip


@pytest.fixture(scope="session")
def tiny_space() -> NB201Space:
    return NB201Space(channels=8, cells=1)


@pytest.fixture(scope="session")
def tiny_darts() -> DartsSpace:
    """DARTS cells with a 4-channel, 3-cell supernet (normal, reduce, reduce)."""
    return DartsSpace(channels=4, cells=3, search_channels=4, search_cells=3)
