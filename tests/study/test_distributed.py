"""Workers on real infrastructure: a local Ray cluster started by the test, and a
PostgreSQL server (installed and started by `.ci/run`) backing a 4-worker search."""

from __future__ import annotations

import os
import uuid
from collections import Counter

import pytest

from nasforge.evaluators.base import SimulatedCost
from nasforge.registry import STRATEGIES
from nasforge.run.loop import run_study
from nasforge.study import Study, load_study

POSTGRES_URL = os.environ.get("NASFORGE_TEST_POSTGRES_URL")


def _check_complete_and_unique(study: Study, trials: int) -> None:
    stored = study.trials(include_running=True)
    assert len(stored) == trials
    assert Counter(t.state for t in stored) == {"complete": trials}
    assert max(Counter(t.arch for t in stored).values()) == 1
    assert sorted(t.number for t in stored) == list(range(trials))


def test_a_local_ray_cluster_runs_a_search_to_completion(tmp_path, space, cifar10):
    import ray

    study = Study.create(tmp_path, "ray")
    history = run_study(
        study, space, STRATEGIES.create("evolution"), SimulatedCost(cifar10, 0.02), 10,
        workers=2, ray=True,
    )  # fmt: skip
    assert not ray.is_initialized()  # the cluster we started is shut down again
    assert len(history) == 10
    _check_complete_and_unique(load_study(tmp_path), 10)


@pytest.fixture
def postgres_url() -> str:
    if POSTGRES_URL:
        return POSTGRES_URL
    if os.environ.get("NASFORGE_REQUIRE_POSTGRES"):
        pytest.fail("NASFORGE_REQUIRE_POSTGRES is set but NASFORGE_TEST_POSTGRES_URL is not")
    pytest.skip("no PostgreSQL server: set NASFORGE_TEST_POSTGRES_URL (.ci/run starts one)")


def test_postgresql_backs_a_four_worker_search(postgres_url, space, cifar10):
    name = f"pg-{uuid.uuid4().hex[:8]}"
    study = Study.create(postgres_url, name, attrs={"test": True})
    history = run_study(
        study, space, STRATEGIES.create("random"), SimulatedCost(cifar10, 0.05), 24, workers=4
    )
    assert len(history) == 24
    _check_complete_and_unique(load_study(postgres_url, name), 24)
