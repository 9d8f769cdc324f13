"""Final selection: ranking with the validation-loss tie-break, and cross-validating the
top candidates on train + validation (real training on wine)."""

from __future__ import annotations

import numpy as np
import pytest

from nasforge.evaluators.training import TrainingEvaluator
from nasforge.history import History, ranked
from nasforge.run.selection import candidates, confirm_best, folds_of
from nasforge.spaces import MLPSpace
from nasforge.tasks import load_task

ARCHS = (
    "mlp:16:relu:dropout=0.0:norm=none",
    "mlp:64-32:relu:dropout=0.0:norm=batch",
    "mlp:128-16:tanh:dropout=0.3:norm=none",
    "mlp:32:relu:dropout=0.0:norm=none",
)


@pytest.fixture(scope="module")
def space():
    return MLPSpace()


def _history(space, rows):
    history = History()
    for text, metrics in zip(ARCHS, rows, strict=False):
        history.add(space.parse(text), {"fidelity": 3.0, **metrics})
    return history


def test_ranking_breaks_accuracy_ties_by_validation_loss_and_prefers_more_epochs(space):
    history = _history(
        space,
        [
            {"val_acc": 90.0, "val_loss": 0.30},
            {"val_acc": 90.0, "val_loss": 0.10},
            {"val_acc": 80.0, "val_loss": 0.05},
            {"val_acc": 99.0, "val_loss": 0.01, "fidelity": 1.0},
        ],
    )
    order = [t.number for t in ranked(history)]
    assert order == [1, 0, 2, 3]
    assert [t.number for t in candidates(history, 3)] == [1, 0, 2]


def test_cross_validation_of_the_top_picks_the_best_mean_fold_accuracy(space):
    task = load_task("wine")
    trainer = TrainingEvaluator(space, task, epochs=3, batch_size=32, seed=5, threads=1)
    history = History()
    for text in ARCHS[:3]:
        result = trainer.evaluate(space.parse(text))
        history.add(space.parse(text), {**result.metrics, "fidelity": 3.0})
    seen = []
    best, results = confirm_best(
        history, trainer, top=3, folds=3, on_run=lambda done, total: seen.append((done, total))
    )
    assert len(results) == 3 and seen == [(n, 9) for n in range(1, 10)]
    x = np.concatenate([task.x_train, task.x_val])
    y = np.concatenate([task.y_train, task.y_val])
    splits = folds_of(y, 3, seed=5)
    held_out = np.sort(np.concatenate([v for _, v in splits]))
    assert held_out.tolist() == list(range(len(y)))  # every example held out once
    fit, val = splits[1]
    for confirmation in results:
        assert len(confirmation.fold_score) == 3 and np.isfinite(confirmation.fold_loss).all()
        _, curve, _ = trainer.train(
            confirmation.trial.arch, x[fit], y[fit], 3, (x[val], y[val]), seed=7
        )
        assert curve[-1] == confirmation.fold_score[1]
    means = [c.mean_score for c in results]
    assert means == sorted(means, reverse=True) and best is results[0].trial


def test_folds_fall_back_to_plain_k_fold_when_a_class_is_too_small():
    y = np.array([0] * 10 + [1] * 2)
    splits = folds_of(y, 3, seed=0)
    assert len(splits) == 3 and sorted(np.concatenate([v for _, v in splits])) == list(range(12))


def test_no_confirmation_returns_the_ranking_first(space):
    history = _history(space, [{"val_acc": 70.0, "val_loss": 1.0}, {"val_acc": 75.0}])
    trainer = TrainingEvaluator(space, load_task("wine"), epochs=1)
    for top, folds in ((1, 3), (3, 1)):
        best, results = confirm_best(history, trainer, top=top, folds=folds)
        assert best.number == 1 and results == []
    assert confirm_best(History(), trainer) == (None, [])
