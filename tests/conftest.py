"""Shared fixtures: the NAS-Bench-201 space and the real reference data."""

from __future__ import annotations

import json

import pytest
import torch

from nasforge.data import data_dir
from nasforge.evaluators import NB201Benchmark
from nasforge.spaces import NB201Space

# Tests build many tiny models: one thread avoids OpenMP contention on a shared 2-core box.
torch.set_num_threads(1)


@pytest.fixture(scope="session")
def space() -> NB201Space:
    return NB201Space()


@pytest.fixture(scope="session")
def table_path():
    path = data_dir() / "nb201" / "nats_tss_test_acc.csv"
    if not path.is_file():
        pytest.fail(f"reference data missing at {path}; set NASFORGE_DATA_DIR")
    return path


@pytest.fixture(scope="session")
def cifar10(table_path) -> NB201Benchmark:
    return NB201Benchmark("cifar10", cost_metrics=False).setup()


@pytest.fixture(scope="session")
def zc_reference():
    path = data_dir() / "nb201" / "zc_reference_sample.json"
    if not path.is_file():
        pytest.fail(f"reference data missing at {path}; set NASFORGE_DATA_DIR")
    return json.loads(path.read_text())
