"""A series search end to end on real aeon data: the conv1d default space, MiniRocket on
the same split stored beside the network's test accuracy, the CLI's lines; and (slow)
every classification set aeon ships searching with the default budget."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from nasforge.cli import app
from nasforge.run.search import search

pytest.importorskip("aeon")
FAST = {"trials": 3, "epochs": 3, "threads": 1, "confirm_top": 1, "batch_size": 16}


def test_gunpoint_search_stores_minirocket_beside_the_network(tmp_path):
    result = search("aeon:GunPoint", output_dir=tmp_path, **FAST)
    assert result.space.name == "conv1d" and result.task.kind == "series"
    info = json.loads(result.files["summary"].read_text())
    assert info["baseline"]["model"] == "MiniRocketClassifier"
    assert info["baseline"]["test_acc"] > 90.0  # MiniRocket on GunPoint: about 99%
    assert 40.0 <= info["test_acc"] <= 100.0
    assert info["onnx_max_abs_diff"] < 1e-4


def test_cli_prints_the_baseline_and_refuses_an_image_space(tmp_path):
    runner = CliRunner()
    ran = runner.invoke(app, [
        "search", "--data", "aeon:ItalyPowerDemand", "--trials", "2", "--epochs", "2",
        "--confirm-top", "1", "--output", str(tmp_path), "--no-progress", "--no-export",
    ])  # fmt: skip
    assert ran.exit_code == 0, ran.output
    assert "baseline MiniRocketClassifier on the same splits: test accuracy" in ran.output
    assert "apply it to new data: nasforge predict " in ran.output
    wrong = runner.invoke(app, ["search", "--data", "aeon:GunPoint", "--space", "nb201",
                                "--output", str(tmp_path)])  # fmt: skip
    assert wrong.exit_code == 2
    assert "space 'nb201' builds for image tasks, not series (GunPoint)" in wrong.output
    assert len(wrong.output.strip().splitlines()) == 1


@pytest.mark.slow
def test_every_bundled_classification_set_searches_with_the_default_budget(tmp_path):
    from nasforge.tasks.series import aeon_classification_datasets

    names = aeon_classification_datasets()
    assert {"GunPoint", "ItalyPowerDemand", "BasicMotions", "JapaneseVowels"} <= set(names)
    for name in names:
        result = search(f"aeon:{name}", output_dir=tmp_path, export=False)
        assert result.test_acc is not None and result.baseline["test_acc"] > 0, name


def test_peak_memory_and_weight_bytes_are_limits_and_objectives(tmp_path):
    from nasforge.constraints import Constraints, parse_bytes

    assert parse_bytes("64k") == parse_bytes("64KiB") == 65536 and parse_bytes("1M") == 2**20
    limit = Constraints(max_peak_memory=parse_bytes("12k"), max_param_bytes=parse_bytes("16k"))
    result = search(
        "aeon:GunPoint", trials=4, epochs=1, threads=1, confirm_top=1, output_dir=None,
        constraints=limit, objectives=["val_acc", "peak_memory", "param_bytes"],
        baseline=False, strategy_options={"population_size": 4},
    )  # fmt: skip
    trained = [t for t in result.history if t.state != "infeasible"]
    rejected = [t for t in result.history if t.state == "infeasible"]
    assert trained and all(t.metrics["peak_memory"] <= 12288 for t in trained)
    assert all(t.metrics["param_bytes"] <= 16384 for t in trained)
    assert rejected, "GunPoint's 150 steps x 64 channels break a 12 KiB activation limit"
    assert {t.arch for t in result.pareto} <= {t.arch for t in trained}
