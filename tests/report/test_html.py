"""`nasforge report`: one self-contained HTML file for a real bench result and a real
study; the confidence intervals agree with scipy; bad input is one line and exit 2."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from typer.testing import CliRunner

from nasforge.bench import benchmark
from nasforge.cli import app
from nasforge.report.html import mean_interval, run_values, welch_difference, write_report
from nasforge.report.views import plotly_js


@pytest.fixture(scope="module")
def bench_dir(tmp_path_factory, table_path):
    result = benchmark(("random", "evolution", "local"), seeds=4, budget=30, workers=1)
    folder = tmp_path_factory.mktemp("bench") / "nb201-cifar10"
    result.save(folder)
    return folder


def _self_contained(page: str) -> None:
    bundle = plotly_js().read_text()
    assert page.count(bundle) == 1  # plotly.js is inlined, once
    ours = page.replace(bundle, "")
    assert ours.count("<html") == 1 and "Plotly.newPlot" in ours
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", ours), "an external asset"


def test_bench_report(bench_dir, tmp_path):
    path = write_report(bench_dir, tmp_path / "bench.html")
    page = path.read_text()
    _self_contained(page)
    assert "4 seeds x 30 queries" in page
    summary = pd.read_csv(bench_dir / "summary.csv")
    for strategy in summary["strategy"]:
        assert f"<td>{strategy}</td>" in page
    assert "difference from random search" in page and "95% CI over seeds" in page
    assert page.count("Plotly.newPlot(") == 2
    assert not list(tmp_path.glob("*.part"))


def test_bands_are_student_t_and_welch_intervals(bench_dir):
    curves = pd.read_csv(bench_dir / "curves.csv")
    values = run_values(curves, "query", np.arange(1, 31))
    assert values["random"].shape == (4, 30)
    last = curves[curves["query"] == 30].set_index(["strategy", "seed"])["test_acc"]
    assert values["local"][:, -1] == pytest.approx(last["local"].to_numpy())
    mean, half, _ = mean_interval(values["local"])
    low, high = stats.t.interval(0.95, 3, loc=mean[-1], scale=stats.sem(values["local"][:, -1]))
    assert (mean[-1] - half[-1], mean[-1] + half[-1]) == pytest.approx((low, high))
    diff, half = welch_difference(values["evolution"], values["random"])
    test = stats.ttest_ind(values["evolution"][:, -1], values["random"][:, -1], equal_var=False)
    interval = test.confidence_interval(0.95)
    if np.isfinite(interval.low):
        assert (diff[-1] - half[-1], diff[-1] + half[-1]) == pytest.approx(
            (interval.low, interval.high)
        )


def test_run_report(storage, tmp_path):
    path = write_report(storage, tmp_path / "run.html", name="main")
    page = path.read_text()
    _self_contained(page)
    assert "search main" in page and "12 complete" in page
    assert "NaN loss at epoch 2" in page and "params 2.0M &gt; 1.0M" in page
    assert page.count("<svg") >= 13  # the best trial, then the 25 best (here: all 15)
    assert "Operations the best 5 of 12 share" in page


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda p: p / "missing", "no run or bench result at"),
        (lambda p: p, "is neither a run directory"),
        (lambda p: (p / "study.db").write_bytes(b"garbage" * 100) and p, "not a study database"),
    ],
)  # fmt: skip
def test_report_bad_input_is_one_line_and_exit_2(tmp_path, make, message):
    source = make(tmp_path)
    out = tmp_path / "out" / "r.html"
    done = CliRunner().invoke(app, ["report", str(source), "-o", str(out)])
    assert done.exit_code == 2 and message in done.output, done.output
    assert len(done.output.strip().splitlines()) == 1 and not out.exists()


def test_report_command(bench_dir, tmp_path):
    done = CliRunner().invoke(app, ["report", str(bench_dir), "-o", str(tmp_path / "r.html")])
    assert done.exit_code == 0 and "report written to" in done.output
    done = CliRunner().invoke(app, ["report", str(bench_dir), "-o", str(tmp_path / "r.pdf")])
    assert done.exit_code == 2 and "--output must end in .html" in done.output
    several = CliRunner().invoke(app, ["report", str(bench_dir.parent), "-o", "x.html"])
    assert several.exit_code == 2


def test_multi_objective_bench_report(tmp_path):
    """A multi-objective bench directory, by the columns docs/bench.md documents for
    runs.csv (a tiny hand-made one: the real bench takes a minute)."""
    folder = tmp_path / "nb201-cifar10-val_acc-params"
    folder.mkdir()
    runs = pd.DataFrame({
        "strategy": ["nsga2"] * 4 + ["random"] * 4, "seed": [0, 0, 1, 1] * 2,
        "budget": [20, 40] * 4, "hypervolume": [0.90, 0.92, 0.89, 0.93, 0.85, 0.88, 0.86, 0.87],
        "front_size": [5, 8, 4, 7, 3, 4, 3, 5],
    })  # fmt: skip
    runs.to_csv(folder / "runs.csv", index=False)
    runs.groupby(["strategy", "budget"], as_index=False)["hypervolume"].mean().to_csv(
        folder / "summary.csv", index=False
    )
    page = write_report(folder, tmp_path / "mo.html").read_text()
    _self_contained(page)
    assert "hypervolume of each run" in page and page.count('"type": "box"') == 2
