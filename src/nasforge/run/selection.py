"""Choosing the architecture a search returns.

One training run's validation accuracy is noisy (on digits' 270 validation images one
answer is 0.37 points, and the training seed moves it by about half a point), so the top
few candidates are cross-validated on train + validation, each image held out once, and
the best mean of the task's metric wins (largest, or smallest for RMSE, MAE and log
loss); validation loss breaks ties.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from nasforge.evaluators.training import TrainingEvaluator
from nasforge.history import History, Trial, ranked


@dataclass
class Confirmation:
    """One candidate's held-out score (the task's metric) and loss, one entry per
    cross-validation fold."""

    trial: Trial
    fold_score: list[float]
    fold_loss: list[float]

    @property
    def mean_score(self) -> float:
        return float(np.mean(self.fold_score))

    @property
    def mean_loss(self) -> float:
        return float(np.mean(self.fold_loss))

    def as_dict(self, format_arch: Callable) -> dict:
        return {
            "trial": self.trial.number,
            "arch": format_arch(self.trial.arch),
            "fold_score": [_finite(a) for a in self.fold_score],
            "mean_score": _finite(self.mean_score),
            "mean_loss": _finite(self.mean_loss),
        }


def _finite(value: float) -> float | None:
    """Rounded for JSON; None for a diverged (infinite) value."""
    return round(value, 6) if np.isfinite(value) else None


def candidates(
    history: History, top: int, metric: str = "val_acc", maximize: bool = True
) -> list[Trial]:
    """The `top` ranked trials (by `metric`) among those trained for the most epochs."""
    best_first = ranked(history, metric, maximize)
    if not best_first:
        return []
    most = best_first[0].metrics.get("fidelity")
    return [t for t in best_first if t.metrics.get("fidelity") == most][:top]


def folds_of(
    y: np.ndarray, folds: int, seed: int, stratify: bool = True
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Seeded (train, validation) index pairs; stratified (class labels, `stratify`) when
    every class has at least `folds` examples."""
    from sklearn.model_selection import KFold, StratifiedKFold

    counts = np.unique(y, return_counts=True)[1]
    splitter = StratifiedKFold if stratify and counts.min() >= folds else KFold
    return list(splitter(n_splits=folds, shuffle=True, random_state=seed).split(y, y))


def confirm_best(
    history: History,
    trainer: TrainingEvaluator,
    top: int = 4,
    folds: int = 3,
    on_run: Callable[[int, int], None] | None = None,
) -> tuple[Trial | None, list[Confirmation]]:
    """Cross-validate the `top` ranked candidates on train + validation (`folds` folds,
    the same folds for all, training seeds after the trainer's own, same epochs) and
    return the best mean fold score of the task's metric (ties: mean fold loss) with
    every candidate's results, best first. With `top` <= 1 or `folds` < 2 the ranking's
    first is returned unconfirmed. `on_run(done, total)` follows the trainings."""
    task = trainer.task
    maximize = task.objective.maximize
    chosen = candidates(history, top, task.objective_key, maximize)
    if not chosen:
        return None, []
    if len(chosen) < 2 or folds < 2:
        return chosen[0], []
    x, y = task.train_and_val()
    stratify = task.target == "classes" and not task.per_position
    splits = folds_of(y, folds, trainer.seed, stratify=stratify)
    # a diverged fold scores 0 (the floor of accuracy, F1, AUC) or the worst value
    worst = (-np.inf if task.metric == "r2" else 0.0) if maximize else np.inf
    total, done = len(chosen) * folds, 0
    results = []
    for trial in chosen:
        scores, losses = [], []
        epochs = int(trial.metrics.get("fidelity") or trainer.epochs)
        for fold, (fit, held_out) in enumerate(splits, start=1):
            held = x[held_out], y[held_out]
            model, curve, failure = trainer.train(
                trial.arch, x[fit], y[fit], epochs, held, seed=trainer.seed + fold
            )
            diverged = failure is not None or not curve
            scores.append(worst if diverged else curve[-1])
            losses.append(float("inf") if diverged else trainer.validation_loss(model, held))
            done += 1
            if on_run is not None:
                on_run(done, total)
        results.append(Confirmation(trial, scores, losses))
    sign = 1.0 if maximize else -1.0
    results.sort(key=lambda c: (sign * c.mean_score, -c.mean_loss), reverse=True)
    return results[0].trial, results
