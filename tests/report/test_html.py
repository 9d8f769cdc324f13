"""`nasforge report`: one self-contained HTML file for a real bench result and a real
study; its confidence bands are bench's intervals; bad input is one line and exit 2."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from nasforge.bench import benchmark
from nasforge.bench.statistics import bootstrap_bands
from nasforge.cli import app
from nasforge.report.html import run_values, write_report
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


def test_bands_are_the_bench_summary_intervals(bench_dir):
    """The anytime band at the last query is bench's own 95 % bootstrap interval of the
    mean, and the difference band is its paired interval against random search."""
    curves = pd.read_csv(bench_dir / "curves.csv")
    summary = pd.read_csv(bench_dir / "summary.csv").set_index("strategy")
    values = run_values(curves, "query", np.arange(1, 31))
    assert values["random"].shape == (4, 30)
    last = curves[curves["query"] == 30].set_index(["strategy", "seed"])["test_acc"]
    assert values["local"][:, -1] == pytest.approx(last["local"].sort_index().to_numpy())
    for name in ("local", "evolution"):
        mean, low, high = bootstrap_bands(values[name])
        row = summary.loc[name]
        assert (mean[-1], low[-1], high[-1]) == pytest.approx(
            (row["mean"], row["ci_low"], row["ci_high"])
        )
        _, low, high = bootstrap_bands(values[name] - values["random"])
        assert (low[-1], high[-1]) == pytest.approx((row["vs_random_low"], row["vs_random_high"]))
        assert np.all(low <= high)


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


def test_run_report_of_a_regression_search(tmp_path):
    # summary.json of a regression run has no test_acc: the report names its own metrics
    from nasforge.run.search import search

    result = search("diabetes", trials=3, epochs=1, confirm_top=1, output_dir=tmp_path,
                    export=False, baseline=False, threads=1)  # fmt: skip
    page = write_report(result.run_dir, tmp_path / "run.html").read_text()
    rmse = result.test_metrics["test_rmse"]
    assert f"test rmse {rmse:.4g}" in page and "best validation rmse" in page
