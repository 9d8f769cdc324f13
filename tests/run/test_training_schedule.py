"""The default batch size, epochs and learning rate follow the training split: digits
keeps 64 x 8 at 0.05, small sets get smaller batches, more epochs and a learning rate
scaled with the batch, tables keep 64 x 8, given values stay."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from nasforge.cli import app
from nasforge.run.setup import MIN_STEPS, USUAL_SCHEDULE, training_schedule
from nasforge.study.core import load_study


def test_schedule_sizes_batches_and_epochs_to_the_training_split():
    assert training_schedule(1257, None, None) == USUAL_SCHEDULE == (64, 8, 0.05)  # digits
    assert training_schedule(42, None, None, "series") == (8, 27, 0.00625)  # GunPoint
    assert training_schedule(124, None, None) == (16, 20, 0.0125)
    assert training_schedule(5, None, None)[:2] == (8, MIN_STEPS)  # one batch an epoch
    assert training_schedule(42, 32, None) == (32, 80, 0.025)  # a given batch size is kept
    assert training_schedule(42, None, 3)[:2] == (8, 3)  # and given epochs
    assert training_schedule(42, None, None, "series", 0.1) == (8, 27, 0.1)  # and the rate
    assert training_schedule(42, 256, None).learning_rate == 0.05  # not scaled up
    assert training_schedule(124, None, None, "table") == (64, 8, 0.05)  # wine: 64 x 8
    assert training_schedule(124, 16, None, "table") == (16, 8, 0.0125)
    for examples in (8, 33, 64, 100, 300, 1000, 10_000):
        batch, epochs, rate = training_schedule(examples, None, None)
        steps = -(-examples // batch)
        assert 8 <= batch <= 64 and (steps >= 4 or batch == 8) and epochs * steps >= MIN_STEPS
        assert rate == 0.05 * batch / 64


def test_search_prints_and_records_the_schedule_it_chose(tmp_path):
    pytest.importorskip("aeon")
    ran = CliRunner().invoke(app, [
        "search", "--data", "aeon:ItalyPowerDemand", "--trials", "1", "--confirm-top", "1",
        "--no-export", "--no-baseline", "--output", str(tmp_path),
    ])  # fmt: skip
    assert ran.exit_code == 0, ran.output
    assert "training: batch 8, 23 epochs, learning rate 0.00625 per trial (batch size, " \
        "epochs, learning rate sized to 56 training examples)" in ran.output  # fmt: skip
    settings = load_study(tmp_path / "ItalyPowerDemand-conv1d").attrs
    assert (settings["batch_size"], settings["epochs"], settings["learning_rate"]) == (
        8,
        23,
        0.00625,
    )
