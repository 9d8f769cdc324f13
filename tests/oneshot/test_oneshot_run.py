"""`nasforge oneshot` end to end: a run directory and study that `nasforge show` reads,
retraining and export, SPOS searched by a black-box strategy, one-line bad input."""

from __future__ import annotations

import csv
import json

import pytest
from typer.testing import CliRunner

from nasforge.cli import app
from nasforge.run.oneshot import oneshot
from nasforge.study import load_study

runner = CliRunner()


def test_darts_run_directory_retraining_and_show(small_digits, tiny_space, tmp_path):
    result = oneshot(
        data=small_digits, method="darts", space=tiny_space, epochs=2, batch_size=48,
        retrain=True, final_epochs=1, output_dir=tmp_path, name="run",
    )  # fmt: skip
    run = tmp_path / "run"
    assert result.run_dir == run
    for file in ("best_arch.txt", "best_arch.json", "model.pt", "model.onnx", "summary.json",
                 "trials.csv", "arch_weights.csv", "arch_weights.png", "oneshot.json"):  # fmt: skip
        assert (run / file).is_file(), file
    assert tiny_space.parse((run / "best_arch.txt").read_text()) == result.arch
    rows = list(csv.DictReader((run / "arch_weights.csv").open()))
    assert len(rows) == 2 * 6 * 5 and {r["op"] for r in rows} == set(tiny_space.choices("1<-0"))
    info = json.loads((run / "oneshot.json").read_text())
    assert [e["epoch"] for e in info["epochs"]] == [1, 2]
    assert info["arch"] == tiny_space.format(result.arch)
    assert info["settings"] == {"epochs": 2, "batch_size": 48, "seed": 0, "threads": 1,
                                "device": "cpu", "arch_learning_rate": 3e-3, "order": 1,
                                "final_epochs": 1}  # fmt: skip
    assert set(result.benchmark) == {"cifar10", "cifar100", "imagenet16-120"}  # packaged table
    assert 0 <= result.skip_share <= 1 and result.test_acc is not None
    study = load_study(run)
    assert [t.arch for t in study.history()] == [result.arch]
    shown = runner.invoke(app, ["show", str(run)])
    assert shown.exit_code == 0, shown.output
    assert tiny_space.format(result.arch) in shown.output and "test accuracy" in shown.output


def test_spos_searched_by_evolution_through_the_loop(small_digits, tiny_space, tmp_path):
    result = oneshot(
        data=small_digits, method="spos", space=tiny_space, epochs=2, batch_size=48,
        strategy="evolution", strategy_options={"population_size": 4, "tournament_size": 2},
        trials=6, output_dir=tmp_path, name="spos",
    )  # fmt: skip
    history = load_study(tmp_path / "spos").history()
    assert len(history) == 6
    best = max(history, key=lambda t: t.metrics["val_acc"])
    assert result.arch == best.arch and result.val_acc == best.metrics["val_acc"]
    assert not (tmp_path / "spos" / "arch_weights.csv").exists()  # SPOS has none


@pytest.mark.parametrize(
    ("options", "words"),
    [
        (["--method", "nope"], ("unknown one-shot method 'nope'", "darts")),
        (["--select", "best"], ("unknown selection 'best'", "argmax, pt")),
        (["--space", "mlp"], ("space 'mlp' has no supernet",)),
        (["--data", "/nonexistent/images.npz"], ("/nonexistent/images.npz",)),
        (["--epochs", "0"], ("epochs must be at least 1",)),
        (["--method", "gdas", "--order", "2"], ("order applies to darts only",)),
        (["--strategy", "nope"], ("unknown strategy 'nope'",)),
        (["--device", "tpu"], ("unknown device 'tpu'", "auto, cpu, cuda")),
    ],
)
def test_bad_input_is_one_line_and_exit_2(options, words, tmp_path):
    result = runner.invoke(app, ["oneshot", *options, "--output", str(tmp_path / "runs")])
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    assert all(w in lines[0] for w in words), lines[0]
    assert not (tmp_path / "runs").exists() or not any((tmp_path / "runs").iterdir())


def test_ctrl_c_stops_the_supernet_and_leaves_no_run(
    small_digits, tiny_space, tmp_path, monkeypatch
):
    import signal

    import nasforge.run.oneshot as job
    from nasforge.run.result import SearchInterrupted

    def interrupt(report, epochs, space):  # a real SIGINT, sent when epoch 1 is reported
        signal.raise_signal(signal.SIGINT)
        return ""

    monkeypatch.setattr(job, "epoch_line", interrupt)
    with pytest.raises(SearchInterrupted):
        oneshot(data=small_digits, space=tiny_space, epochs=50, progress=True,
                output_dir=tmp_path, name="stopped")  # fmt: skip
    assert not (tmp_path / "stopped").exists()
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
