from __future__ import annotations

import numpy as np
import pytest

from nasforge.evaluators import EvaluationContext
from nasforge.evaluators.training import TrainingEvaluator
from nasforge.spaces import MLPSpace, NB201Space
from nasforge.tasks import load_task

MLP = "mlp:64-32:relu:dropout=0.0:norm=batch"


@pytest.fixture(scope="module")
def wine():
    return load_task("wine")


def test_training_learns_and_reports_every_epoch(wine):
    space = MLPSpace()
    result = TrainingEvaluator(space, wine, epochs=6, batch_size=32).evaluate(space.parse(MLP))
    assert result.state == "complete" and len(result.curve) == 6
    assert result.metrics["val_acc"] == result.curve[-1] >= 85.0
    assert result.metrics["params"] == 13 * 64 + 64 + 2 * 64 + 64 * 32 + 32 + 2 * 32 + 32 * 3 + 3


def test_training_is_deterministic_given_the_seed(wine):
    space = MLPSpace()
    arch = space.parse("mlp:32:relu:dropout=0.3:norm=none")
    runs = [
        TrainingEvaluator(space, wine, epochs=3, seed=s).evaluate(arch).curve for s in (1, 1, 2)
    ]
    assert runs[0] == runs[1] and runs[0] != runs[2]


def test_context_stops_early_and_sets_fidelity(wine):
    space = MLPSpace()
    seen = []
    context = EvaluationContext(fidelity=5, on_epoch=lambda e, v: seen.append(e) or e < 2)
    result = TrainingEvaluator(space, wine, epochs=50).evaluate(space.parse(MLP), context)
    assert seen == [1, 2] and result.metrics["epochs"] == 2


def test_diverging_run_is_a_failed_trial_not_a_crash(wine):
    space = MLPSpace()
    evaluator = TrainingEvaluator(space, wine, epochs=3, learning_rate=1e30, optimizer="sgd")
    result = evaluator.evaluate(space.parse("mlp:256-256:relu:dropout=0.0:norm=none"))
    assert result.state == "failed" and "diverged" in result.failure
    assert "val_acc" not in result.metrics


def test_cnn_on_digits_trains_with_adamw_and_label_smoothing():
    task = load_task("digits")
    space = NB201Space(channels=4, cells=1)
    arch = space.parse(
        "|nor_conv_3x3~0|+|skip_connect~0|nor_conv_1x1~1|+|none~0|none~1|skip_connect~2|"
    )
    evaluator = TrainingEvaluator(
        space,
        task,
        epochs=2,
        optimizer="adamw",
        learning_rate=0.01,
        label_smoothing=0.1,
        threads=1,
    )
    result = evaluator.evaluate(arch)
    assert result.metrics["val_acc"] > 50.0 and np.isfinite(result.metrics["flops"])


def test_bad_settings(wine):
    space = MLPSpace()
    with pytest.raises(ValueError, match="accepted: sgd, adamw"):
        TrainingEvaluator(space, wine, optimizer="lbfgs").evaluate(space.parse(MLP))
    from nasforge.tasks import benchmark_task

    with pytest.raises(ValueError, match="carries no data"):
        TrainingEvaluator(space, benchmark_task("cifar10")).evaluate(space.parse(MLP))


def test_validation_loss_is_recorded_and_a_seed_override_matches_that_seed(wine):
    import torch

    from nasforge.evaluators.training import mean_cross_entropy

    space = MLPSpace()
    arch = space.parse(MLP)
    trainer = TrainingEvaluator(space, wine, epochs=2, seed=3)
    result = trainer.evaluate(arch)
    assert 0.0 < result.metrics["val_loss"] < 2.0
    model, _, _ = trainer.train(arch, wine.x_train, wine.y_train, 2, (wine.x_val, wine.y_val))
    x, y = torch.from_numpy(wine.x_val), torch.from_numpy(wine.y_val)
    assert mean_cross_entropy(model, x, y) == pytest.approx(result.metrics["val_loss"])
    other = TrainingEvaluator(space, wine, epochs=2, seed=4).evaluate(arch).curve
    override = trainer.train(arch, wine.x_train, wine.y_train, 2, (wine.x_val, wine.y_val), seed=4)
    assert override[1] == other


@pytest.mark.parametrize("loss", ["mse", "huber"])
def test_regression_trains_on_the_standardised_target_and_reports_rmse_mae_r2(loss):
    task = load_task("diabetes")
    space = MLPSpace()
    trainer = TrainingEvaluator(space, task, epochs=6, batch_size=32, loss=loss, threads=1)
    result = trainer.evaluate(space.parse("mlp:64:relu:dropout=0.0:norm=none"))
    metrics = result.metrics
    assert result.curve[-1] == metrics["val_rmse"] and metrics["val_r2"] > 0.2
    spread = float(task.truth(task.y_val).std())
    assert metrics["val_mae"] < metrics["val_rmse"] < spread  # better than the mean guess
    with pytest.raises(ValueError, match="loss 'huber' does not fit a classes task"):
        TrainingEvaluator(space, load_task("wine"), loss="huber").evaluate(space.parse(MLP))


def test_class_weights_balance_the_training_labels(wine):
    from nasforge.evaluators.training import balanced_class_weights

    weights = balanced_class_weights(np.array([0, 0, 0, 1]), 3)
    assert weights.tolist() == [4 / 9, 4 / 3, 1.0]
    space = MLPSpace()
    plain = TrainingEvaluator(space, wine, epochs=2, seed=1).evaluate(space.parse(MLP))
    weighted = TrainingEvaluator(space, wine, epochs=2, seed=1, class_weights=True)
    assert weighted.evaluate(space.parse(MLP)).curve != plain.curve
