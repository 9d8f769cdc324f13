"""Predictor evaluation on a tabular benchmark, following the protocol of White et al.,
"How powerful are performance predictors in NAS?" (NeurIPS 2021): per seed, fit on `n`
random architectures' noisy search objective (`val_acc`, one training seed) and rank a
held-out set; report Kendall tau and Spearman rho against the held-out seed-mean test
accuracy, plus fit and query time.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import kendalltau, spearmanr

from nasforge.bench.runner import TABULAR_SPACES
from nasforge.evaluators.tabular import DATASETS, NB201Benchmark
from nasforge.registry import SPACES

DEFAULT_PREDICTORS = ("mlp_ensemble", "gp", "lgbm", "gin", "zc")
DEFAULT_TRAIN_SIZES = (10, 20, 50, 100, 200, 500)


@dataclass(frozen=True)
class _Job:
    seed: int
    predictors: tuple[str, ...]
    train_sizes: tuple[int, ...]
    space: str
    dataset: str
    test_size: int
    data_path: str | None
    device: str = "cpu"


def _run_seed(job: _Job) -> list[dict]:
    """Every predictor at every training size for one seed's split."""
    import torch

    from nasforge.predictors import create_predictor

    torch.set_num_threads(1)
    space = SPACES.create(job.space)
    table = NB201Benchmark(job.dataset, cost_metrics=False, data_path=job.data_path).setup()
    rng = np.random.default_rng(job.seed)
    order = rng.permutation(len(space))
    test_idx = order[: job.test_size]
    train_idx = order[job.test_size : job.test_size + max(job.train_sizes)]
    test_archs = [space.from_index(int(i)) for i in test_idx]
    train_archs = [space.from_index(int(i)) for i in train_idx]
    target = table.test_[test_idx]
    rows = []
    for name in job.predictors:
        for size in job.train_sizes:
            model = create_predictor(name, space, job.seed, task=job.dataset, device=job.device)
            start = time.perf_counter()
            model.fit(train_archs[:size], table.columns_[200][train_idx[:size]])
            fitted = time.perf_counter()
            predicted = model.predict(test_archs)
            queried = time.perf_counter()
            rows.append(
                {
                    "predictor": name,
                    "train_size": size,
                    "seed": job.seed,
                    "kendall_tau": float(kendalltau(predicted, target)[0]),
                    "spearman": float(spearmanr(predicted, target)[0]),
                    "fit_s": fitted - start,
                    "query_ms": 1000 * (queried - fitted) / len(test_archs),
                }
            )
    return rows


@dataclass
class PredictorEvaluation:
    """One row per predictor, training size and seed; `summary()` averages over seeds."""

    space: str
    dataset: str
    test_size: int
    rows: pd.DataFrame

    def summary(self) -> pd.DataFrame:
        """Mean (and std of Kendall tau) per predictor and training size."""
        grouped = self.rows.groupby(["predictor", "train_size"], sort=False)
        table = grouped[["kendall_tau", "spearman", "fit_s", "query_ms"]].mean()
        table.insert(1, "kendall_std", grouped["kendall_tau"].std(ddof=1).fillna(0.0))
        return table

    def to_dict(self) -> dict:
        summary = self.summary().reset_index()
        return {
            "space": self.space,
            "dataset": self.dataset,
            "test_size": self.test_size,
            "target": "seed-mean test accuracy (trained on the one-seed val_acc)",
            "summary": summary.to_dict(orient="records"),
            "runs": self.rows.to_dict(orient="records"),
        }

    def save(self, directory: str | Path) -> dict[str, Path]:
        """Write runs.csv, summary.csv, results.json and kendall.png under `directory`."""
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        out = Path(directory)
        out.mkdir(parents=True, exist_ok=True)
        paths = {
            "runs": out / "runs.csv",
            "summary": out / "summary.csv",
            "json": out / "results.json",
            "plot": out / "kendall.png",
        }
        self.rows.to_csv(paths["runs"], index=False)
        self.summary().to_csv(paths["summary"])
        paths["json"].write_text(json.dumps(self.to_dict(), indent=2))
        figure, axis = plt.subplots(figsize=(6, 4))
        summary = self.summary().reset_index()
        for name, part in summary.groupby("predictor", sort=False):
            axis.errorbar(
                part["train_size"],
                part["kendall_tau"],
                part["kendall_std"],
                marker="o",
                capsize=3,
                label=name,
            )
        axis.set(
            xscale="log",
            xlabel="training architectures",
            ylabel="Kendall tau",
            title=f"{self.space} / {self.dataset}: rank correlation on {self.test_size}",
        )
        axis.legend()
        figure.tight_layout()
        figure.savefig(paths["plot"], dpi=120)
        plt.close(figure)
        return paths


def evaluate_predictors(
    predictors: Sequence[str] = DEFAULT_PREDICTORS,
    space: str = "nb201",
    dataset: str = "cifar10",
    train_sizes: Sequence[int] = DEFAULT_TRAIN_SIZES,
    seeds: int | Sequence[int] = 10,
    test_size: int = 1000,
    data_path: str | Path | None = None,
    workers: int | None = None,
    device: str = "cpu",
) -> PredictorEvaluation:
    """Fit every predictor on each training size for each seed and rank a held-out set.

    `seeds` is a count (0..n-1) or explicit seeds; seed s draws the split with
    `numpy.random.default_rng(s)` and seeds the predictors. Seeds run in `workers`
    processes (default: one per CPU core). Predictors that train a network (`gin`) run
    on `device` (cpu, auto, cuda[:N]; `nasforge.devices`); worker processes are then
    spawned, not forked, as CUDA requires.
    """
    from nasforge.devices import resolve_device
    from nasforge.predictors import PREDICTORS

    on_gpu = resolve_device(device).type != "cpu"

    seed_list = list(range(seeds)) if isinstance(seeds, int) else [int(s) for s in seeds]
    if not predictors:
        raise ValueError("give at least one predictor; known: " + ", ".join(PREDICTORS.names()))
    for name in predictors:
        PREDICTORS.get(name)  # ValueError listing the known names
    if space not in TABULAR_SPACES:
        raise ValueError(
            f"no tabular benchmark for space {space!r}; accepted: {', '.join(TABULAR_SPACES)}"
        )
    if dataset not in DATASETS:
        raise ValueError(f"unknown dataset {dataset!r}; accepted: {', '.join(DATASETS)}")
    if not seed_list:
        raise ValueError("give at least one seed")
    if workers is not None and workers < 1:
        raise ValueError(f"workers must be at least 1 (or None: one per CPU core), got {workers}")
    sizes = tuple(int(s) for s in train_sizes)
    if not sizes or min(sizes) < 2:
        raise ValueError(f"training sizes must be at least 2, got {list(sizes)}")
    total = len(SPACES.create(space))
    if test_size < 2 or test_size + max(sizes) > total:
        raise ValueError(
            f"test size {test_size} plus the largest training size {max(sizes)} must fit in "
            f"the {total} architectures of {space!r}"
        )
    NB201Benchmark(dataset, cost_metrics=False, data_path=data_path).setup()  # fail early
    path = str(data_path) if data_path else None
    jobs = [
        _Job(seed, tuple(predictors), sizes, space, dataset, test_size, path, device)
        for seed in seed_list
    ]
    workers = min(workers or os.cpu_count() or 1, len(jobs))
    if workers <= 1:
        results = [_run_seed(job) for job in jobs]
    else:
        fork = os.name == "posix" and not on_gpu
        context = multiprocessing.get_context("fork" if fork else "spawn")
        with ProcessPoolExecutor(workers, mp_context=context) as pool:
            results = list(pool.map(_run_seed, jobs))
    rows = pd.DataFrame([row for result in results for row in result])
    return PredictorEvaluation(space, dataset, test_size, rows)
