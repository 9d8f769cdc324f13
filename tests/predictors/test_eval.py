from __future__ import annotations

import json

import pytest
import typer
from typer.testing import CliRunner

from nasforge.bench.predictors import evaluate_predictors
from nasforge.cli.predictors import predictors_app

runner = CliRunner()
app = typer.Typer()  # wired as in nasforge.cli: `nasforge predictors eval`
app.add_typer(predictors_app, name="predictors")


def test_evaluation_ranks_real_architectures(table_path):
    result = evaluate_predictors(
        predictors=["lgbm", "gp"], train_sizes=[20, 100], seeds=2, test_size=300, workers=1
    )
    rows = result.rows
    assert len(rows) == 2 * 2 * 2
    summary = result.summary()
    assert list(summary.index.get_level_values("predictor").unique()) == ["lgbm", "gp"]
    for name in ("lgbm", "gp"):
        small, large = (
            summary.loc[(name, 20), "kendall_tau"],
            summary.loc[(name, 100), "kendall_tau"],
        )
        assert 0.0 < small < large < 1.0, (name, small, large)
    assert (rows["fit_s"] > 0).all() and (rows["query_ms"] > 0).all()


def test_cli_eval_writes_table_json_and_plot(tmp_path, table_path):
    result = runner.invoke(
        app,
        [
            "predictors",
            "eval",
            "--predictors",
            "lgbm",
            "--train-sizes",
            "20,50",
            "--seeds",
            "2",
            "--test-size",
            "200",
            "--workers",
            "1",
            "--output",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Kendall tau" in result.output and "lgbm" in result.output
    out = tmp_path / "nb201-cifar10"
    data = json.loads((out / "results.json").read_text())
    assert [row["train_size"] for row in data["summary"]] == [20, 50]
    assert (out / "kendall.png").stat().st_size > 1000 and (out / "runs.csv").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--predictors", "svr"], "unknown predictor 'svr'"),
        (["--train-sizes", "10,x"], "comma-separated integers"),
        (["--train-sizes", "1"], "at least 2"),
        (["--test-size", "15600", "--train-sizes", "100"], "must fit in the 15625"),
        (["--dataset", "mnist"], "unknown dataset 'mnist'"),
    ],
)
def test_cli_eval_errors_are_one_line(args, message, tmp_path):
    result = runner.invoke(app, ["predictors", "eval", *args, "--output", str(tmp_path)])
    assert result.exit_code == 2
    assert message in result.output and len(result.output.strip().splitlines()) == 1
