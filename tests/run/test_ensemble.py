"""`search(ensemble=N)`: the mean of the best confirmed candidates' final networks, its
run directory, `load_run` rebuilding it, the hard limits applied to the whole, and the
options checked before any work."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import torch
from torch import nn
from typer.testing import CliRunner

import nasforge
from nasforge.cli import app
from nasforge.constraints import Constraints
from nasforge.evaluators.training import TrainingEvaluator
from nasforge.run.ensemble import Ensemble, default_ensemble, train_final
from nasforge.run.search import search
from nasforge.testing.tables import messy_table

FAST = {"trials": 4, "epochs": 2, "threads": 1, "confirm_top": 3, "confirm_folds": 2}


def test_ensemble_averages_probabilities_or_outputs():
    torch.manual_seed(0)
    members = [nn.Conv1d(3, 4, 1), nn.Conv1d(3, 4, 1)]
    x = torch.randn(5, 3, 7)  # per-position outputs: (batch, classes, length)
    probabilities = torch.stack([m(x).softmax(1) for m in members]).mean(0)
    with torch.no_grad():
        assert torch.allclose(Ensemble(members, classes=True)(x).softmax(1), probabilities)
        mean = Ensemble(members, classes=False)(x)
        assert torch.allclose(mean, (members[0](x) + members[1](x)) / 2)


@pytest.fixture(scope="module")
def ensemble_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("ensemble")
    path = root / "clinic.csv"
    messy_table("breast_cancer", rows=300, seed=0).to_csv(path, index=False)
    result = search(path, label_column="diagnosis", output_dir=root / "runs", ensemble=2, **FAST)
    return path, result


def test_search_returns_and_saves_the_ensemble_of_the_two_best(ensemble_run):
    path, result = ensemble_run
    assert [t.number for t in result.members] == [c.trial.number for c in result.confirmation[:2]]
    assert result.members[0] is result.best
    info = json.loads(result.files["summary"].read_text())
    assert [m["trial"] for m in info["ensemble"]] == [t.number for t in result.members]
    assert all("test_acc" in m["test_metrics"] for m in info["ensemble"])
    params = sum(t.metrics["params"] for t in result.members)
    assert info["ensemble_measures"]["params"] == params
    assert info["onnx_max_abs_diff"] < 1e-4
    saved = json.loads(result.files["ensemble"].read_text())["members"]
    assert saved == [json.loads(t.arch.to_json()) for t in result.members]
    # load_run rebuilds both members from the one state dict and scores as the search did
    trained = nasforge.load_run(result.run_dir)
    assert isinstance(trained.model, Ensemble) and len(trained.model.members) == 2
    assert isinstance(result.model, Ensemble)  # the same model, also without a run directory
    task = result.task
    with torch.no_grad():
        outputs = trained.model(torch.from_numpy(task.x_test)).numpy()
    assert task.scores(task.decode(outputs), task.y_test, "test_") == result.test_metrics
    rows = trained.predict(pd.read_csv(path).head(5))
    assert np.allclose(rows[["probability_benign", "probability_malignant"]].sum(axis=1), 1)


def test_members_beyond_the_hard_limits_are_left_out(ensemble_run):
    _, result = ensemble_run
    first, second = result.members
    trainer = TrainingEvaluator(result.space, result.task, epochs=1, seed=0, threads=1)
    limit = Constraints(max_params=max(first.metrics["params"], second.metrics["params"]))
    final = train_final(trainer, [first, second], lambda t: 1, limit)
    assert final.members == [first] and not isinstance(final.model, Ensemble)
    assert final.member_test_metrics == [] and "2 members break params" in final.notes[0]
    roomy = train_final(trainer, [first, second], lambda t: 1, Constraints())
    assert isinstance(roomy.model, Ensemble) and len(roomy.member_test_metrics) == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--ensemble", "0"], "ensemble must be at least 1, got 0"),
        (["--ensemble", "5"], "ensemble (5) must be at most confirm_top (4)"),
        (["--ensemble", "2", "--objectives", "val_acc,params"], "single-objective searches"),
    ],
)
def test_bad_ensemble_options_are_one_line_before_any_work(tmp_path, args, message):
    ran = CliRunner().invoke(
        app, ["search", "--data", "wine", "--output", str(tmp_path / "runs"), *args]
    )
    assert ran.exit_code == 2 and message in ran.output and ran.output.count("\n") == 1
    assert not (tmp_path / "runs").exists()


def test_the_command_names_the_members_and_the_winner_alone(tmp_path):
    runs = tmp_path / "runs"
    ran = CliRunner().invoke(app, [
        "search", "--data", "wine", "--output", str(runs), "--trials", "4", "--epochs", "2",
        "--confirm-top", "2", "--confirm-folds", "2", "--ensemble", "2", "--no-progress",
    ])  # fmt: skip
    assert ran.exit_code == 0, ran.output
    info = json.loads((runs / "wine-mlp" / "summary.json").read_text())
    first, second = (m["trial"] for m in info["ensemble"])
    named = f"ensemble of trials {first} and {second}; trial {first} alone: test accuracy"
    assert named in ran.output
    assert "test accuracy of the ensemble after retraining" in ran.output
    shown = CliRunner().invoke(app, ["show", str(runs / "wine-mlp")])
    assert "(the ensemble of 2)" in shown.output and f"member trial {second}:" in shown.output


def test_the_report_lists_the_members(ensemble_run, tmp_path):
    from nasforge.report.html import write_report

    _, result = ensemble_run
    page = write_report(result.run_dir, tmp_path / "run.html").read_text()
    assert "(the ensemble of 2)" in page
    assert all(f"member trial {t.number}: " in page for t in result.members)
    assert "baseline HistGradientBoostingClassifier on the same splits: test accuracy" in page


@pytest.mark.parametrize(
    ("confirm_top", "several_objectives", "members"),
    [(4, False, 3), (2, False, 2), (1, False, 1), (4, True, 1)],
)
def test_the_default_ensemble(confirm_top, several_objectives, members):
    assert default_ensemble(confirm_top, several_objectives) == members


def test_a_default_search_averages_the_three_best_confirmed(tmp_path):
    result = search("wine", output_dir=None, **{**FAST, "confirm_top": 4})
    assert [t.number for t in result.members] == [c.trial.number for c in result.confirmation[:3]]
    assert isinstance(result.model, Ensemble) and len(result.member_test_metrics) == 3


def test_the_command_says_why_members_were_left_out_even_without_progress(tmp_path):
    ran = CliRunner().invoke(app, [
        "search", "--data", "wine", "--output", str(tmp_path / "runs"), "--trials", "4",
        "--epochs", "1", "--confirm-top", "3", "--confirm-folds", "2", "--max-params", "2k",
        "--no-progress",
    ])  # fmt: skip
    assert ran.exit_code == 0, ran.output
    run = tmp_path / "runs" / "wine-mlp"
    info = json.loads((run / "summary.json").read_text())
    params = pd.read_csv(run / "trials.csv").set_index("number")["params"]
    sizes = [params[c["trial"]] for c in info["confirmation"][:3]]  # the 3 members asked
    kept = max(k for k in (1, 2, 3) if sum(sizes[:k]) <= 2000)  # the whole within 2k
    assert len(info["ensemble"]) == (kept if kept > 1 else 0)
    assert len(info["ensemble_notes"]) == 3 - kept
    assert all(note in ran.output for note in info["ensemble_notes"])
