"""Strategies x seeds x query budget on a tabular benchmark, as the NAS best-practice
checklist asks (Lindauer & Hutter, JMLR 2020): many seeds, anytime curves, random search
beside every method, and the regret to the known optimum.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from nasforge._progress import progress_bar
from nasforge.bench.report import BenchmarkResult
from nasforge.devices import torch_threads
from nasforge.evaluators.tabular import DATASETS, FIDELITIES, NB201Benchmark
from nasforge.history import ranking_key
from nasforge.registry import SPACES, STRATEGIES
from nasforge.run.loop import TrialLog, run_study
from nasforge.strategies.base import Strategy
from nasforge.strategies.options import create_strategy, split_options
from nasforge.tasks import benchmark_task

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
    fidelities: tuple[int, ...] | None
    data_path: str | None
    options: tuple[tuple[str, object], ...] = ()
    threads: int | None = None  # PyTorch threads of a worker (None: unchanged)


def _make_strategy(run: _Run) -> Strategy:
    """The strategy of `run` with its options; a multi-fidelity one gets the benchmark's
    fidelities, one that builds networks the benchmark's task."""
    constructor = STRATEGIES.get(run.strategy)
    cls = getattr(constructor, "func", constructor)  # registered partials name their class
    options = dict(run.options)
    if run.fidelities and getattr(cls, "multi_fidelity", False):
        options.setdefault("fidelities", run.fidelities)
    return create_strategy(run.strategy, options, task=benchmark_task(run.dataset))


def _run_one(run: _Run) -> tuple[_Run, pd.DataFrame, float]:
    """One search through the one loop (in memory): after every evaluation, the epochs
    spent so far, the incumbent's validation accuracy and its (seed-mean) test accuracy.

    The incumbent is the ranking's first (most epochs, then validation accuracy), as in
    `search`. With several `fidelities` the run stops at the epoch cost of `budget`
    evaluations at the highest one, so strategies compare at equal cost."""
    evaluator = NB201Benchmark(
        run.dataset, noise=run.noise, fidelity=run.fidelity, cost_metrics=False,
        data_path=run.data_path,
    )  # fmt: skip
    trials, epoch_budget = run.budget, None
    if run.fidelities:
        top = max(run.fidelities)
        trials, epoch_budget = run.budget * top // min(run.fidelities), run.budget * top
    start = time.perf_counter()
    with torch_threads(run.threads):  # workers share the cores instead of oversubscribing
        history = run_study(
            TrialLog(), SPACES.create(run.space), _make_strategy(run), evaluator, trials,
            seed=run.seed, fidelity=top if run.fidelities else run.fidelity,
            epoch_budget=epoch_budget,
        )  # fmt: skip
    elapsed = time.perf_counter() - start
    rows, incumbent, epochs = [], None, 0.0
    for trial in history:
        epochs += trial.metrics.get("fidelity", 0.0)
        if trial.ok and (incumbent is None or ranking_key(trial) > ranking_key(incumbent)):
            incumbent = trial
        best = incumbent.metrics if incumbent else {"val_acc": np.nan, "test_acc": np.nan}
        rows.append((best["val_acc"], best["test_acc"], epochs))
    values = np.array(rows, dtype=float).reshape(-1, 3)
    frame = pd.DataFrame({
        "strategy": run.strategy, "seed": run.seed, "query": np.arange(1, len(values) + 1),
        "best_val_acc": values[:, 0], "test_acc": values[:, 1], "epochs": values[:, 2],
    })  # fmt: skip
    return run, frame, elapsed


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
    fidelities: Sequence[int] | None = None,
    strategy_options: Mapping[str, object] | None = None,
) -> BenchmarkResult:
    """Run every strategy with every seed for `budget` queries on the tabular benchmark,
    each through the one search loop (`run_study`) with nothing stored.

    `seeds` is a count (seeds 0..n-1) or explicit seeds; the run with seed s proposes from
    `numpy.random.default_rng(s)`, as `search` does, so results are reproducible and
    independent of `workers` (processes sharing the runs; default one per CPU core).
    `fidelities` (the table's epoch columns, e.g. (12, 200)) turns on the cost axis:
    multi-fidelity strategies choose among them, the others evaluate at the highest, and
    every run stops at the epoch cost of `budget` evaluations at the highest fidelity.
    `strategy_options` are strategy settings, `KEY` for every strategy that has it or
    `NAME.KEY` for one (see `nasforge.strategies.options`), checked before any run.
    """
    seed_list = list(range(seeds)) if isinstance(seeds, int) else [int(s) for s in seeds]
    if isinstance(seeds, int) and seeds < 1:
        raise ValueError(f"the number of seeds must be at least 1, got {seeds}")
    _check(strategies, space, dataset, seed_list, budget)
    options = split_options(strategies, strategy_options)
    searched = SPACES.create(space)
    for name in strategies:  # a bad setting fails here, before any run
        create_strategy(name, options[name]).check(searched)
    if workers is not None and workers < 1:
        raise ValueError(f"workers must be at least 1 (or None: one per CPU core), got {workers}")
    levels = _check_fidelities(fidelities, noise)
    if fidelities and not levels:
        fidelity = int(next(iter(fidelities)))  # a single fidelity given as a list
    evaluator = NB201Benchmark(
        dataset,
        noise=noise,
        fidelity=max(levels) if levels else fidelity,
        cost_metrics=False,
        data_path=data_path,
    ).setup()  # loads and checks the table before any worker starts
    missing = [f for f in levels or () if f not in evaluator.columns_]
    if missing:
        raise ValueError(f"the table has no {missing[0]}-epoch results for {dataset}")
    path = str(data_path) if data_path else None
    cores = os.cpu_count() or 1
    workers = min(workers or cores, len(strategies) * len(seed_list))
    threads = max(1, cores // workers) if workers > 1 else None
    runs = [
        _Run(
            name,
            seed,
            space,
            dataset,
            budget,
            noise,
            evaluator.fidelity,
            levels,
            path,
            tuple(options[name].items()),
            threads,
        )
        for name in strategies
        for seed in seed_list
    ]
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
    seconds = dict.fromkeys(strategies, 0.0)
    for run, _, elapsed in results:
        seconds[run.strategy] += elapsed
    curves = pd.concat([frame for _, frame, _ in results], ignore_index=True)
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
        fidelity=evaluator.fidelity,
        optimum=evaluator.optimum(),
        curves=curves.reset_index(drop=True),
        run_seconds=seconds,
        fidelities=list(levels) if levels else None,
    )


def _check_fidelities(fidelities: Sequence[int] | None, noise: str) -> tuple[int, ...] | None:
    if not fidelities:
        return None
    levels = tuple(sorted({int(f) for f in fidelities}))
    unknown = [f for f in levels if f not in FIDELITIES]
    if unknown:
        raise ValueError(f"fidelity must be one of {FIDELITIES} epochs, got {unknown[0]}")
    if len(levels) < 2:
        return None  # one fidelity: no cost axis, the same as `fidelity`
    if noise != "one_seed":
        raise ValueError("the 12-epoch column has a single seed only; use noise='one_seed'")
    return levels
