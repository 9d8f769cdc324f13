"""The default batch size and epochs follow the training split: digits keeps 64 x 8,
small sets get smaller batches and more epochs, given values are kept."""

from __future__ import annotations

from typer.testing import CliRunner

from nasforge.cli import app
from nasforge.run.setup import MIN_STEPS, training_schedule
from nasforge.study.core import load_study


def test_schedule_sizes_batches_and_epochs_to_the_training_split():
    assert training_schedule(1257, None, None) == (64, 8)  # digits' training split
    assert training_schedule(124, None, None) == (16, 20)  # wine
    assert training_schedule(42, None, None) == (8, 27)  # GunPoint
    assert training_schedule(5, None, None) == (8, MIN_STEPS)  # one batch an epoch
    assert training_schedule(42, 32, None) == (32, 80)  # a given batch size is kept
    assert training_schedule(42, None, 3) == (8, 3)  # and given epochs
    for examples in (8, 33, 64, 100, 300, 1000, 10_000):
        batch, epochs = training_schedule(examples, None, None)
        steps = -(-examples // batch)
        assert 8 <= batch <= 64 and (steps >= 4 or batch == 8) and epochs * steps >= MIN_STEPS


def test_search_prints_and_records_the_schedule_it_chose(tmp_path):
    ran = CliRunner().invoke(app, [
        "search", "--data", "wine", "--trials", "1", "--confirm-top", "1", "--no-export",
        "--no-baseline", "--output", str(tmp_path),
    ])  # fmt: skip
    assert ran.exit_code == 0, ran.output
    assert "training: batch 16, 20 epochs per trial (batch size and epochs sized to 124 " \
        "training examples)" in ran.output  # fmt: skip
    settings = load_study(tmp_path / "wine-mlp").attrs
    assert settings["batch_size"] == 16 and settings["epochs"] == 20
