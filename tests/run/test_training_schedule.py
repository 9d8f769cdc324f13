"""The default batch size and epochs follow the training split: digits keeps 64 x 8,
small sets get smaller batches and more epochs, tables keep 64 x 8, given values stay."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from nasforge.cli import app
from nasforge.run.setup import MIN_STEPS, training_schedule
from nasforge.study.core import load_study


def test_schedule_sizes_batches_and_epochs_to_the_training_split():
    assert training_schedule(1257, None, None) == (64, 8)  # digits' training split
    assert training_schedule(42, None, None, "series") == (8, 27)  # GunPoint
    assert training_schedule(124, None, None) == (16, 20)
    assert training_schedule(5, None, None) == (8, MIN_STEPS)  # one batch an epoch
    assert training_schedule(42, 32, None) == (32, 80)  # a given batch size is kept
    assert training_schedule(42, None, 3) == (8, 3)  # and given epochs
    assert training_schedule(124, None, None, "table") == (64, 8)  # wine: tables keep 64 x 8
    assert training_schedule(124, 16, None, "table") == (16, 8)
    for examples in (8, 33, 64, 100, 300, 1000, 10_000):
        batch, epochs = training_schedule(examples, None, None)
        steps = -(-examples // batch)
        assert 8 <= batch <= 64 and (steps >= 4 or batch == 8) and epochs * steps >= MIN_STEPS


def test_search_prints_and_records_the_schedule_it_chose(tmp_path):
    pytest.importorskip("aeon")
    ran = CliRunner().invoke(app, [
        "search", "--data", "aeon:ItalyPowerDemand", "--trials", "1", "--confirm-top", "1",
        "--no-export", "--no-baseline", "--output", str(tmp_path),
    ])  # fmt: skip
    assert ran.exit_code == 0, ran.output
    assert "training: batch 8, 23 epochs per trial (batch size and epochs sized to 56 " \
        "training examples)" in ran.output  # fmt: skip
    settings = load_study(tmp_path / "ItalyPowerDemand-conv1d").attrs
    assert settings["batch_size"] == 8 and settings["epochs"] == 23
