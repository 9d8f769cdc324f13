"""`nasforge show` and the study options of `nasforge search`: resume, names, errors."""

from __future__ import annotations

import json

import optuna
from typer.testing import CliRunner

from nasforge.cli import app
from nasforge.run.search import search
from nasforge.study import load_study

runner = CliRunner()
FAST = ["--data", "wine", "--epochs", "1", "--threads", "1", "--no-export", "--no-progress"]


def test_resume_extends_a_finished_run_and_show_reads_it(tmp_path):
    first = runner.invoke(app, ["search", *FAST, "--trials", "3", "--output", str(tmp_path)])
    assert first.exit_code == 0, first.output
    run = tmp_path / "wine-mlp"
    more = ["search", *FAST, "--trials", "5", "--output", str(tmp_path), "--resume"]
    resumed = runner.invoke(app, more)
    assert resumed.exit_code == 0, resumed.output
    assert len(load_study(run).trials()) == 5  # 3 reused, 2 new
    native = optuna.load_study(study_name="wine-mlp", storage=f"sqlite:///{run / 'study.db'}")
    assert len(native.trials) == 5 and set(native.trials[0].params) >= {"depth"}

    shown = runner.invoke(app, ["show", str(run), "--top", "2"])
    assert shown.exit_code == 0, shown.output
    assert "study wine-mlp: 5 complete" in shown.output
    assert "best validation accuracy: mlp:" in shown.output
    summary = json.loads((run / "summary.json").read_text())
    chosen = f"chosen after cross-validating the top candidates: {summary['best_arch']}"
    assert chosen in " ".join(shown.output.split()), shown.output


def test_study_errors_are_one_line(tmp_path):
    nothing = runner.invoke(
        app, ["search", *FAST, "--trials", "2", "--output", str(tmp_path), "--resume"]
    )
    assert nothing.exit_code == 2 and "nothing to resume" in nothing.output
    ok = runner.invoke(app, ["search", *FAST, "--trials", "1", "--output", str(tmp_path)])
    assert ok.exit_code == 0, ok.output
    changed = runner.invoke(
        app,
        ["search", *FAST, "--trials", "2", "--output", str(tmp_path), "--resume", "--seed", "3"],
    )
    assert changed.exit_code == 2 and "seed 0 -> 3" in changed.output
    missing = runner.invoke(app, ["show", str(tmp_path / "nope")])
    assert missing.exit_code == 2 and "no study database" in missing.output
    for output in (nothing.output, changed.output, missing.output):
        assert "Traceback" not in output


def test_show_lists_the_pareto_front(tmp_path):
    result = search(
        "wine", trials=4, epochs=1, objectives=("val_acc", "params"), output_dir=tmp_path,
        export=False, threads=1,
    )  # fmt: skip
    shown = runner.invoke(app, ["show", str(result.run_dir)])
    assert shown.exit_code == 0, shown.output
    assert "Pareto front (val_acc, params)" in shown.output
    assert shown.output.count("trial ") >= len(result.pareto)
    stored_front = {t.number for t in load_study(result.run_dir).pareto_front()}
    assert stored_front == {t.number for t in result.pareto}
