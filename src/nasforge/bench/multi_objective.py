"""Multi-objective strategies on the NAS-Bench-201 table: the hypervolume of the Pareto
front each run finds, accuracy x params or accuracy x FLOPs, over many seeds, beside
random search (the protocol of Lindauer & Hutter, JMLR 2020, for several objectives).

A run searches on `objectives` (`val_acc`, the noisy single-seed accuracy, to maximise;
`params` and / or `flops`, to minimise) for the largest budget through the one loop
(`run_study` with a `TrialLog`). At each budget b its front is the trials among the first
b that no other of them dominates on the search objectives; what is reported is the
hypervolume of those architectures' (test accuracy, cost) points, test accuracy being
the seed-averaged 200-epoch figure the search never sees.

Normalisation and the fixed reference point: accuracy a (%) counts as a / 100, a cost c
as (c_max - c) / (c_max - c_min), c_min and c_max the smallest and largest cost over all
15,625 architectures of the space on that dataset. The reference point, accuracy 0 and
cost c_max, is then the origin, and the hypervolume lies in [0, 1] (1: an architecture
of 100 % accuracy at the cheapest cost). Mean and 95 % bootstrap interval over seeds.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from nasforge._progress import progress_bar
from nasforge.architecture import Architecture
from nasforge.bench.statistics import bootstrap_interval
from nasforge.constraints import pareto_front
from nasforge.evaluators.tabular import DATASETS, NB201Benchmark
from nasforge.registry import SPACES, STRATEGIES
from nasforge.run.loop import TrialLog, run_study
from nasforge.spaces.nb201 import OPERATIONS
from nasforge.strategies.base import Strategy
from nasforge.strategies.options import create_strategy, split_options

COSTS = ("params", "flops")


@dataclass(frozen=True)
class MultiObjectiveResult:
    """Hypervolume per strategy x seed x budget (`runs`), the cost bounds used, and the
    hypervolume of the table's true front (None when not computed)."""

    dataset: str
    objectives: tuple[str, ...]
    strategies: list[str]
    seeds: list[int]
    budgets: tuple[int, ...]
    bounds: dict[str, tuple[float, float]]
    runs: pd.DataFrame
    optimum: float | None = None

    def summary(self) -> pd.DataFrame:
        """Per strategy and budget: mean hypervolume, its 95 % bootstrap interval over
        the seeds, and the mean front size."""
        rows = []
        for (strategy, budget), group in self.runs.groupby(["strategy", "budget"], sort=False):
            volumes = group["hypervolume"].to_numpy()
            low, high = bootstrap_interval(volumes)
            rows.append(
                {
                    "strategy": strategy,
                    "budget": budget,
                    "hypervolume": volumes.mean(),
                    "ci_low": low,
                    "ci_high": high,
                    "front_size": group["front_size"].mean(),
                }
            )
        return pd.DataFrame(rows)

    def save(self, directory: str | Path) -> dict[str, Path]:
        """`runs.csv` (every strategy x seed x budget) and `summary.csv` in `directory`."""
        folder = Path(directory)
        folder.mkdir(parents=True, exist_ok=True)
        paths = {"runs": folder / "runs.csv", "summary": folder / "summary.csv"}
        self.runs.to_csv(paths["runs"], index=False)
        self.summary().to_csv(paths["summary"], index=False)
        return paths


def hypervolume(points: np.ndarray) -> float:
    """The volume dominated by `points` (rows, larger is better in every column) above the
    origin, the reference point: exact in 2 dimensions (a sort and a sum) and 3 (slices)."""
    points = np.asarray(points, dtype=float)
    if points.size == 0:
        return 0.0
    points = points.reshape(len(points), -1)
    points = points[(points > 0).all(axis=1)]
    if len(points) == 0:
        return 0.0
    if points.shape[1] == 1:
        return float(points.max())
    if points.shape[1] == 2:
        ordered = points[np.lexsort((-points[:, 1], -points[:, 0]))]  # x descending
        heights = np.maximum.accumulate(ordered[:, 1])
        widths = ordered[:, 0] - np.append(ordered[1:, 0], 0.0)
        return float(np.sum(widths * heights))
    if points.shape[1] == 3:
        ordered = points[np.argsort(-points[:, 2], kind="stable")]
        depths = ordered[:, 2] - np.append(ordered[1:, 2], 0.0)
        return float(sum(hypervolume(ordered[: i + 1, :2]) * d for i, d in enumerate(depths)))
    raise ValueError(f"hypervolume is implemented for 1 to 3 objectives, got {points.shape[1]}")


def cost_bounds(evaluator: NB201Benchmark, costs: Sequence[str]) -> dict[str, tuple[float, float]]:
    """The smallest and largest of each cost over every architecture of the space. A cell's
    cost is the sum of its six edges' (every edge maps C channels to C at one resolution),
    so the extremes are those of the cells with one operation on every edge."""
    space = SPACES.create("nb201")
    uniform = [
        Architecture.from_parts(space.name, space.labels, (op,) * len(space.labels))
        for op in OPERATIONS
    ]
    values = np.array([[evaluator.evaluate(a).metrics[c] for c in costs] for a in uniform])
    return {c: (float(values[:, i].min()), float(values[:, i].max())) for i, c in enumerate(costs)}


def true_front_hypervolume(
    evaluator: NB201Benchmark, objectives: Sequence[str], bounds: dict[str, tuple[float, float]]
) -> float:
    """The hypervolume of the best front any search can find: every architecture of the
    space ranked on test accuracy and costs (builds each cost once, some seconds)."""
    space = SPACES.create("nb201")
    metrics = [evaluator.evaluate(a).metrics for a in space]
    goals = ["test_acc", *objectives[1:]]
    values = np.array([[m[g] for g in goals] for m in metrics])
    front = values[pareto_front(values, [g == "test_acc" for g in goals])]
    return hypervolume(_normalised(front, bounds, objectives[1:]))


def _normalised(
    values: np.ndarray, bounds: dict[str, tuple[float, float]], costs: Sequence[str]
) -> np.ndarray:
    """Rows (accuracy %, costs...) as points of the unit box (see the module doc)."""
    points = np.array(values, dtype=float).reshape(len(values), 1 + len(costs))
    points[:, 0] /= 100.0
    for i, cost in enumerate(costs, 1):
        low, high = bounds[cost]
        points[:, i] = (high - points[:, i]) / (high - low)
    return points


def front_hypervolume(
    trials: Sequence, objectives: Sequence[str], bounds: dict[str, tuple[float, float]]
) -> tuple[float, int]:
    """The hypervolume (normalised, see the module doc) of the test accuracy and costs of
    the trials on the search objectives' Pareto front, and the front's size."""
    scored = [t for t in trials if t.ok and all(o in t.metrics for o in objectives)]
    if not scored:
        return 0.0, 0
    search = np.array([[t.metrics[o] for o in objectives] for t in scored])
    front = [scored[i] for i in pareto_front(search, [o == "val_acc" for o in objectives])]
    values = [[t.metrics["test_acc"], *(t.metrics[c] for c in objectives[1:])] for t in front]
    return hypervolume(_normalised(np.array(values), bounds, objectives[1:])), len(front)


@dataclass(frozen=True)
class _Run:
    strategy: str
    seed: int
    dataset: str
    objectives: tuple[str, ...]
    budgets: tuple[int, ...]
    noise: str
    data_path: str | None
    options: tuple[tuple[str, object], ...] = ()


def make_strategy(
    name: str, objectives: Sequence[str], options: Mapping[str, object] | None = None
) -> Strategy:
    """The strategy `name` with its `options`, given every objective when it is
    multi-objective (val_acc maximised, costs minimised); a single-objective one
    optimises val_acc alone."""
    strategy = create_strategy(name, options)
    if strategy.multi_objective:
        directions = tuple("maximize" if o == "val_acc" else "minimize" for o in objectives)
        goals = {"objectives": tuple(objectives), "directions": directions}
        strategy = create_strategy(name, {**(options or {}), **goals})
    return strategy


def _run_one(run: _Run, bounds: dict[str, tuple[float, float]]) -> list[dict]:
    space = SPACES.create("nb201")
    evaluator = NB201Benchmark(run.dataset, noise=run.noise, data_path=run.data_path)
    strategy = make_strategy(run.strategy, run.objectives, dict(run.options))
    history = run_study(TrialLog(), space, strategy, evaluator, max(run.budgets), seed=run.seed)
    rows = []
    for budget in run.budgets:
        volume, size = front_hypervolume(history.trials[:budget], run.objectives, bounds)
        rows.append(
            {"strategy": run.strategy, "seed": run.seed, "budget": budget,
             "hypervolume": volume, "front_size": size}
        )  # fmt: skip
    return rows


def _check(strategies, dataset, objectives, budgets) -> None:
    if not strategies:
        raise ValueError("give at least one strategy; known: " + ", ".join(STRATEGIES.names()))
    for name in strategies:
        STRATEGIES.get(name)  # raises a ValueError listing the known names
    if dataset not in DATASETS:
        raise ValueError(f"unknown dataset {dataset!r}; accepted: {', '.join(DATASETS)}")
    costs = objectives[1:]
    if (
        len(objectives) < 2 or objectives[0] != "val_acc"
        or any(c not in COSTS for c in costs) or len(set(costs)) != len(costs)
    ):  # fmt: skip
        raise ValueError(
            f"objectives must be val_acc then params and / or flops; got {', '.join(objectives)}"
        )
    if not budgets or min(budgets) < 1:
        raise ValueError(f"query budgets must be at least 1, got {', '.join(map(str, budgets))}")


def benchmark_multi_objective(
    strategies: Sequence[str] = ("nsga2", "nsgaii", "random"),
    dataset: str = "cifar10",
    objectives: Sequence[str] = ("val_acc", "params"),
    seeds: int | Sequence[int] = 20,
    budgets: Sequence[int] = (100, 300),
    noise: str = "one_seed",
    strategy_options: Mapping[str, object] | None = None,
    data_path: str | Path | None = None,
    workers: int | None = None,
    progress: bool = False,
    true_front: bool = True,
) -> MultiObjectiveResult:
    """Hypervolume of every strategy x seed at every budget on the NAS-Bench-201 table
    (see the module doc). Seed s runs the loop with `seed=s`; `noise` and
    `strategy_options` as in `nasforge.benchmark`; `workers` processes share the runs
    (default: one per CPU core). `true_front` also computes the hypervolume of the
    table's true front (the best reachable), which costs some seconds."""
    objectives = tuple(objectives)
    budgets = tuple(sorted(set(budgets)))
    seed_list = list(range(seeds)) if isinstance(seeds, int) else [int(s) for s in seeds]
    if not seed_list:
        raise ValueError("give at least one seed")
    _check(strategies, dataset, objectives, budgets)
    options = split_options(list(strategies), strategy_options)
    for name in strategies:  # a bad setting fails here, before any run
        make_strategy(name, objectives, options[name])
    path = str(data_path) if data_path else None
    evaluator = NB201Benchmark(dataset, noise=noise, data_path=path).setup()
    bounds = cost_bounds(evaluator, objectives[1:])
    # Before the workers fork, so that they inherit every cost already computed.
    optimum = true_front_hypervolume(evaluator, objectives, bounds) if true_front else None
    runs = [
        _Run(name, seed, dataset, objectives, budgets, noise, path, tuple(options[name].items()))
        for name in strategies
        for seed in seed_list
    ]
    workers = min(workers or os.cpu_count() or 1, len(runs))
    rows: list[dict] = []
    with progress_bar(progress, len(runs), "runs") as update:
        if workers <= 1:
            for run in runs:
                rows += _run_one(run, bounds)
                update(len(rows) // len(budgets))
        else:
            context = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
            with ProcessPoolExecutor(workers, mp_context=context) as pool:
                futures = [pool.submit(_run_one, run, bounds) for run in runs]
                for done, future in enumerate(futures, 1):
                    rows += future.result()
                    update(done)
    return MultiObjectiveResult(
        dataset, objectives, list(strategies), seed_list, budgets, bounds, pd.DataFrame(rows),
        optimum,
    )  # fmt: skip
