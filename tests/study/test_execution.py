"""The study driver: reproducible and resumable sequential runs, asynchronous worker
processes, failures recorded instead of raised, infeasible architectures never evaluated."""

from __future__ import annotations

from collections import Counter

import pytest

from nasforge.architecture import Architecture
from nasforge.evaluators.base import Evaluator, SimulatedCost
from nasforge.registry import STRATEGIES
from nasforge.run.loop import run_study
from nasforge.study import Study, load_study


def _arch_order(history) -> list[Architecture]:
    return [t.arch for t in history]


def test_resumed_run_continues_exactly_like_an_uninterrupted_one(tmp_path, space, cifar10):
    whole = Study.create(tmp_path / "whole", "s")
    expected = run_study(whole, space, STRATEGIES.create("evolution"), cifar10, 30, seed=4)
    parts = Study.create(tmp_path / "parts", "s")
    run_study(parts, space, STRATEGIES.create("evolution"), cifar10, 12, seed=4)
    reopened = load_study(tmp_path / "parts")  # a new process would reopen it like this
    resumed = run_study(reopened, space, STRATEGIES.create("evolution"), cifar10, 30, seed=4)
    assert len(resumed) == 30
    assert _arch_order(resumed) == _arch_order(expected)
    assert [t.metrics for t in resumed] == [t.metrics for t in expected]


def test_worker_processes_share_one_study(tmp_path, space, cifar10):
    study = Study.create(tmp_path, "p")
    slow = SimulatedCost(cifar10, seconds=0.05)
    history = run_study(study, space, STRATEGIES.create("random"), slow, 16, workers=3)
    stored = load_study(tmp_path).trials(include_running=True)
    assert len(history) == len(stored) == 16
    assert all(t.state == "complete" for t in stored)
    assert max(Counter(t.arch for t in stored).values()) == 1
    assert {t.number for t in history} == {t.number for t in stored}


class _Flaky(Evaluator):
    """Raises on every architecture whose first edge is a skip connection."""

    def __init__(self, inner: Evaluator) -> None:
        self.inner = inner

    def evaluate(self, arch, context=None):
        if next(iter(arch.values())) == "skip_connect":
            raise RuntimeError("simulated crash")
        return self.inner.evaluate(arch, context)


def test_an_evaluator_exception_is_a_failed_trial(tmp_path, space, cifar10):
    study = Study.create(tmp_path, "f")
    history = run_study(study, space, STRATEGIES.create("random"), _Flaky(cifar10), 40)
    failed = [t for t in history if t.state == "failed"]
    assert failed and len(history) == 40
    assert all(t.failure == "RuntimeError: simulated crash" for t in failed)
    assert {t.number for t in failed} == {
        t.number for t in load_study(tmp_path).trials() if t.state == "failed"
    }


def test_screened_architectures_are_recorded_but_never_evaluated(tmp_path, space, cifar10):
    evaluated = []

    class Recording(Evaluator):
        def evaluate(self, arch, context=None):
            evaluated.append(arch)
            return cifar10.evaluate(arch, context)

    def screen(arch):
        has_conv = any("conv" in op for op in arch.values())
        return {"convs": float(has_conv)}, ([] if has_conv else ["no convolution"])

    study = Study.create("memory", "m")
    history = run_study(study, space, STRATEGIES.create("random"), Recording(), 50, screen=screen)
    infeasible = [t for t in history if t.state == "infeasible"]
    assert len(evaluated) == 50 and len(history) == 50 + len(infeasible)
    assert not any(t.arch in evaluated for t in infeasible)
    assert all(any("conv" in op for op in arch.values()) for arch in evaluated)


def test_bad_arguments(space, cifar10):
    study = Study.create("memory", "m")
    with pytest.raises(ValueError, match="at least 1"):
        run_study(study, space, STRATEGIES.create("random"), cifar10, 0)
    with pytest.raises(ValueError, match="workers"):
        run_study(study, space, STRATEGIES.create("random"), cifar10, 5, workers=0)
    with pytest.raises(ValueError, match="memory cannot be shared"):
        run_study(study, space, STRATEGIES.create("random"), cifar10, 5, workers=2)


class _Dying(Evaluator):
    """Kills its worker process once: on the first evaluation, whichever worker runs it."""

    def __init__(self, inner: Evaluator, marker) -> None:
        self.inner = inner
        self.marker = marker

    def evaluate(self, arch, context=None):
        import os

        if not self.marker.exists():
            self.marker.touch()
            os._exit(3)
        return self.inner.evaluate(arch, context)


def test_a_dead_worker_fails_its_trials_and_the_search_goes_on(tmp_path, space, cifar10):
    study = Study.create(tmp_path, "d")
    dying = _Dying(cifar10, tmp_path / "died")
    history = run_study(study, space, STRATEGIES.create("random"), dying, 8, workers=2)
    stored = load_study(tmp_path).trials(include_running=True)
    assert len(history) == len(stored) == 8
    died = [t for t in stored if t.state == "failed"]
    assert 1 <= len(died) <= 2  # the killed job, and the other one running in that pool
    assert all(t.failure.startswith("worker failed") for t in died)
    assert all(t.state in ("complete", "failed") for t in stored)


def test_impossible_limits_stop_with_the_smallest_value_seen(space, cifar10):
    def screen(arch):
        convs = float(sum("conv" in op for op in arch.values()))
        return {"convs": convs}, ([f"convs {convs:g} > -1"])

    study = Study.create("memory", "m")
    with pytest.raises(ValueError, match=r"500 architectures in a row .*smallest seen: convs 0"):
        run_study(study, space, STRATEGIES.create("random"), cifar10, 5, screen=screen)
