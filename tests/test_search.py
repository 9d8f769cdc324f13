from __future__ import annotations

import json

import numpy as np
import onnx
import pandas as pd
import pytest
import torch
from typer.testing import CliRunner

from nasforge.cli import app
from nasforge.constraints import Constraints, pareto_front, parse_quantity
from nasforge.run.search import search
from nasforge.spaces import MLPSpace


@pytest.fixture(scope="module")
def wine_run(tmp_path_factory):
    return search(
        "wine", trials=4, epochs=3, batch_size=32, seed=0,
        output_dir=tmp_path_factory.mktemp("runs"), threads=1, ensemble=1,
    )  # fmt: skip  (one network: tests/run/test_ensemble.py has the default ensemble's files)


def test_search_writes_a_complete_run_directory(wine_run):
    files = wine_run.files
    expected = {"trials", "best_text", "best_json", "weights", "summary", "curve", "onnx"}
    expected.add("preprocessing")  # wine is a table: preprocessing.json
    assert set(files) == expected
    trials = pd.read_csv(files["trials"])
    assert len(trials) == 4 and trials["arch_text"].str.startswith("mlp:").all()
    space = MLPSpace()
    assert space.parse(files["best_text"].read_text()) == wine_run.best.arch
    info = json.loads(files["summary"].read_text())
    assert info["test_acc"] == wine_run.test_acc and info["onnx_max_abs_diff"] < 1e-4
    confirmed = info["confirmation"]
    assert len(confirmed) == 4 and all(len(c["fold_score"]) == 3 for c in confirmed)
    assert confirmed[0]["trial"] == wine_run.best.number
    onnx.checker.check_model(onnx.load(str(files["onnx"])))
    model = space.build(wine_run.best.arch, wine_run.task)
    model.load_state_dict(torch.load(files["weights"]))
    assert files["curve"].read_bytes()[:4] == b"\x89PNG"


def test_search_is_deterministic(wine_run):
    again = search("wine", trials=4, epochs=3, batch_size=32, seed=0, output_dir=None, threads=1)
    assert [t.arch for t in again.history] == [t.arch for t in wine_run.history]
    # the default ensemble's first member is the network a one-network search returns
    assert again.members[0].number == wine_run.best.number and len(again.members) == 3
    assert again.member_test_metrics[0] == wine_run.test_metrics


def test_limits_reject_before_training_and_are_respected(tmp_path):
    limit = 3000
    result = search(
        "wine", trials=3, epochs=1, constraints=Constraints(max_params=limit),
        output_dir=None, threads=1, seed=1,
    )  # fmt: skip
    trained = [t for t in result.history if t.state != "infeasible"]
    assert len(trained) == 3 and all(t.metrics["params"] <= limit for t in trained)
    rejected = [t for t in result.history if t.state == "infeasible"]
    assert result.rejected == len(rejected) > 0
    assert all("epochs" not in t.metrics and "params" in t.failure for t in rejected)


def test_multi_objective_run_returns_a_pareto_front(tmp_path):
    result = search(
        "wine", trials=5, epochs=1, objectives=["val_acc", "params"], output_dir=tmp_path,
        threads=1,
    )  # fmt: skip
    assert result.pareto and "pareto" in result.files
    front = {(t.metrics["val_acc"], t.metrics["params"]) for t in result.pareto}
    for t in result.history.completed():
        dominated_by_front = any(
            v >= t.metrics["val_acc"] and p <= t.metrics["params"] for v, p in front
        )
        assert dominated_by_front


def test_pareto_front_and_quantities():
    values = np.array([[90, 10], [95, 20], [80, 5], [85, 30], [95, 25]])
    assert pareto_front(values, [True, False]).tolist() == [0, 1, 2]
    assert parse_quantity("100k") == 1e5 and parse_quantity("2.5M") == 2.5e6
    with pytest.raises(ValueError, match="bad quantity"):
        parse_quantity("lots")


def test_run_directories_are_never_overwritten(tmp_path):
    first = search("wine", trials=1, epochs=1, output_dir=tmp_path, export=False, threads=1)
    second = search("wine", trials=1, epochs=1, output_dir=tmp_path, export=False, threads=1)
    assert first.run_dir != second.run_dir and first.files["trials"].exists()


def test_cli_search_and_its_errors(tmp_path):
    runner = CliRunner()
    args = ["--trials", "2", "--epochs", "1", "--output", str(tmp_path), "--threads", "1"]
    ok = runner.invoke(app, ["search", "--data", "wine", *args, "--no-export"])
    assert ok.exit_code == 0, ok.output
    assert "leaderboard" in ok.output and "test accuracy" in ok.output
    for args, message in [
        (["--trials", "0"], "at least 1"),
        (["--data", str(tmp_path / "missing.csv")], "no such file"),
        (["--objectives", "speed"], "objectives must start with val_acc"),
        (["--max-params", "many"], "bad quantity"),
        (["--strategy", "annealing"], "unknown strategy"),
    ]:
        result = runner.invoke(app, ["search", "--data", "wine", *args])
        assert result.exit_code == 2 and message in result.output, (args, result.output)
