"""Setting a run up, shared by `search` and `oneshot`: the task from its data, counts
checked before any work, the strategy with the task's goal, and the run directory with its
study (never half-made)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

from nasforge.registry import STRATEGIES
from nasforge.run.directory import fresh_directory, outermost_missing, removed_on_failure
from nasforge.strategies.base import Strategy
from nasforge.strategies.options import create_strategy, strategy_settings
from nasforge.study import MEMORY, STUDY_FILE, Study
from nasforge.tasks import Task, load_task


def task_of(
    data: str | Path | Task, seed: int, label_column: str | None, kind: str | None,
    metric: str | None,
) -> Task:  # fmt: skip
    """The task to search: `data` itself, or loaded from it (see `load_task`)."""
    if not isinstance(data, Task):
        return load_task(data, seed=seed, label_column=label_column, task=kind, metric=metric)
    if label_column is not None or kind is not None:
        raise ValueError("label_column and task apply when data is loaded, not to a Task")
    return data if metric is None else Task(**{**data.__dict__, "metric": metric})


MIN_STEPS = 160  # optimizer steps of a default trial on digits: 8 epochs of 20 batches
FIXED_SCHEDULE_KINDS = ("table",)  # MLPs on small tables measured worse trained longer


class Schedule(NamedTuple):
    """How each candidate trains: batch size, epochs and peak learning rate."""

    batch_size: int
    epochs: int
    learning_rate: float


USUAL_SCHEDULE = Schedule(64, 8, 0.05)  # digits' schedule, and every table's


def training_schedule(
    examples: int, batch_size: int | None, epochs: int | None, kind: str = "image",
    learning_rate: float | None = None,
) -> Schedule:  # fmt: skip
    """The schedule of a trial; None sizes it to the `examples` of the training split:
    the largest power of two from 8 to 64 that makes at least 4 batches an epoch, at
    least 8 epochs and `MIN_STEPS` optimizer steps, and the learning rate scaled down
    with the batch below 64 (the linear scaling rule of Goyal et al., 2017).
    Tables keep 64 and 8, which measured better on them (docs/search.md)."""
    usual_batch, usual_epochs, usual_rate = USUAL_SCHEDULE
    if kind in FIXED_SCHEDULE_KINDS:
        batch_size, epochs = batch_size or usual_batch, epochs or usual_epochs
    if batch_size is None:
        batch_size = 8
        while batch_size < usual_batch and examples >= 8 * batch_size:
            batch_size *= 2
    if epochs is None:
        epochs = max(8, math.ceil(MIN_STEPS / math.ceil(examples / batch_size)))
    if learning_rate is None:  # above 64 the rule needs a warm-up (Goyal et al.): kept
        learning_rate = usual_rate * min(1.0, batch_size / usual_batch)
    return Schedule(batch_size, epochs, learning_rate)


def check_counts(**values: int | None) -> None:
    """Counts that must be at least 1 (None: the default), checked before any work."""
    for key, value in values.items():
        if value is not None and value < 1:
            raise ValueError(f"{key} must be at least 1, got {value}")


def strategy_for(
    name: str | None, options: Mapping[str, object] | None, task: Task,
    objectives: list[str], directions: list[str],
) -> tuple[str, Strategy]:  # fmt: skip
    """The strategy's name and the strategy: `name` or the default (evolution; nsga2 for
    several objectives), given the task's metric and its direction, or every objective
    when there are several."""
    if name is None:
        name = "nsga2" if len(objectives) > 1 else "evolution"
    if len(objectives) == 1:
        goal = _goal(name, options, objectives[0], directions[0])
        return name, create_strategy(name, goal, task=task)
    strategy = create_strategy(name, options, task=task)
    if not strategy.multi_objective:
        several = [n for n in STRATEGIES.names() if STRATEGIES.create(n).multi_objective]
        raise ValueError(
            f"strategy {name!r} optimises one objective; for {', '.join(objectives)} use a "
            f"multi-objective one ({', '.join(several)}) or leave the strategy out (nsga2)"
        )
    goals = {"objectives": tuple(objectives), "directions": tuple(directions)}
    return name, create_strategy(name, {**(options or {}), **goals}, task=task)


def _goal(name: str, options: Mapping[str, object] | None, metric: str, direction: str) -> dict:
    """`options` plus the metric and direction for a strategy that takes them (a value
    the user set is kept); a ValueError for one that cannot minimise."""
    settings = strategy_settings(name)
    options = dict(options or {})
    if isinstance(options.get("then"), str):  # two-stage hands over to a strategy by name
        then = str(options["then"])
        options["then"] = create_strategy(then, _goal(then, None, metric, direction))
    if "metric" not in settings and "objectives" in settings:  # nsga2 with one objective
        options.setdefault("objectives", (metric,))
        options.setdefault("directions", (direction,))
    if "metric" in settings:
        options.setdefault("metric", metric)
    if "maximize" in settings:
        options.setdefault("maximize", direction == "maximize")
    elif "metric" in settings and direction == "minimize":
        raise ValueError(f"strategy {name!r} cannot minimise {metric}; choose another strategy")
    return options


def open_run(
    output_dir: str | Path | None, name: str, storage: str | None, resume: bool,
    directions: list[str], settings: dict,
) -> tuple[Path | None, Study]:  # fmt: skip
    """The run directory and its study. A new run never reuses a directory (`name-2`,
    `-3`, ...); `resume` continues `output_dir/name`. If the study cannot be opened, a
    directory made here is removed again."""
    if output_dir is None:
        if storage is None and resume:
            raise ValueError("resuming needs the run's output directory or its --storage")
        return None, _create_study(storage or MEMORY, name, directions, settings, resume)
    root = Path(output_dir)
    if resume:
        run_dir = root / name
        if storage is None and not (run_dir / STUDY_FILE).exists():
            raise ValueError(
                f"nothing to resume: {run_dir / STUDY_FILE} does not exist; "
                "run without --resume to start this search"
            )
        made = outermost_missing(run_dir)
        run_dir.mkdir(parents=True, exist_ok=True)
    else:
        made = outermost_missing(root)
        run_dir = fresh_directory(root, name)
        made = made or run_dir.absolute()
    with removed_on_failure(run_dir, made):
        study = _create_study(storage or str(run_dir), run_dir.name, directions, settings, resume)
    return run_dir, study


def _create_study(location: str, name: str, directions, settings, resume: bool) -> Study:
    return Study.create(
        location, name, directions=directions, attrs=settings, load_if_exists=resume
    )


def options_text(options: Mapping[str, object] | None) -> dict[str, str]:
    """Settings given by name as sorted text, as a study's attributes and `oneshot.json`
    record them (and a resume compares them)."""
    return {key: str(value) for key, value in sorted((options or {}).items())}
