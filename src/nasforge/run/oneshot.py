"""`nasforge.oneshot`: search by training one supernet (the DARTS family, SPOS; see
`nasforge.oneshot`) instead of one network per candidate. The result is an
`Architecture` of the searched space, recorded in a study and a run directory as
`search` records its best, so `nasforge show`, export and retraining work on it."""

from __future__ import annotations

import shutil
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from nasforge._progress import say
from nasforge.architecture import Architecture
from nasforge.devices import resolve_device, torch_threads
from nasforge.evaluators.training import TrainingEvaluator
from nasforge.history import History, Trial, ranked
from nasforge.oneshot import (
    METHODS,
    EpochReport,
    SupernetEvaluator,
    argmax_selection,
    collapse_share,
    perturbation_selection,
)
from nasforge.oneshot.fewshot import FewShotSPOS, check_split
from nasforge.oneshot.selection import check_selection
from nasforge.oneshot.supernet import check_edge_space
from nasforge.run.directory import check_writable
from nasforge.run.interrupts import interrupts_raise, raise_pending
from nasforge.run.loop import run_study
from nasforge.run.oneshot_files import nb201_accuracies, write_oneshot_files
from nasforge.run.result import SearchInterrupted
from nasforge.run.setup import check_counts, open_run, options_text, strategy_for, task_of
from nasforge.spaces import create_space, default_space
from nasforge.spaces.base import SearchSpace
from nasforge.study import Study
from nasforge.tasks import Task


@dataclass
class OneShotResult:
    """What a one-shot search produced; `run_dir` holds the same on disk. `val_acc` is
    the chosen architecture's inherited-weight validation accuracy (BatchNorm
    recalibrated), `test_metrics` the retrained network's (with `retrain`)."""

    task: Task
    space: SearchSpace
    method: str
    select: str
    arch: Architecture
    epochs: list[EpochReport]
    val_acc: float
    search_seconds: float
    skip_share: float
    benchmark: dict[str, float] = field(default_factory=dict)
    test_metrics: dict[str, float] = field(default_factory=dict)
    settings: dict[str, object] = field(default_factory=dict)
    history: History | None = None
    study: Study | None = None
    run_dir: Path | None = None
    files: dict[str, Path] = field(default_factory=dict)

    @property
    def test_acc(self) -> float | None:
        return self.test_metrics.get("test_acc")


def oneshot(
    data: str | Path | Task = "digits",
    method: str = "darts",
    space: str | SearchSpace | None = None,
    select: str = "argmax",
    strategy: str | None = None,
    strategy_options: Mapping[str, object] | None = None,
    trials: int = 50,
    epochs: int = 20,
    order: int = 1,
    few_shot: str | None = None,
    split_epoch: int | None = None,
    batch_size: int = 64,
    learning_rate: float | None = None,
    arch_learning_rate: float = 3e-3,
    retrain: bool = False,
    final_epochs: int = 8,
    seed: int = 0,
    output_dir: str | Path | None = "runs",
    threads: int | None = 1,
    device: str = "cpu",
    export: bool = True,
    progress: bool = False,
    name: str | None = None,
    label_column: str | None = None,
    space_options: Mapping[str, object] | None = None,
) -> OneShotResult:
    """Train the `method` supernet (registered in `METHODS`) of `space` (default: as
    `search`) for `epochs` epochs, weights on the training split and architecture on the
    validation split, then choose: `select` argmax or pt (DARTS-PT), or, with `strategy`
    (default for spos: evolution), `trials` proposals of that black-box strategy judged
    by inherited weights through the one loop. `order` 2 is second-order DARTS;
    `few_shot` an edge to split the spos supernet on after `split_epoch` epochs
    (`FewShotSPOS`);
    `learning_rate` None is the method's default (0.025, spos 0.05). With
    `retrain` the choice is trained from scratch on train + validation for
    `final_epochs`, tested and exported, as `search` does with its best. `device` is where
    the supernet trains and the choice is retrained (`nasforge.devices`). Ctrl-C raises
    `SearchInterrupted` and removes the run directory: a supernet run does not resume.
    `space_options` are the settings of a space given by name (darts: `search_channels`,
    `search_cells` size the supernet; see `nasforge.spaces.create_space`)."""
    check_counts(trials=trials, epochs=epochs, batch_size=batch_size, final_epochs=final_epochs)
    check_selection(select)
    constructor = METHODS.get(method)
    if order != 1 and method != "darts":
        raise ValueError(f"order applies to darts only, not {method!r}")
    if few_shot is not None and method != "spos":
        raise ValueError(f"few_shot applies to spos only, not {method!r}")
    if few_shot is None and split_epoch is not None:
        raise ValueError("split_epoch needs few_shot (the edge to split on)")
    if few_shot is not None and select != "argmax":
        raise ValueError(
            "a few-shot supernet is searched by a strategy, not select " + repr(select)
        )
    if method == "spos" and strategy is None and select == "argmax":
        strategy = "evolution"  # SPOS has no architecture weights to take the argmax of
    resolve_device(device)  # a bad spec or a missing GPU, before any data is read
    if output_dir is not None:
        check_writable(output_dir)
    task = task_of(data, seed, label_column, None, None)
    if task.target != "classes" or len(task.input_shape) != 3:
        raise ValueError(
            f"one-shot methods search image classifiers; task {task.name!r} is not one "
            "(use nasforge search for tables and regression)"
        )
    if space_options and not isinstance(space, str):
        raise ValueError("space options need the space by name (--space NAME)")
    space = default_space(task) if space is None else space
    space = create_space(space, space_options) if isinstance(space, str) else space
    check_edge_space(space)
    if few_shot is not None:
        check_split(space, few_shot)
        constructor = FewShotSPOS
    settings = {"epochs": epochs, "batch_size": batch_size, "seed": seed, "threads": threads,
                "device": device}  # fmt: skip
    if learning_rate is not None:
        settings["learning_rate"] = learning_rate
    if method != "spos":
        settings["arch_learning_rate"] = arch_learning_rate
    if method == "darts":
        settings["order"] = order
    if few_shot is not None:
        settings.update(split_edge=few_shot, split_epoch=split_epoch)
    trainer = constructor(**settings)
    trainer.check()
    search_strategy = None
    if strategy is not None:
        strategy, search_strategy = strategy_for(
            strategy, strategy_options, task, ["val_acc"], ["maximize"]
        )
        search_strategy.check(space)
    record = _settings_record(
        settings, trainer, strategy, strategy_options, trials, space_options, retrain, final_epochs
    )
    attrs = {"task": task.name, "space": space.name, "method": method, "select": select, **record}
    run_dir, study = open_run(
        output_dir, name or f"{task.name}-{space.name}-{method}", None, False, ["maximize"], attrs
    )
    if progress:
        say(f"{method} supernet of {space.name} on {task.name}, {epochs} epochs; "
            + (f"run directory {run_dir}" if run_dir else f"study {study.name}"))  # fmt: skip
        if few_shot is not None:
            say(f"few-shot: split on edge {few_shot} after epoch {trainer.split_at} into "
                f"{len(space.supernet_edges()[few_shot])} sub-supernets")  # fmt: skip

    def on_epoch(report: EpochReport) -> None:
        if progress:
            say(epoch_line(report, epochs, space))
        raise_pending()

    start = time.perf_counter()
    # selection and inherited-weight evaluation run under `threads` too, as the training
    with interrupts_raise(lambda: SearchInterrupted(study.name, run_dir)), torch_threads(threads):
        try:
            fit = trainer.fit(space, task, on_epoch)
            evaluator = SupernetEvaluator(fit.supernet)
            history = None
            if search_strategy is not None:
                if progress:
                    say(f"{strategy} on the trained supernet: {trials} architectures")
                history = run_study(study, space, search_strategy, evaluator, trials, seed=seed)
                best = ranked(history, "val_acc", True)[0]
                arch, val_acc = best.arch, best.metrics["val_acc"]
            else:
                if select == "pt":
                    arch = perturbation_selection(
                        fit, seed=seed, on_edge=_edge_note(progress), on_node=_node_note(progress)
                    )
                else:
                    arch = argmax_selection(fit)
                val_acc = evaluator.evaluate(arch).metrics["val_acc"]
        except KeyboardInterrupt:
            if run_dir is not None:  # made by this run (never reused); nothing to resume
                shutil.rmtree(run_dir, ignore_errors=True)
            raise SearchInterrupted(study.name, None) from None
    seconds = time.perf_counter() - start
    result = OneShotResult(
        task, space, method, "strategy" if history is not None else select, arch, fit.epochs,
        val_acc, seconds, collapse_share(space, arch), nb201_accuracies(space, arch),
        settings=record,
        history=history, study=study, run_dir=run_dir,
    )  # fmt: skip
    chosen = _record(study, result, history)
    model = None
    if retrain:
        if progress:
            say(f"retraining {space.format(arch)} on train+val for {final_epochs} epochs")
        retrainer = TrainingEvaluator(
            space, task, epochs=final_epochs, batch_size=batch_size, seed=seed, threads=threads,
            device=device,
        )  # fmt: skip
        model, _, failure = retrainer.train(arch, *task.train_and_val(), final_epochs)
        if failure is not None:
            raise ValueError(f"retraining the chosen architecture failed: {failure}")
        result.test_metrics = retrainer.measure(model, (task.x_test, task.y_test), "test_")
    if run_dir is not None:
        result.files = write_oneshot_files(result, chosen, model, run_dir, export)
    return result


def _settings_record(
    settings: Mapping[str, object],
    trainer: object,
    strategy: str | None,
    strategy_options: Mapping[str, object] | None,
    trials: int,
    space_options: Mapping[str, object] | None,
    retrain: bool,
    final_epochs: int,
) -> dict[str, object]:
    """The settings a one-shot run was made with, for its study and `oneshot.json`: the
    method's (a few-shot split epoch resolved), the strategy's, the space's and the
    retraining's."""
    record = dict(settings)
    if "split_epoch" in record:
        record["split_epoch"] = trainer.split_at
    if strategy is not None:
        record.update(
            strategy=strategy, trials=trials, strategy_options=options_text(strategy_options)
        )
    if space_options:
        record["space_options"] = options_text(space_options)
    if retrain:
        record["final_epochs"] = final_epochs
    return record


def _record(study: Study, result: OneShotResult, history: History | None) -> Trial:
    """The chosen architecture's trial: the strategy's best, or one trial recorded now
    (inherited-weight validation accuracy, the search time as its cost)."""
    if history is not None:
        return next(t for t in ranked(history, "val_acc", True) if t.arch == result.arch)
    text = result.space.format(result.arch)
    number = study.start(result.arch, text)
    metrics = {"val_acc": result.val_acc, "skip_share": result.skip_share}
    study.finish(number, metrics, result.search_seconds, objectives=("val_acc",))
    return Trial(number, result.arch, metrics, result.search_seconds)


def epoch_line(report: EpochReport, epochs: int, space: SearchSpace) -> str:
    """`epoch 3/20: train 0.412 / 88.1%, val 0.350 / 90.0%, entropy 1.607, |...|`."""
    arch = space.format(report.arch) if report.arch is not None else "(single paths)"
    return (
        f"epoch {report.epoch}/{epochs}: train {report.train_loss:.3f} / "
        f"{report.train_acc:.1f}%, val {report.val_loss:.3f} / {report.val_acc:.1f}%, "
        f"entropy {report.entropy:.3f}, {arch} ({report.seconds:.1f} s)"
    )


def _edge_note(progress: bool):
    if not progress:
        return None
    return lambda edge, op, drop: say(f"pt: edge {edge} keeps {op} (removing it costs {drop:.2f}%)")


def _node_note(progress: bool):
    if not progress:
        return None
    return lambda node, kept: say(f"pt: node {node} keeps the inputs {', '.join(kept)}")
