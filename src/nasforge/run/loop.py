"""The one search loop: propose -> screen -> evaluate -> record, used by `search`, `bench`
and the conformance suite alike.

The driver asks the strategy for the next job, screens it against the hard limits,
records it as running and hands it to an executor (this process, local worker processes
or Ray tasks); the worker evaluates it and records the outcome itself. A free worker gets
the next proposal at once, and the strategy sees the running jobs apart from the
finished trials, so none is evaluated twice at the same time.

Randomness: one generator per run, `numpy.random.default_rng(seed)`, which every
proposal draws from in turn and nothing else does. The recorder keeps its state after
each proposal (a `Study` stores it with the trial, a `TrialLog` keeps the generator), so
a sequential run is reproducible and a resumed one proposes exactly what the
uninterrupted run would have: interrupted jobs are handed out again first, then the
generator continues from its state after the last recorded proposal.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, wait
from concurrent.futures.process import BrokenProcessPool
from typing import NamedTuple

import numpy as np

from nasforge.architecture import Architecture
from nasforge.errors import NasforgeError
from nasforge.evaluators.base import EvaluationContext, Evaluator
from nasforge.history import History, Trial
from nasforge.run import executors
from nasforge.run.interrupts import raise_pending
from nasforge.spaces.base import SearchSpace
from nasforge.strategies.base import Strategy
from nasforge.study import INTERRUPTED, MEMORY, StudyError, space_choices

MAX_REJECTED_IN_A_ROW = 500
Screen = Callable[[Architecture], tuple[dict[str, float], list[str]]]


class Job(NamedTuple):
    """One evaluation handed to a worker: trial number, architecture, fidelity, and the
    metrics the driver measured before (params, FLOPs, latency)."""

    number: int
    trial_id: int
    arch: Architecture
    fidelity: int | None = None
    measured: Mapping[str, float] = {}  # never mutated: evaluate_job copies it


class TrialLog:
    """The loop's recorder when nothing is stored: trials kept in this process only (bench
    runs, the conformance suite). A `Study` is the recorder that persists."""

    url = MEMORY
    persistent = False  # the loop skips formatting architectures and saving states for it

    def __init__(self) -> None:
        self.choices: dict[str, tuple] = {}
        self.finished: list[Trial] = []
        self._started: dict[int, Architecture] = {}
        self._rng: np.random.Generator | None = None

    def generator(self, seed: int) -> np.random.Generator:
        """The run's generator, kept alive between calls of the loop on this log."""
        if self._rng is None:
            self._rng = np.random.default_rng(seed)
        return self._rng

    def recover(self) -> list[tuple[Architecture, float | None]]:
        return []

    def history(self) -> History:
        return History(self.finished)

    def start(
        self, arch: Architecture, text: str, fidelity: float | None = None, rng_state=None
    ) -> int:
        number = len(self.finished) + len(self._started)
        self._started[number] = arch
        return number

    def trial_id(self, number: int) -> int:
        return number

    def record(self, trial: Trial, objectives: Sequence[str] = (), trial_id: int | None = None):
        """Record a started trial's outcome: the trial itself."""
        del self._started[trial.number]
        self.finished.append(trial)

    def finish(
        self, number: int, metrics: Mapping[str, float], cost_s: float = 0.0,
        state: str = "complete", failure: str | None = None, objectives: Sequence[str] = (),
        trial_id: int | None = None,
    ) -> None:  # fmt: skip
        arch = self._started.pop(number)
        self.finished.append(Trial(number, arch, dict(metrics), cost_s, state, failure))

    def record_infeasible(
        self, arch: Architecture, text: str, metrics: Mapping[str, float], reason: str,
        rng_state=None,
    ) -> int:  # fmt: skip
        number = self.start(arch, text)
        del self._started[number]
        self.finished.append(Trial(number, arch, dict(metrics), state="infeasible", failure=reason))
        return number


def evaluate_job(evaluator: Evaluator, recorder, objectives: Sequence[str], job: Job) -> Trial:
    """Evaluate `job` and record its outcome; an exception in the evaluator ends the trial
    as failed with the reason recorded, never the search."""
    start = time.perf_counter()
    try:
        context = EvaluationContext(fidelity=job.fidelity, on_epoch=_go_on)
        result = evaluator.evaluate(job.arch, context)
        metrics, cost_s = {**result.metrics, **job.measured}, result.cost_s
        state, failure = result.state, result.failure
    except Exception as error:  # recorded, so one broken architecture cannot stop a search
        metrics, cost_s = dict(job.measured), time.perf_counter() - start
        state, failure = "failed", f"{type(error).__name__}: {error}"
    if job.fidelity is not None:
        metrics["fidelity"] = float(job.fidelity)
    trial = Trial(job.number, job.arch, metrics, cost_s, state, failure)
    recorder.record(trial, objectives, job.trial_id)
    return trial


def _go_on(epoch: int, value: float) -> bool:
    """After each epoch: a Ctrl-C that a callback dropped stops the search here (in the
    driver; a worker process has none pending)."""
    raise_pending()
    return True


def next_job(
    strategy: Strategy,
    space: SearchSpace,
    history: History,
    rng: np.random.Generator,
    fidelity: int | None,
) -> tuple[Architecture, int | None]:
    """The strategy's next job, its fidelity filled in with the run's default."""
    arch, job_fidelity = strategy.propose_job(space, history, rng)
    return arch, fidelity if job_fidelity is None else int(job_fidelity)


def run_study(
    study,
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
    epoch_budget: float | None = None,
    on_trial: Callable[[Trial, History], None] | None = None,
) -> History:
    """Evaluate proposals until `trials` evaluations (complete or failed) are recorded in
    `study` (a `Study`, or a `TrialLog` for nothing stored), counting those already there,
    so calling it again on a stopped study resumes it.

    `fidelity` is the epochs of a job whose strategy leaves it open. `screen(arch) ->
    (measures, violations)` runs in the driver before a job is handed out: an architecture
    with violations is recorded as infeasible and never evaluated. No job starts after
    `time_budget_s` seconds, nor one that would take the epochs of the jobs handed out past
    `epoch_budget` (the run stops at the first that would).
    Returns the history (finished trials, infeasible included, in finishing order).
    """
    if trials < 1:
        raise ValueError(f"the trial budget must be at least 1, got {trials}")
    strategy.check(space)
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
    epochs_spent = sum(t.metrics.get("fidelity", 0.0) for t in history)
    make_executor = _executor_factory(evaluator, study, objectives, workers, ray, ray_address)
    executor = make_executor()
    rng = study.generator(seed)
    persistent = study.persistent
    budgets = time_budget_s is not None or epoch_budget is not None
    pending: dict[Future, tuple[Job, object]] = {}
    started: dict[int, Job] = {}
    rejected = 0
    start = time.perf_counter()

    def finished(future: Future, job: Job, owner) -> None:
        nonlocal executor
        trial = _outcome(future, job, study, objectives)
        if isinstance(future.exception(), BrokenProcessPool) and owner is executor:
            executor.close(broken=True)  # a worker died (killed, out of memory)
            executor = make_executor()
        record(trial)

    def record(trial: Trial) -> None:
        nonlocal evaluated
        started.pop(trial.number, None)
        history.append(trial)
        evaluated += 1
        if on_trial is not None:
            on_trial(trial, history)

    try:
        while True:
            while len(pending) < workers and evaluated + len(pending) < trials:
                raise_pending()
                if budgets and not _may_continue(start, time_budget_s, epochs_spent, epoch_budget):
                    break
                if requeue:
                    arch, job_fidelity = requeue.pop(0)
                    job_fidelity = None if job_fidelity is None else int(job_fidelity)
                else:
                    arch, job_fidelity = next_job(strategy, space, history, rng, fidelity)
                if epoch_budget is not None and epochs_spent + (job_fidelity or 0) > epoch_budget:
                    epoch_budget = epochs_spent  # this job would not fit: none starts again
                    break
                if history.is_running(arch):  # only strategies allowing duplicates get here
                    requeue.insert(0, (arch, job_fidelity))
                    break
                text = space.format(arch) if persistent else ""
                state = rng.bit_generator.state if persistent else None
                measured, violations = screen(arch) if screen else ({}, [])
                if violations:
                    number = study.record_infeasible(
                        arch, text, measured, "; ".join(violations), rng_state=state
                    )
                    history.append(Trial(number, arch, measured, state="infeasible",
                                         failure="; ".join(violations)))  # fmt: skip
                    rejected += 1
                    if rejected >= MAX_REJECTED_IN_A_ROW:
                        raise NasforgeError(_too_strict(history, rejected))
                    continue
                rejected = 0
                number = study.start(arch, text, job_fidelity, rng_state=state)
                job = Job(number, study.trial_id(number), arch, job_fidelity, measured)
                epochs_spent += job_fidelity or 0
                started[number] = job
                if isinstance(executor, executors.Inline):  # no proposal while it runs
                    record(executor.run(job))
                    continue
                running = {} if job_fidelity is None else {"fidelity": float(job_fidelity)}
                history.start(Trial(number, arch, running, state="running"))
                pending[_submit(executor, job)] = (job, executor)
            if not pending:
                break
            done, _ = wait(list(pending), return_when=FIRST_COMPLETED)
            for future in done:
                finished(future, *pending.pop(future))
    except BaseException:
        _interrupt(study, started)
        raise
    finally:
        executor.close()
    return history


def _may_continue(
    start: float, time_budget_s: float | None, epochs_spent: float, epoch_budget: float | None
) -> bool:
    """Whether another job may start under the time and epoch budgets."""
    if time_budget_s is not None and time.perf_counter() - start > time_budget_s:
        return False
    return epoch_budget is None or epochs_spent < epoch_budget


def _executor_factory(evaluator, study, objectives, workers, ray, ray_address):
    if ray:
        return lambda: executors.Ray(
            evaluate_job, evaluator, study, objectives, workers, ray_address
        )
    if workers > 1:
        return lambda: executors.Processes(evaluate_job, evaluator, study, objectives, workers)
    return lambda: executors.Inline(evaluate_job, evaluator, study, objectives)


def _interrupt(study, started: Mapping[int, Job]) -> None:
    """Mark jobs that were running when the driver stopped (Ctrl-C, an error) as
    interrupted, so the study never shows them RUNNING; a resume evaluates them again."""
    for job in started.values():
        with contextlib.suppress(Exception):  # the storage may be what failed: resume recovers
            study.finish(
                job.number, dict(job.measured), state=INTERRUPTED, trial_id=job.trial_id,
                failure="interrupted: the search stopped before this trial finished",
            )  # fmt: skip


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


def _outcome(future: Future, job: Job, study, objectives: Sequence[str]) -> Trial:
    """The worker's trial, or a failed one recorded by the driver if the worker died."""
    error = future.exception()
    if error is None:
        return future.result()
    failure = f"worker failed: {type(error).__name__}: {error}"
    metrics = dict(job.measured)
    if job.fidelity is not None:
        metrics["fidelity"] = float(job.fidelity)
    trial = Trial(job.number, job.arch, metrics, state="failed", failure=failure)
    study.record(trial, objectives, job.trial_id)
    return trial
