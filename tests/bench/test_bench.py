from __future__ import annotations

import json

import pytest

import nasforge


@pytest.fixture(scope="module")
def small_run():
    return nasforge.benchmark(strategies=["random", "evolution"], seeds=3, budget=40, workers=1)


def test_curves_are_monotone_and_summary_is_complete(small_run):
    curves = small_run.curves
    assert len(curves) == 2 * 3 * 40
    for _, run in curves.groupby(["strategy", "seed"]):
        assert run["best_val_acc"].is_monotonic_increasing
    summary = small_run.summary()
    assert list(summary.index) == ["random", "evolution"]
    assert {"mean", "std", "regret", "at_10", "at_30", "queries_per_s"} <= set(summary.columns)
    assert (summary["regret"] == small_run.optimum - summary["mean"]).all()
    assert small_run.optimum == pytest.approx(94.3733)


def test_comparison_gives_intervals_and_a_paired_test_against_random(small_run):
    from scipy.stats import wilcoxon

    table = small_run.comparison()
    final = small_run.final().pivot_table(index="seed", columns="strategy", values="test_acc")
    for name in ("random", "evolution"):
        row = table.loc[name]
        assert row["ci_low"] <= row["mean"] <= row["ci_high"]
        assert row["mean"] == pytest.approx(final[name].mean())
        assert final[name].min() <= row["ci_low"] and row["ci_high"] <= final[name].max()
    assert table.loc["random", "vs_random"] == 0.0 and table.loc["random", "p_value"] == 1.0
    differences = final["evolution"] - final["random"]
    assert table.loc["evolution", "vs_random"] == pytest.approx(differences.mean())
    if differences.any():
        expected = wilcoxon(differences, zero_method="zsplit").pvalue
        assert table.loc["evolution", "p_value"] == pytest.approx(expected)
    summary = small_run.summary()
    assert {"ci_low", "ci_high", "vs_random", "p_value"} <= set(summary.columns)
    at_10 = small_run.comparison(small_run.at(10))
    assert at_10.loc["evolution", "mean"] == pytest.approx(summary.loc["evolution", "at_10"])


def test_without_random_there_is_no_paired_column():
    result = nasforge.benchmark(strategies=["evolution"], seeds=2, budget=10, workers=1)
    row = result.summary().loc["evolution"]
    assert row["ci_low"] <= row["mean"] <= row["ci_high"] and row["vs_random"] != row["vs_random"]


def test_results_are_reproducible_and_independent_of_workers(small_run):
    again = nasforge.benchmark(strategies=["random", "evolution"], seeds=3, budget=40, workers=2)
    assert again.curves.equals(small_run.curves)


def test_save_writes_csv_json_and_plot(small_run, tmp_path):
    paths = small_run.save(tmp_path / "out")
    data = json.loads(paths["json"].read_text())
    assert data["budget"] == 40 and len(data["mean_curves"]["random"]) == 40
    assert paths["plot"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert paths["curves"].read_text().startswith("strategy,seed,query,best_val_acc,test_acc")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"budget": 0}, "budget must be at least 1"),
        ({"seeds": 0}, "seeds must be at least 1"),
        ({"strategies": ["nope"]}, "unknown strategy 'nope'"),
        ({"dataset": "mnist"}, "unknown dataset 'mnist'"),
        ({"space": "darts"}, "no tabular benchmark"),
    ],
)
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        nasforge.benchmark(**{"seeds": 1, "budget": 5, **kwargs})


def test_a_worker_runs_pytorch_on_its_share_of_the_cores(monkeypatch):
    import torch

    from nasforge.bench import runner

    seen, real = [], runner.run_study

    def observed(*args, **kwargs):
        seen.append(torch.get_num_threads())
        return real(*args, **kwargs)

    monkeypatch.setattr(runner, "run_study", observed)
    before = torch.get_num_threads()
    run = runner._Run("random", 0, "nb201", "cifar10", 5, "one_seed", 200, None, None, (), 1)
    _, frame, _ = runner._run_one(run)
    assert seen == [1] and len(frame) == 5
    assert torch.get_num_threads() == before  # restored after the run
