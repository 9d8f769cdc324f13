"""Final selection: ranking with the validation-loss tie-break, and confirming the top
candidates with extra training seeds (real training on wine)."""

from __future__ import annotations

import pytest

from nasforge.evaluators.training import TrainingEvaluator
from nasforge.history import History
from nasforge.selection import candidates, confirm_best, ranked
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


def test_confirmation_retrains_the_top_with_new_seeds_and_picks_the_best_mean(space):
    task = load_task("wine")
    trainer = TrainingEvaluator(space, task, epochs=3, batch_size=32, seed=5, threads=1)
    history = History()
    for text in ARCHS[:3]:
        result = trainer.evaluate(space.parse(text))
        history.add(space.parse(text), {**result.metrics, "fidelity": 3.0})
    seen = []
    best, results = confirm_best(
        history,
        trainer,
        top=3,
        extra_seeds=2,
        on_run=lambda done, total: seen.append((done, total)),
    )
    assert len(results) == 3 and seen == [(n, 6) for n in range(1, 7)]
    by_number = {c.trial.number: c for c in results}
    for trial in history:
        runs = by_number[trial.number].val_acc
        assert len(runs) == 3 and runs[0] == trial.metrics["val_acc"]
        _, curve, _ = trainer.train(
            trial.arch, task.x_train, task.y_train, 3, (task.x_val, task.y_val), seed=6
        )
        assert curve[-1] == runs[1]
    means = [c.mean_val_acc for c in results]
    assert means == sorted(means, reverse=True) and best is results[0].trial


def test_no_confirmation_returns_the_ranking_first(space):
    history = _history(space, [{"val_acc": 70.0, "val_loss": 1.0}, {"val_acc": 75.0}])
    trainer = TrainingEvaluator(space, load_task("wine"), epochs=1)
    for top, seeds in ((1, 2), (3, 0)):
        best, results = confirm_best(history, trainer, top=top, extra_seeds=seeds)
        assert best.number == 1 and results == []
    assert confirm_best(History(), trainer) == (None, [])
