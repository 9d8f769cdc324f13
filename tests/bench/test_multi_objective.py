"""The multi-objective bench: exact hypervolumes, bootstrap intervals, cost bounds, and
runs that are the loop's runs."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from nasforge.bench.multi_objective import (
    benchmark_multi_objective,
    bootstrap_interval,
    cost_bounds,
    front_hypervolume,
    hypervolume,
    make_strategy,
)
from nasforge.evaluators import NB201Benchmark
from nasforge.run.loop import TrialLog, run_study

COSTS = ("params", "flops")


@pytest.fixture(scope="module")
def costed(table_path) -> NB201Benchmark:
    return NB201Benchmark("cifar10").setup()


def _grid_volume(points: np.ndarray, cells: int) -> float:
    """Brute force on a grid whose cells the integer points' boxes cover exactly."""
    inside = 0
    for cell in itertools.product(range(cells), repeat=points.shape[1]):
        centre = (np.array(cell) + 0.5) / cells
        inside += bool(np.any(np.all(points / cells >= centre, axis=1)))
    return inside / cells ** points.shape[1]


def test_two_dimensional_hypervolume_is_the_union_of_boxes():
    assert hypervolume(np.array([[1.0, 0.5], [0.5, 1.0]])) == pytest.approx(0.75)
    with_dominated = np.array([[1.0, 0.5], [0.5, 1.0], [0.4, 0.4], [0.0, 2.0], [-1.0, 3.0]])
    assert hypervolume(with_dominated) == pytest.approx(0.75)
    assert hypervolume(np.empty((0, 2))) == 0.0


@pytest.mark.parametrize("dims", [2, 3])
def test_hypervolume_matches_brute_force(dims):
    rng = np.random.default_rng(dims)
    for _ in range(5):
        points = rng.integers(1, 9, size=(7, dims)).astype(float)
        assert hypervolume(points / 8) == pytest.approx(_grid_volume(points, 8))


def test_bootstrap_interval_brackets_the_mean_and_narrows_with_data():
    rng = np.random.default_rng(0)
    few, many = rng.normal(size=10), rng.normal(size=1000)
    low, high = bootstrap_interval(few)
    assert low < few.mean() < high
    assert bootstrap_interval(few) == (low, high), "a fixed resampling seed"
    low_many, high_many = bootstrap_interval(many)
    assert high_many - low_many < high - low


@pytest.mark.slow
def test_cost_bounds_are_the_extremes_over_the_whole_space(costed, space):
    costs = np.array([[costed.evaluate(a).metrics[c] for c in COSTS] for a in space])
    bounds = cost_bounds(costed, COSTS)
    for i, cost in enumerate(COSTS):
        assert bounds[cost] == (costs[:, i].min(), costs[:, i].max())


def test_a_bench_row_is_the_hypervolume_of_the_loops_run(costed, space):
    objectives = ("val_acc", "params")
    result = benchmark_multi_objective(
        ("nsga2", "random"), "cifar10", objectives, seeds=2, budgets=(12, 24), workers=1,
        true_front=False,
    )  # fmt: skip
    assert len(result.runs) == 2 * 2 * 2 and result.optimum is None
    strategy = make_strategy("nsga2", objectives)
    assert strategy.objectives == objectives and strategy.directions == ("maximize", "minimize")
    history = run_study(TrialLog(), space, strategy, costed, 24, seed=1)
    row = result.runs.query("strategy == 'nsga2' and seed == 1 and budget == 12").iloc[0]
    volume, size = front_hypervolume(history.trials[:12], objectives, result.bounds)
    assert row["hypervolume"] == volume and row["front_size"] == size
    assert 0.5 < volume < 1.0
    summary = result.summary()
    assert list(summary["strategy"]) == ["nsga2", "nsga2", "random", "random"]
    assert (
        (summary["ci_low"] <= summary["hypervolume"])
        & (summary["hypervolume"] <= summary["ci_high"])
    ).all()


def test_bad_objectives_and_budgets_are_refused():
    with pytest.raises(ValueError, match="objectives must be val_acc then params"):
        benchmark_multi_objective(objectives=("val_acc",), seeds=1, true_front=False)
    with pytest.raises(ValueError, match="objectives must be val_acc then params"):
        benchmark_multi_objective(objectives=("val_acc", "latency_ms"), seeds=1)
    with pytest.raises(ValueError, match="budgets must be at least 1"):
        benchmark_multi_objective(budgets=(0, 10), seeds=1)
    with pytest.raises(ValueError, match="unknown strategy"):
        benchmark_multi_objective(strategies=("annealing",), seeds=1)


@pytest.mark.slow
def test_nsga2_finds_a_better_front_than_random_search():
    result = benchmark_multi_objective(
        ("nsga2", "random"), "cifar10", seeds=20, budgets=(100,), true_front=False
    )
    summary = result.summary().set_index("strategy")["hypervolume"]
    assert summary["nsga2"] > summary["random"]


@pytest.mark.slow
def test_cli_prints_the_hypervolume_table(tmp_path):
    from typer.testing import CliRunner

    from nasforge.cli import app

    args = ["bench", "--objectives", "val_acc,flops", "--strategies", "nsga2,random"]
    args += ["--seeds", "2", "--budget", "120", "--output", str(tmp_path), "--workers", "1"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "@ 100" in result.output and "@ 120" in result.output and "true front" in result.output
    summary = (tmp_path / "nb201-cifar10-val_acc-flops" / "summary.csv").read_text()
    assert summary.count("nsga2") == 2 and summary.count("random") == 2


def test_cli_refuses_a_bad_objective_in_one_line(tmp_path):
    from typer.testing import CliRunner

    from nasforge.cli import app

    args = ["bench", "--objectives", "val_acc,latency_ms", "--output", str(tmp_path)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert "objectives must be val_acc then params" in result.output
    assert "Traceback" not in result.output
