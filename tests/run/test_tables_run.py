"""A table search end to end: a messy CSV with a chosen label, regression with the
direction flowing through ranking, selection and the study, the gradient-boosting
baseline in the summary, and `nasforge predict` / `load_run(...).predict` on new rows."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import nasforge
from nasforge.cli import app
from nasforge.history import ranked
from nasforge.run.search import search
from nasforge.study import load_study
from nasforge.testing.tables import messy_table

FAST = {"trials": 3, "epochs": 2, "threads": 1, "confirm_top": 2, "confirm_folds": 2}


@pytest.fixture(scope="module")
def messy_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("tables")
    path = root / "clinic.csv"
    messy_table("breast_cancer", rows=300, seed=0).to_csv(path, index=False)
    result = search(path, label_column="diagnosis", output_dir=root / "runs", **FAST)
    return path, result


def test_messy_csv_search_stores_preprocessing_and_baseline(messy_run):
    _, result = messy_run
    info = json.loads(result.files["summary"].read_text())
    assert info["target"] == "classes" and info["test_acc"] == result.test_acc
    baseline = info["baseline"]
    assert baseline["model"] == "HistGradientBoostingClassifier"
    assert 50.0 < baseline["test_acc"] <= 100.0
    saved = json.loads(result.files["preprocessing"].read_text())
    assert saved["label"] == "diagnosis" and saved["table"]["dropped"]["id_like"] == ["sample_id"]
    assert not list(result.run_dir.glob("*.pkl"))


def test_predict_on_new_rows_from_the_cli_and_python(messy_run, tmp_path):
    path, result = messy_run
    new = pd.read_csv(path).head(12).drop(columns=["diagnosis", "mean radius"])
    new["notes"] = "extra"
    band = next(c for c in new.columns if c.endswith("_band"))
    new.loc[2, band] = "band-Z"  # a category never seen in training
    new_path = tmp_path / "new.csv"
    new.to_csv(new_path, index=False)
    out = tmp_path / "predictions.csv"
    ran = CliRunner().invoke(app, ["predict", str(result.run_dir), str(new_path), "-o", str(out)])
    assert ran.exit_code == 0, ran.output
    assert "ignored column(s) the run does not use: notes" in ran.output
    assert "column 'mean radius' is missing" in ran.output and "band-Z" in ran.output
    written = pd.read_csv(out)
    assert list(written.columns) == [
        "sample_id", "prediction", "probability_benign", "probability_malignant",
    ]  # fmt: skip
    assert np.allclose(written[["probability_benign", "probability_malignant"]].sum(axis=1), 1)
    same = nasforge.load_run(result.run_dir).predict(new)
    assert same["prediction"].tolist() == written["prediction"].tolist()
    # the retrained model on the test split, through the saved preprocessing
    frame = pd.read_csv(path)
    again = nasforge.load_run(result.run_dir).predict(frame)
    assert set(again["prediction"]) <= {"benign", "malignant"}


def test_predict_bad_input_is_one_line_and_writes_nothing(messy_run, tmp_path):
    path, result = messy_run
    runner = CliRunner()
    bad = tmp_path / "bad.csv"
    bad.write_text(pd.read_csv(path).head(3).to_csv(index=False) + "1,2\n")
    arrays = tmp_path / "rows.npz"
    np.savez(arrays, x=np.zeros((3, 30)))
    cases = [
        ([str(result.run_dir), str(arrays)], "this table run takes a .csv, .tsv or .parquet"),
        ([str(tmp_path / "none"), str(path)], "no such run directory"),
        ([str(result.run_dir), str(tmp_path / "missing.csv")], "no such file"),
        ([str(result.run_dir), str(bad)], "row 4 has 2 fields"),
        ([str(result.run_dir), str(path), "-o", str(tmp_path / "p.json")], "unsupported output"),
    ]
    for args, message in cases:
        out = [] if "-o" in args else ["-o", str(tmp_path / "p.csv")]
        ran = runner.invoke(app, ["predict", *args, *out])
        assert ran.exit_code == 2 and message in ran.output, (args, ran.output)
        assert not list(tmp_path.glob("p.*"))


def test_regression_minimises_rmse_everywhere(tmp_path):
    result = search("diabetes", output_dir=tmp_path, seed=1, **FAST)
    study = load_study(result.run_dir)
    assert study.directions == ["minimize"] and result.objectives == ["val_rmse"]
    best_first = ranked(result.history, "val_rmse", maximize=False)
    values = [t.metrics["val_rmse"] for t in best_first]
    assert values == sorted(values)
    means = [c.mean_score for c in result.confirmation]
    assert means == sorted(means) and result.best is result.confirmation[0].trial
    assert set(result.test_metrics) == {"test_rmse", "test_mae", "test_r2"}
    info = json.loads(result.files["summary"].read_text())
    assert info["test_score"] == result.test_metrics["test_rmse"] and "test_acc" not in info
    assert info["baseline"]["model"] == "HistGradientBoostingRegressor"
    shown = CliRunner().invoke(app, ["show", str(result.run_dir)])
    assert "val rmse" in shown.output and "best val_rmse:" in shown.output
    assert "test rmse" in shown.output and "baseline HistGradientBoostingRegressor" in shown.output


def test_classification_metric_and_class_weights(tmp_path):
    result = search(
        "wine", metric="balanced_accuracy", class_weights=True, output_dir=None, baseline=False,
        **FAST,
    )  # fmt: skip
    assert result.objectives == ["val_balanced_accuracy"] and result.baseline is None
    assert "test_balanced_accuracy" in result.test_metrics and "test_acc" in result.test_metrics
    log_loss = search("wine", metric="log_loss", output_dir=None, baseline=False, **FAST)
    means = [c.mean_score for c in log_loss.confirmation]
    assert means == sorted(means)  # smaller log loss first


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--task", "clustering"], "unknown task 'clustering'"),
        (["--metric", "rmse"], "metric 'rmse' does not apply to classes"),
        (["--loss", "huber"], "loss 'huber' does not fit a classes task"),
        (["--label", "y"], "leave --label out"),
        (["--objectives", "val_acc,params", "--data", "diabetes"], "start with val_rmse"),
    ],
)
def test_cli_table_options_are_checked_before_work(tmp_path, args, message):
    ran = CliRunner().invoke(
        app, ["search", "--data", "wine", "--output", str(tmp_path / "runs"), *args]
    )
    assert ran.exit_code == 2 and message in ran.output, ran.output
    assert not (tmp_path / "runs").exists()


def test_every_strategy_that_scores_gets_the_task_direction():
    from nasforge.registry import STRATEGIES
    from nasforge.run.setup import strategy_for
    from nasforge.strategies.options import strategy_settings
    from nasforge.tasks import load_task

    task = load_task("diabetes")
    takes = {"metric", "objectives"}
    scoring = [n for n in STRATEGIES.names() if takes & set(strategy_settings(n))]
    assert {"evolution", "local", "tpe", "sh", "hyperband", "bananas", "nsga2"} <= set(scoring)
    for name in scoring:
        _, strategy = strategy_for(name, None, task, ["val_rmse"], ["minimize"])
        assert (strategy.metric, strategy.maximize) == ("val_rmse", False), name
    _, two_stage = strategy_for("two-stage", {"then": "local"}, task, ["val_rmse"], ["minimize"])
    assert (two_stage.then.metric, two_stage.then.maximize) == ("val_rmse", False)


def test_bad_table_from_the_cli_is_one_line_and_leaves_no_run(tmp_path):
    path = tmp_path / "clinic.csv"
    path.write_text("a,b,kind\n1,2,x\n3,4,y\n5,6,x\n")
    ran = CliRunner().invoke(
        app, ["search", "--data", str(path), "--label", "species", "--output", str(tmp_path / "r")]
    )
    assert ran.exit_code == 2 and ran.output.count("\n") == 1
    assert "no label column 'species'; columns: a, b, kind" in ran.output
    assert not (tmp_path / "r").exists()
