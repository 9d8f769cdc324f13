"""Strategies x seeds x query budget on a tabular benchmark, as the NAS best-practice
checklist asks (Lindauer & Hutter, JMLR 2020): many seeds, anytime curves, random search
beside every method, and the regret to the known optimum.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from nasforge._progress import progress_bar
from nasforge.bench.report import BenchmarkResult
from nasforge.evaluators.tabular import DATASETS, NB201Benchmark
from nasforge.history import History
from nasforge.registry import SPACES, STRATEGIES

TABULAR_SPACES = ("nb201",)


@dataclass(frozen=True)
class _Run:
    strategy: str
    seed: int
    space: str
    dataset: str
    budget: int
    noise: str
    fidelity: int
    data_path: str | None


def _run_one(run: _Run) -> tuple[_Run, np.ndarray, np.ndarray, float]:
    """One search: best-so-far validation and its test accuracy after every query."""
    space = SPACES.create(run.space)
    strategy = STRATEGIES.create(run.strategy)
    evaluator = NB201Benchmark(
        run.dataset,
        noise=run.noise,
        fidelity=run.fidelity,
        cost_metrics=False,
        data_path=run.data_path,
    )
    rng = np.random.default_rng(run.seed)
    history = History()
    best_val = np.empty(run.budget)
    best_test = np.empty(run.budget)
    incumbent_val, incumbent_test = -np.inf, np.nan
    start = time.perf_counter()
    for query in range(run.budget):
        arch = strategy.propose(space, history, rng)
        metrics = evaluator.evaluate(arch).metrics
        history.add(arch, metrics)
        if metrics["val_acc"] > incumbent_val:
            incumbent_val, incumbent_test = metrics["val_acc"], metrics["test_acc"]
        best_val[query], best_test[query] = incumbent_val, incumbent_test
    return run, best_val, best_test, time.perf_counter() - start


def _check(
    strategies: Sequence[str], space: str, dataset: str, seeds: Sequence[int], budget: int
) -> None:
    if not strategies:
        raise ValueError("give at least one strategy; known: " + ", ".join(STRATEGIES.names()))
    for name in strategies:
        STRATEGIES.get(name)  # raises a ValueError listing the known names
    if space not in TABULAR_SPACES:
        raise ValueError(
            f"no tabular benchmark for space {space!r}; accepted: {', '.join(TABULAR_SPACES)}"
        )
    if dataset not in DATASETS:
        raise ValueError(f"unknown dataset {dataset!r}; accepted: {', '.join(DATASETS)}")
    if budget < 1:
        raise ValueError(f"the query budget must be at least 1, got {budget}")
    if not seeds:
        raise ValueError("give at least one seed")


def benchmark(
    strategies: Sequence[str] = ("random", "evolution", "local", "tpe"),
    space: str = "nb201",
    dataset: str = "cifar10",
    seeds: int | Sequence[int] = 20,
    budget: int = 300,
    noise: str = "one_seed",
    fidelity: int = 200,
    data_path: str | Path | None = None,
    workers: int | None = None,
    progress: bool = False,
) -> BenchmarkResult:
    """Run every strategy with every seed for `budget` queries on the tabular benchmark.

    `seeds` is a count (seeds 0..n-1) or explicit seeds; a strategy's run with seed s uses
    `numpy.random.default_rng(s)`, so results are reproducible. `workers` processes share
    the runs (default: one per CPU core).
    """
    seed_list = list(range(seeds)) if isinstance(seeds, int) else [int(s) for s in seeds]
    if isinstance(seeds, int) and seeds < 1:
        raise ValueError(f"the number of seeds must be at least 1, got {seeds}")
    _check(strategies, space, dataset, seed_list, budget)
    evaluator = NB201Benchmark(
        dataset, noise=noise, fidelity=fidelity, cost_metrics=False, data_path=data_path
    ).setup()  # loads and checks the table before any worker starts
    path = str(data_path) if data_path else None
    runs = [
        _Run(name, seed, space, dataset, budget, noise, fidelity, path)
        for name in strategies
        for seed in seed_list
    ]
    workers = min(workers or os.cpu_count() or 1, len(runs))
    results = []
    with progress_bar(progress, len(runs), "runs") as update:
        if workers <= 1:
            for run in runs:
                results.append(_run_one(run))
                update(len(results))
        else:
            context = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
            with ProcessPoolExecutor(workers, mp_context=context) as pool:
                for future in as_completed([pool.submit(_run_one, run) for run in runs]):
                    results.append(future.result())
                    update(len(results))
    rows, seconds = [], dict.fromkeys(strategies, 0.0)
    for run, best_val, best_test, elapsed in results:
        seconds[run.strategy] += elapsed
        rows.append(
            pd.DataFrame(
                {
                    "strategy": run.strategy,
                    "seed": run.seed,
                    "query": np.arange(1, budget + 1),
                    "best_val_acc": best_val,
                    "test_acc": best_test,
                }
            )
        )
    curves = pd.concat(rows, ignore_index=True)
    order = curves["strategy"].map({name: i for i, name in enumerate(strategies)})
    curves = curves.assign(_order=order).sort_values(["_order", "seed", "query"])
    curves = curves.drop(columns="_order")
    return BenchmarkResult(
        space=space,
        dataset=dataset,
        budget=budget,
        seeds=seed_list,
        strategies=list(strategies),
        noise=noise,
        fidelity=fidelity,
        optimum=evaluator.optimum(),
        curves=curves.reset_index(drop=True),
        run_seconds=seconds,
    )
