"""Run a study: the driver asks the strategy for the next job, records it as running in the
study, and hands it to an executor (in this process, local worker processes, or Ray
tasks); the worker evaluates it and writes the outcome to the study itself.

The loop is asynchronous: a free worker gets the next proposal at once, and the strategy
sees the running architectures, so none is evaluated twice at the same time. Each
proposal draws from its own generator, seeded by `(seed, proposal index)`, so a
sequential run is reproducible and a resumed one continues exactly where it stopped.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field

import numpy as np

from nasforge.architecture import Architecture
from nasforge.errors import NasforgeError
from nasforge.evaluators.base import EvaluationContext, Evaluator
from nasforge.history import History, Trial
from nasforge.spaces.base import SearchSpace
from nasforge.strategies.base import Strategy
from nasforge.study import MEMORY, Study, StudyError, space_choices

MAX_REJECTED_IN_A_ROW = 500
Screen = Callable[[Architecture], tuple[dict[str, float], list[str]]]


@dataclass(frozen=True)
class Job:
    """One evaluation handed to a worker: trial number, architecture, fidelity, and the
    metrics the driver measured before (params, FLOPs, latency)."""

    number: int
    trial_id: int
    arch: Architecture
    fidelity: int | None = None
    measured: Mapping[str, float] = field(default_factory=dict)


def evaluate_job(evaluator: Evaluator, study: Study, objectives: Sequence[str], job: Job) -> Trial:
    """Evaluate `job` and write its outcome to `study`; an exception in the evaluator ends
    the trial as failed with the reason recorded, never the search."""
    start = time.perf_counter()
    try:
        result = evaluator.evaluate(job.arch, EvaluationContext(fidelity=job.fidelity))
        metrics, cost_s = {**result.metrics, **job.measured}, result.cost_s
        state, failure = result.state, result.failure
    except Exception as error:  # recorded, so one broken architecture cannot stop a search
        metrics, cost_s = dict(job.measured), time.perf_counter() - start
        state, failure = "failed", f"{type(error).__name__}: {error}"
    if job.fidelity is not None:
        metrics["fidelity"] = float(job.fidelity)
    study.finish(job.number, metrics, cost_s, state, failure, objectives, job.trial_id)
    return Trial(job.number, job.arch, metrics, cost_s, state, failure)


# -- executors ------------------------------------------------------------------------------
class _Inline:
    """Evaluates each job in this process when it is submitted."""

    def __init__(self, evaluator: Evaluator, study: Study, objectives: Sequence[str]) -> None:
        self.args = (evaluator, study, tuple(objectives))

    def submit(self, job: Job) -> Future:
        future: Future = Future()
        future.set_result(evaluate_job(*self.args, job))
        return future

    def close(self, broken: bool = False) -> None:
        pass


_WORKER: tuple | None = None


def _init_worker(evaluator: Evaluator, study: Study, objectives: tuple, threads: int) -> None:
    global _WORKER
    import torch

    torch.set_num_threads(threads)
    _WORKER = (evaluator, study, objectives)


def _run_in_worker(job: Job) -> Trial:
    assert _WORKER is not None, "worker process was not initialised"
    return evaluate_job(*_WORKER, job)


class _Processes:
    """A pool of local worker processes, started by a fork server (a clean process, so
    PyTorch's thread pools are never forked mid-use); each gets the evaluator once."""

    def __init__(self, evaluator, study, objectives, workers: int) -> None:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["nasforge._preload"])  # imports paid once, not per worker
        threads = max(1, (os.cpu_count() or 1) // workers)
        self.pool = ProcessPoolExecutor(
            workers, mp_context=context, initializer=_init_worker,
            initargs=(evaluator, study, tuple(objectives), threads),
        )  # fmt: skip

    def submit(self, job: Job) -> Future:
        return self.pool.submit(_run_in_worker, job)

    def close(self, broken: bool = False) -> None:
        """Wait for running jobs; after a worker died, end the others at once instead
        (Python 3.11's pool can wait forever on survivors of a broken pool)."""
        if broken:
            for process in list(getattr(self.pool, "_processes", {}).values()):
                process.kill()
            self.pool.shutdown(wait=False, cancel_futures=True)
        else:
            self.pool.shutdown(wait=True, cancel_futures=True)


class _Ray:
    """Ray tasks on a Ray cluster: a local one by default, `address` for an existing one.
    Every worker must reach the study's storage (PostgreSQL when they are on several
    machines)."""

    def __init__(self, evaluator, study, objectives, workers: int, address: str | None) -> None:
        try:
            import ray
        except ImportError as error:
            raise NasforgeError(
                "Ray is not installed; pip install 'nasforge[ray]' to run workers on Ray"
            ) from error
        self.ray = ray
        self.started = not ray.is_initialized()
        if self.started:
            if address:
                ray.init(address=address, log_to_driver=False)
            else:
                ray.init(
                    num_cpus=workers, include_dashboard=False, log_to_driver=False,
                    object_store_memory=100 * 1024**2,
                )  # fmt: skip
        threads = max(1, (os.cpu_count() or 1) // workers)
        self.remote = ray.remote(num_cpus=1, max_retries=0)(_ray_task)
        self.shared = (ray.put(evaluator), study, tuple(objectives), threads)

    def submit(self, job: Job) -> Future:
        return self.remote.remote(*self.shared, job).future()

    def close(self, broken: bool = False) -> None:
        if self.started:
            self.ray.shutdown()


def _ray_task(evaluator, study, objectives, threads, job):
    import torch

    torch.set_num_threads(threads)
    return evaluate_job(evaluator, study, objectives, job)


# -- the driver -----------------------------------------------------------------------------
def run_study(
    study: Study,
    space: SearchSpace,
    strategy: Strategy,
    evaluator: Evaluator,
    trials: int,
    *,
    seed: int = 0,
    fidelity: int | None = None,
    objectives: Sequence[str] = ("val_acc",),
    screen: Screen | None = None,
    workers: int = 1,
    ray: bool = False,
    ray_address: str | None = None,
    time_budget_s: float | None = None,
    on_trial: Callable[[Trial, History], None] | None = None,
) -> History:
    """Evaluate proposals until `trials` evaluations (complete or failed) are in the study,
    counting those already there, so calling it again on a stopped study resumes it.

    `screen(arch) -> (measures, violations)` runs in the driver before a job is handed
    out: an architecture with violations is recorded as infeasible and never evaluated.
    Returns the history (finished trials, infeasible included, in finishing order).
    """
    if trials < 1:
        raise ValueError(f"the trial budget must be at least 1, got {trials}")
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    if study.url == MEMORY and (workers > 1 or ray):
        raise StudyError(
            "a study kept in memory cannot be shared with workers; give it a storage "
            "(a run directory, a SQLite file or a database URL)"
        )
    study.choices = study.choices or space_choices(space)
    requeue = study.recover()
    history = study.history()
    evaluated = sum(1 for t in history if t.state != "infeasible")
    if ray:
        executor = _Ray(evaluator, study, objectives, workers, ray_address)
    elif workers > 1:
        executor = _Processes(evaluator, study, objectives, workers)
    else:
        executor = _Inline(evaluator, study, objectives)
    pending: dict[Future, tuple[Job, object]] = {}
    rejected = 0
    start = time.perf_counter()
    try:
        while True:
            while len(pending) < workers and evaluated + len(pending) < trials:
                if time_budget_s is not None and time.perf_counter() - start > time_budget_s:
                    break
                running = {job.arch for job, _ in pending.values()}
                if requeue:
                    arch, job_fidelity = requeue.pop(0)
                    job_fidelity = None if job_fidelity is None else int(job_fidelity)
                else:
                    arch, job_fidelity = _propose(
                        strategy, space, _with_running(history, pending), seed, fidelity
                    )
                if arch in running:  # only strategies allowing duplicates get here
                    requeue.insert(0, (arch, job_fidelity))
                    break
                text = space.format(arch)
                measured, violations = screen(arch) if screen else ({}, [])
                if violations:
                    number = study.record_infeasible(arch, text, measured, "; ".join(violations))
                    history.append(Trial(number, arch, measured, state="infeasible",
                                         failure="; ".join(violations)))  # fmt: skip
                    rejected += 1
                    if rejected >= MAX_REJECTED_IN_A_ROW:
                        raise NasforgeError(_too_strict(history, rejected))
                    continue
                rejected = 0
                number = study.start(arch, text, job_fidelity)
                job = Job(number, study.trial_id(number), arch, job_fidelity, measured)
                pending[_submit(executor, job)] = (job, executor)
            if not pending:
                break
            done, _ = wait(list(pending), return_when=FIRST_COMPLETED)
            for future in done:
                job, owner = pending.pop(future)
                trial = _outcome(future, job, study, objectives)
                if isinstance(future.exception(), BrokenProcessPool) and owner is executor:
                    executor.close(broken=True)  # a worker died (killed, out of memory)
                    executor = _Processes(evaluator, study, objectives, workers)
                history.append(trial)
                evaluated += 1
                if on_trial is not None:
                    on_trial(trial, history)
    finally:
        executor.close()
    return history


def _too_strict(history: History, rejected: int) -> str:
    """Why the search gave up: the smallest value of each limited measure it saw."""
    infeasible = [t for t in history if t.state == "infeasible"]
    limited = sorted({reason.split()[0] for t in infeasible for reason in t.failure.split("; ")})
    smallest = ", ".join(
        f"{name} {min(t.metrics[name] for t in infeasible if name in t.metrics):,.4g}"
        for name in limited
    )
    return (
        f"{rejected} architectures in a row broke the limits (smallest seen: {smallest}); "
        "loosen the limits or search a smaller space"
    )


def _submit(executor, job: Job) -> Future:
    try:
        return executor.submit(job)
    except Exception as error:  # e.g. a pool broken while idle: fail this job, go on
        future: Future = Future()
        future.set_exception(error)
        return future


def _outcome(future: Future, job: Job, study: Study, objectives: Sequence[str]) -> Trial:
    """The worker's trial, or a failed one recorded by the driver if the worker died."""
    error = future.exception()
    if error is None:
        return future.result()
    failure = f"worker failed: {type(error).__name__}: {error}"
    metrics = dict(job.measured)
    if job.fidelity is not None:
        metrics["fidelity"] = float(job.fidelity)
    study.finish(job.number, metrics, 0.0, "failed", failure, objectives, job.trial_id)
    return Trial(job.number, job.arch, metrics, state="failed", failure=failure)


def _with_running(history: History, pending: Mapping[Future, tuple[Job, object]]) -> History:
    """The history plus the running jobs (no metrics yet), so the strategy avoids them."""
    if not pending:
        return history
    running = [Trial(job.number, job.arch, state="running") for job, _ in pending.values()]
    return History([*history.trials, *running])


def _propose(
    strategy: Strategy, space: SearchSpace, history: History, seed: int, fidelity: int | None
) -> tuple[Architecture, int | None]:
    rng = np.random.default_rng([seed, len(history)])
    if hasattr(strategy, "propose_job"):  # multi-fidelity: (arch, epochs)
        return strategy.propose_job(space, history, rng)
    return strategy.propose(space, history, rng), fidelity
