from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest
from typer.testing import CliRunner

from nasforge.cli import app

runner = CliRunner()


def test_bench_prints_a_table_and_writes_results(tmp_path):
    result = runner.invoke(
        app,
        [
            "bench",
            "--strategies",
            "random,local",
            "--seeds",
            "2",
            "--budget",
            "30",
            "--output",
            str(tmp_path),
            "--workers",
            "1",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "random" in result.output and "local" in result.output and "regret" in result.output
    data = json.loads((tmp_path / "nb201-cifar10" / "results.json").read_text())
    assert set(data["summary"]) == {"random", "local"}
    assert data["baseline"] == "random" and "p_value" in data["summary"]["local"]
    assert "95% CI" in result.output and "baseline" in result.output


def test_bench_all_datasets_is_one_table_and_a_plot_per_dataset(tmp_path):
    args = ["bench", "--dataset", "all", "--strategies", "random,local", "--seeds", "2"]
    args += ["--budget", "12", "--output", str(tmp_path), "--workers", "1"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "all datasets" in result.output
    for dataset in ("cifar10", "cifar100", "imagenet16-120"):
        assert dataset in result.output
        assert (tmp_path / f"nb201-{dataset}" / "anytime.png").is_file()
    summary = pd.read_csv(tmp_path / "nb201-all" / "summary.csv")
    assert len(summary) == 6
    assert set(summary["dataset"]) == {"cifar10", "cifar100", "imagenet16-120"}
    # off a terminal (80 columns here) the wide table is printed whole: nothing cut
    assert "\u2026" not in result.output
    for row in summary.itertuples():
        assert f"{row.mean:.2f} [{row.ci_low:.2f}, {row.ci_high:.2f}]" in result.output


def test_parse_prints_choices():
    result = runner.invoke(
        app, ["parse", "|none~0|+|none~0|none~1|+|none~0|none~1|skip_connect~2|"]
    )
    assert result.exit_code == 0
    assert '"3<-2": "skip_connect"' in result.output


def _cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "nasforge.cli", *args], capture_output=True, text=True, env=env
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["parse", "|conv~0|+|none~0|none~1|+|none~0|none~1|none~2|"], "unknown operation 'conv'"),
        (["parse", "|none~0|+|none~0|"], "expected 3 nodes"),
        (["bench", "--dataset", "mnist"], "unknown dataset 'mnist'"),
        (["bench", "--dataset", "all", "--objectives", "val_acc,params"], "--dataset all is"),
        (["bench", "--dataset", "all", "--budget", "0"], "budget must be at least 1"),
        (["bench", "--strategies", "random,annealing"], "unknown strategy 'annealing'"),
        (["bench", "--budget", "0"], "budget must be at least 1"),
        (["bench", "--fidelity", "50"], "fidelity must be one of"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args, message):
    result = _cli(*args)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0] and "Traceback" not in result.stderr


def test_missing_and_corrupt_data_are_one_line(tmp_path, monkeypatch):
    missing = _cli("bench", "--seeds", "1", "--budget", "5", "--data-path", str(tmp_path / "x"))
    assert missing.returncode == 2 and "benchmark data not found at" in missing.stderr
    assert len(missing.stderr.strip().splitlines()) == 1
    corrupt = tmp_path / "corrupt.csv"
    corrupt.write_text("arch,cifar10_200ep\nxyz,1\n")
    result = _cli("bench", "--seeds", "1", "--budget", "5", "--data-path", str(corrupt))
    assert result.returncode == 2 and "corrupt.csv" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
