"""Choosing the architecture a search returns.

One training run's validation accuracy is noisy (on digits' 270 validation images one
answer is 0.37 points), so the top few candidates are trained again with other seeds
and the best mean wins; validation loss breaks ties in accuracy.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from nasforge.evaluators.training import TrainingEvaluator
from nasforge.history import History, Trial


def ranking_key(trial: Trial) -> tuple[float, float, float, int]:
    """Most training epochs first, then validation accuracy, then lower validation
    loss, then the earlier trial."""
    metrics = trial.metrics
    return (
        metrics.get("fidelity", 0.0),
        metrics["val_acc"],
        -metrics.get("val_loss", 0.0),
        -trial.number,
    )


def ranked(history: History) -> list[Trial]:
    """Completed trials with a validation accuracy, best first by `ranking_key`."""
    completed = [t for t in history.completed() if "val_acc" in t.metrics]
    return sorted(completed, key=ranking_key, reverse=True)


@dataclass
class Confirmation:
    """One candidate's validation results over the search's run and the extra seeds."""

    trial: Trial
    val_acc: list[float]
    val_loss: list[float]

    @property
    def mean_val_acc(self) -> float:
        return float(np.mean(self.val_acc))

    @property
    def mean_val_loss(self) -> float:
        return float(np.mean(self.val_loss))

    def as_dict(self, format_arch: Callable) -> dict:
        return {
            "trial": self.trial.number,
            "arch": format_arch(self.trial.arch),
            "val_acc": [round(a, 4) for a in self.val_acc],
            "mean_val_acc": round(self.mean_val_acc, 4),
            "mean_val_loss": round(self.mean_val_loss, 5),
        }


def candidates(history: History, top: int) -> list[Trial]:
    """The `top` ranked trials among those trained for the most epochs."""
    best_first = ranked(history)
    if not best_first:
        return []
    most = best_first[0].metrics.get("fidelity")
    return [t for t in best_first if t.metrics.get("fidelity") == most][:top]


def confirm_best(
    history: History,
    trainer: TrainingEvaluator,
    top: int = 3,
    extra_seeds: int = 2,
    on_run: Callable[[int, int], None] | None = None,
) -> tuple[Trial | None, list[Confirmation]]:
    """Retrain the `top` ranked candidates `extra_seeds` more times (seeds after the
    trainer's own, same epochs) and return the best mean validation accuracy (ties:
    mean validation loss) with every candidate's results, best first. With `top` <= 1
    or `extra_seeds` < 1 the ranking's first is returned unconfirmed. `on_run(done,
    total)` follows the extra trainings."""
    chosen = candidates(history, top)
    if not chosen:
        return None, []
    if len(chosen) < 2 or extra_seeds < 1:
        return chosen[0], []
    task = trainer.task
    total, done = len(chosen) * extra_seeds, 0
    results = []
    for trial in chosen:
        accs = [trial.metrics["val_acc"]]
        losses = [trial.metrics.get("val_loss", float("nan"))]
        epochs = int(trial.metrics.get("fidelity") or trainer.epochs)
        for offset in range(1, extra_seeds + 1):
            model, curve, failure = trainer.train(
                trial.arch, task.x_train, task.y_train, epochs, (task.x_val, task.y_val),
                seed=trainer.seed + offset,
            )  # fmt: skip
            diverged = failure is not None or not curve
            accs.append(0.0 if diverged else curve[-1])
            losses.append(float("inf") if diverged else trainer.validation_loss(model))
            done += 1
            if on_run is not None:
                on_run(done, total)
        results.append(Confirmation(trial, accs, losses))
    results.sort(key=lambda c: (c.mean_val_acc, -np.nan_to_num(c.mean_val_loss, nan=0.0)),
                 reverse=True)  # fmt: skip
    return results[0].trial, results
