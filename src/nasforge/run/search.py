"""`nasforge.search`: the main job. Search a space on a task by training candidates,
reject architectures that break hard limits before training them (TabNAS-style
rejection), retrain the best on train + validation, test it, and write a run directory.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from nasforge._progress import progress_bar, say
from nasforge.constraints import Constraints, pareto_front
from nasforge.devices import resolve_device
from nasforge.evaluators.training import TrainingEvaluator
from nasforge.history import History, Trial, ranked
from nasforge.run.baseline import BASELINES, baseline_for
from nasforge.run.directory import (
    check_writable,
    write_run_directory,
)
from nasforge.run.ensemble import default_ensemble, train_final
from nasforge.run.interrupts import interrupts_raise, raise_pending
from nasforge.run.loop import run_study
from nasforge.run.result import SearchInterrupted, SearchResult
from nasforge.run.selection import candidates, confirm_best
from nasforge.run.setup import (
    USUAL_SCHEDULE,
    Schedule,
    check_counts,
    open_run,
    options_text,
    strategy_for,
    task_of,
    training_schedule,
)
from nasforge.spaces import create_space, default_space
from nasforge.spaces.base import SearchSpace
from nasforge.tasks import Task

# Objectives besides the task's metric (which comes first), all minimised.
OBJECTIVES = {
    "params": False, "flops": False, "latency_ms": False, "param_bytes": False,
    "peak_memory": False,
}  # fmt: skip


def _check_objectives(objectives: Sequence[str] | None, first: str) -> list[str]:
    """The objectives: `first` (the task's `val_<metric>`), then some of `OBJECTIVES`; a
    ValueError saying what is accepted otherwise."""
    objectives = [first] if objectives is None else list(objectives)
    unknown = [o for o in objectives[1:] if o not in OBJECTIVES]
    if unknown or not objectives or objectives[0] != first:
        raise ValueError(
            f"objectives must start with {first} and then use {', '.join(OBJECTIVES)}; "
            f"got {', '.join(objectives) or 'none'}"
        )
    return objectives


def search(
    data: str | Path | Task = "digits",
    space: str | SearchSpace | None = None,
    strategy: str | None = None,
    strategy_options: Mapping[str, object] | None = None,
    trials: int = 24,
    time_budget_s: float | None = None,
    epochs: int | None = None,
    final_epochs: int | None = None,
    constraints: Constraints | None = None,
    objectives: Sequence[str] | None = None,
    seed: int = 0,
    output_dir: str | Path | None = "runs",
    batch_size: int | None = None,
    learning_rate: float | None = None,
    optimizer: str = "sgd",
    threads: int | None = 1,
    export: bool = True,
    progress: bool = False,
    name: str | None = None,
    storage: str | None = None,
    resume: bool = False,
    workers: int = 1,
    ray: bool = False,
    ray_address: str | None = None,
    confirm_top: int = 4,
    confirm_folds: int = 3,
    label_column: str | None = None,
    task: str | None = None,
    metric: str | None = None,
    loss: str | None = None,
    class_weights: bool = False,
    baseline: bool = True,
    device: str = "cpu",
    space_options: Mapping[str, object] | None = None,
    ensemble: int | None = None,
) -> SearchResult:
    """Run a search; every random choice follows from `seed`. `trials` counts training
    jobs of `epochs` epochs at `batch_size` (None: sized to the training split by
    `training_schedule`: 64 and 8 on digits and tables, smaller batches and more epochs
    on small image and series sets; `learning_rate` None: 0.05, scaled down with batches
    below 64); multi-fidelity strategies (sh, hyperband) choose
    each job's epochs themselves, up to their `max_epochs`. `strategy_options` are the
    strategy's settings (text is converted, see `nasforge.strategies.options`), checked
    before anything runs.

    A table's label is `label_column` (default `label`, else the last column); `task`
    ("classification" / "regression") overrides the target rule of
    `nasforge.tasks.tables`; `metric` is the task's metric (accuracy, balanced_accuracy,
    f1_macro, roc_auc, log_loss; rmse, mae, r2), `loss` mse or huber for regression,
    `class_weights` balances cross-entropy by the training labels. With one objective
    the strategy (default evolution) optimises the validation metric in its direction
    (`val_acc` up, `val_rmse` down, ...). Further `objectives` (params, flops,
    latency_ms, param_bytes, peak_memory, to minimise) go to a multi-objective strategy
    (default nsga2), which optimises them all; naming a single-objective one is then an
    error. The Pareto front is reported over all of them. Trials go to a study
    (`study.db` in the run directory, or `storage`); `resume=True` continues the study
    `name` where it stopped. `workers` processes (or Ray tasks with `ray`) train at once.
    The `confirm_top` best candidates are cross-validated on train + validation
    (`confirm_folds` folds) and the best mean is retrained and tested (`confirm_top=1`:
    the best validation score, no cross-validation). `baseline` also fits the model a
    user would pick instead (scikit-learn's HistGradientBoosting for tables, aeon's
    MiniRocket for series; `nasforge.run.baseline`) on the same train + validation
    examples and tests it on the same test examples (`result.baseline`). Each training
    uses `threads` PyTorch threads (None: PyTorch's default, one per core; 1 measured
    fastest on small networks and shared machines, see benchmarks/thread_default.py).
    `device` is where every training runs (`nasforge.devices`: cpu, auto, cuda[:N]);
    the returned model and the run directory's files are on the CPU.
    `space_options` are the settings of a space given by name (`{"channels": "8",
    "cells": "2"}`, text converted, see `nasforge.spaces.create_space`).
    `ensemble` > 1 returns the mean of the final networks of that many best confirmed
    candidates (`nasforge.run.ensemble`), as many as the hard limits allow for the whole;
    None: `default_ensemble` (3 within `confirm_top`, 1 with several objectives or
    without confirmation); `result.member_test_metrics` holds each member's own scores.
    """
    check_counts(
        trials=trials, epochs=epochs, final_epochs=final_epochs, batch_size=batch_size,
        threads=threads, workers=workers, confirm_top=confirm_top, ensemble=ensemble,
    )  # fmt: skip
    if time_budget_s is not None and not time_budget_s > 0:
        raise ValueError(f"time_budget_s must be a positive number of seconds, got {time_budget_s}")
    if learning_rate is not None and not learning_rate > 0:  # before the data is read
        raise ValueError(f"learning_rate must be positive, got {learning_rate}")
    if confirm_folds < 2:
        raise ValueError(
            f"confirm_folds must be at least 2 (cross-validation folds), got {confirm_folds}; "
            "to choose by validation accuracy alone set confirm_top=1"
        )
    several_objectives = objectives is not None and len(objectives) > 1
    if ensemble is None:
        ensemble = default_ensemble(confirm_top, several_objectives)
    if ensemble > confirm_top > 1:
        raise ValueError(
            f"ensemble ({ensemble}) must be at most confirm_top ({confirm_top}): its members "
            "are the best confirmed candidates"
        )
    if ensemble > 1 and several_objectives:
        raise ValueError("ensemble applies to single-objective searches (one network per "
                         "point of a Pareto front)")  # fmt: skip
    _check_task_options(task, metric, loss)
    resolve_device(device)  # a bad spec or a missing GPU, before any data is read
    if output_dir is not None:
        check_writable(output_dir)
    task = task_of(data, seed, label_column, task, metric)
    given = (batch_size, epochs, learning_rate)
    schedule = training_schedule(len(task.y_train), batch_size, epochs, task.kind, learning_rate)
    sized = [  # the settings the schedule filled in with other than the usual values
        name.replace("_", " ") for name, chosen, value, usual
        in zip(Schedule._fields, given, schedule, USUAL_SCHEDULE)
        if chosen is None and value != usual
    ]  # fmt: skip
    batch_size, epochs, learning_rate = schedule
    objectives = _check_objectives(objectives, task.objective_key)
    space = default_space(task) if space is None else space
    if space_options and not isinstance(space, str):
        raise ValueError("space options need the space by name (--space NAME)")
    space = create_space(space, space_options) if isinstance(space, str) else space
    space.check_task(task)
    directions = [_direction(task.objective.maximize)]
    directions += [_direction(OBJECTIVES[o]) for o in objectives[1:]]
    strategy, search_strategy = strategy_for(
        strategy, strategy_options, task, objectives, directions
    )
    search_strategy.check(space)
    constraints = constraints or Constraints()
    if "latency_ms" in objectives and constraints.max_latency_ms is None:
        constraints = dataclasses.replace(constraints, max_latency_ms=float("inf"))
    trainer = TrainingEvaluator(
        space, task, epochs=epochs, batch_size=batch_size, optimizer=optimizer,
        learning_rate=learning_rate, seed=seed, threads=threads, loss=loss,
        class_weights=class_weights, device=device,
    )  # fmt: skip
    trainer._check()  # a loss or class weights that do not fit the task, before any work
    settings = {
        "task": task.name, "space": space.name, "strategy": strategy, "seed": seed,
        "epochs": epochs, "batch_size": batch_size, "learning_rate": learning_rate,
        "objectives": objectives,
        "constraints": repr(constraints),
    }  # fmt: skip
    if task.target != "classes" or task.metric != "accuracy":
        settings.update(target=task.target, metric=task.metric)
    if space_options:
        settings["space_options"] = options_text(space_options)
    if strategy_options:  # a resume with other settings is refused, naming them
        settings["strategy_options"] = options_text(strategy_options)
    run_dir, study = open_run(
        output_dir, name or f"{task.name}-{space.name}", storage, resume, directions, settings
    )

    def screen(arch):
        measures = constraints.measure(space.build(arch, task), task.input_shape)
        return measures, constraints.violations(measures)

    if progress:
        for line in task.notes:
            say(line)
        if sized:
            epoch_count = f"{epochs} epoch" + ("s" if epochs != 1 else "")
            say(f"training: batch {batch_size}, {epoch_count}, learning rate {learning_rate:g} "
                f"per trial ({', '.join(sized)} sized to {len(task.y_train)} training "
                "examples)")  # fmt: skip
        where = f"run directory {run_dir}" if run_dir else f"study {study.name}"
        done = sum(t.state in ("complete", "failed") for t in study.trials())
        say(where + (f", resuming after {done} trials" if resume else ""))
        if len(objectives) > 1:
            say(f"strategy {strategy} optimises {', '.join(objectives)}")
    start = time.perf_counter()

    def stopped() -> SearchInterrupted:
        return SearchInterrupted(study.name, run_dir)

    with progress_bar(progress, trials, "trial") as update, interrupts_raise(stopped):

        def on_trial(trial: Trial, history: History) -> None:
            done = sum(1 for t in history if t.state != "infeasible")
            update(done, _trial_note(trial, history, len(history) - done, task))

        try:
            history = run_study(
                study, space, search_strategy, trainer, trials, seed=seed, fidelity=epochs,
                objectives=objectives, screen=screen, workers=workers, ray=ray,
                ray_address=ray_address, time_budget_s=time_budget_s, on_trial=on_trial,
            )  # fmt: skip
        except KeyboardInterrupt:
            raise SearchInterrupted(study.name, run_dir) from None
    rejected = sum(1 for t in history if t.state == "infeasible")
    top = len(candidates(history, confirm_top, task.objective_key, task.objective.maximize))
    if top == 0:
        raise ValueError("no architecture finished training; see the failure reasons in the trials")
    runs = top * confirm_folds if top > 1 and confirm_folds > 1 else 0
    note = f"top {top}, {confirm_folds}-fold cross-validation"
    with progress_bar(progress and runs > 0, runs, "confirm") as update, interrupts_raise(stopped):
        try:
            best, confirmation = confirm_best(
                history, trainer, confirm_top, confirm_folds,
                on_run=lambda done, total: (raise_pending(), update(done, note)),
            )  # fmt: skip
        except KeyboardInterrupt:
            raise SearchInterrupted(study.name, run_dir) from None

    def final_epochs_of(trial: Trial) -> int:
        """The final training's epochs: `final_epochs`, else the trial's own fidelity."""
        return final_epochs or int(trial.metrics.get("fidelity", epochs))

    ranking = [c.trial for c in confirmation] or candidates(
        history, ensemble, task.objective_key, task.objective.maximize
    )
    runners_up = [t for t in ranking if t.number != best.number]
    chosen = [best, *runners_up[: ensemble - 1]]
    if progress and len(chosen) > 1:
        say(f"retraining the {len(chosen)} best on train + validation for the ensemble")
    final = train_final(trainer, chosen, final_epochs_of, constraints)
    model = final.model
    test_metrics = trainer.measure(model, (task.x_test, task.y_test), "test_")
    result = SearchResult(
        task, space, history, best, test_metrics, rejected, objectives,
        time.perf_counter() - start,
    )  # fmt: skip
    result.members, result.member_test_metrics = final.members, final.member_test_metrics
    result.ensemble_measures, result.ensemble_notes = final.measures, final.notes
    result.model = model
    if baseline and task.kind in BASELINES:
        if progress:
            say(f"fitting the {BASELINES[task.kind]} baseline on the same splits")
        result.baseline = baseline_for(
            task, seed, class_weights, trainer=trainer, epochs=final_epochs_of(best)
        )
    result.study = study
    result.confirmation = confirmation
    if len(objectives) > 1:
        completed = [t for t in history.completed() if all(o in t.metrics for o in objectives)]
        values = np.array([[t.metrics[o] for o in objectives] for t in completed])
        front = pareto_front(values, [d == "maximize" for d in directions])
        result.pareto = [completed[i] for i in front]
    if run_dir is not None:
        result.run_dir, result.files = write_run_directory(result, model, run_dir, export)
    return result


def _check_task_options(kind: str | None, metric: str | None, loss: str | None) -> None:
    """Names checked before any data is read (whether they fit the task comes after)."""
    from nasforge.evaluators.training import LOSSES
    from nasforge.tasks.metrics import METRICS
    from nasforge.tasks.tables import TASK_KINDS

    losses = [name for names in LOSSES.values() for name in names]
    for value, accepted, what in ((kind, TASK_KINDS, "task"), (metric, METRICS, "metric"),
                                  (loss, losses, "loss")):  # fmt: skip
        if value is not None and value not in accepted:
            raise ValueError(f"unknown {what} {value!r}; accepted: {', '.join(accepted)}")


def _direction(maximize: bool) -> str:
    return "maximize" if maximize else "minimize"


def _trial_note(trial: Trial, history: History, rejected: int, task: Task) -> str:
    """`val 97.10%, best 98.00%` (or the trial's state, the task's metric), and how many
    were rejected."""
    metric, key = task.objective, task.objective_key
    candidates = ranked(history, key, metric.maximize)
    best = candidates[0] if candidates else None
    value = trial.metrics.get(key)
    note = f"val {metric.text(value)}" if trial.ok and value is not None else trial.state
    note += f", best {metric.text(best.metrics[key])}" if best else ", no result yet"
    return note + (f", {rejected} rejected" if rejected else "")
