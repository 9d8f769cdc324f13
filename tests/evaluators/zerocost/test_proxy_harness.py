"""`evaluate_proxies` and `nasforge proxies eval` on the real NAS-Bench-201 table."""

from __future__ import annotations

import json

import numpy as np
import pytest
import typer
from typer.testing import CliRunner

from nasforge.bench.proxies import evaluate_proxies, top_precision
from nasforge.cli.proxies import proxies_app

runner = CliRunner()
app = typer.Typer()
app.add_typer(proxies_app, name="proxies")


@pytest.fixture(scope="module")
def evaluation():
    return evaluate_proxies(["params", "flops"], n=40, seed=0, labelled=10)


def test_harness_pairs_scores_with_the_table_and_summarises(evaluation, cifar10, space):
    frame = evaluation.frame
    assert len(frame) == 40 and frame["arch"].nunique() == 40
    row = frame.iloc[0]
    assert row["test_acc"] == cifar10.evaluate(space.parse(row["arch"])).metrics["test_acc"]
    summary = evaluation.summary()
    assert list(summary.index) == ["params", "flops", "ensemble_weighted", "ensemble_rank"]
    assert summary.loc["params", "spearman"] > 0.5  # params ranks NB201 cells well
    assert summary.loc["params", "needs_data"] is False or not summary.loc["params", "needs_data"]
    assert 0 <= summary.loc["flops", "top10_precision"] <= 1
    assert summary.loc["params", "seconds"] >= 0 and evaluation.build_seconds > 0


def test_results_save_as_csv_and_json(evaluation, tmp_path):
    paths = evaluation.save(tmp_path)
    data = json.loads(paths["json"].read_text())
    assert data["n"] == 40 and set(data["ensemble_weights"]) == {"params", "flops"}
    assert "held_out_spearman" in data["summary"]["ensemble_rank"]
    assert paths["scores"].read_text().startswith("arch,val_acc,test_acc,params,flops")


def test_same_seed_same_sample(evaluation):
    again = evaluate_proxies(["params"], n=40, seed=0)
    assert again.frame["arch"].tolist() == evaluation.frame["arch"].tolist()


def test_top_precision_counts_the_shared_top_decile():
    truth = np.arange(20.0)
    assert top_precision(truth, truth) == 1.0
    assert top_precision(-truth, truth) == 0.0


def test_cli_prints_the_table_and_writes_json(tmp_path):
    result = runner.invoke(
        app,
        ["proxies", "eval", "--proxies", "params,flops", "--n", "12", "--labelled", "4",
         "--output", str(tmp_path), "--no-progress"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "spearman" in result.output and "ensemble_rank" in result.output
    data = json.loads((tmp_path / "nb201-cifar10" / "results.json").read_text())
    assert set(data["summary"]) == {"params", "flops", "ensemble_weighted", "ensemble_rank"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--proxies", "synflow,snap"], "unknown zero-cost proxy 'snap'"),
        (["--dataset", "mnist"], "unknown dataset 'mnist'"),
        (["--data", "cifar"], "accepted: gaussian, digits"),
        (["--n", "1"], "n must be between 2"),
        (["--space", "darts"], "no tabular benchmark for space 'darts'"),
    ],
)
def test_cli_errors_are_one_line_and_exit_2(args, message, tmp_path):
    result = runner.invoke(app, ["proxies", "eval", *args, "--output", str(tmp_path)])
    assert result.exit_code == 2
    assert message in result.output and len(result.output.strip().splitlines()) == 1
