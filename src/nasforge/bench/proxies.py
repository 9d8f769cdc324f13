"""Evaluation harness for zero-cost proxies: rank correlation with a tabular benchmark's
test accuracy, top-10% precision and compute time, as in NAS-Bench-Suite-Zero
(Krishnakumar et al., NeurIPS 2022 Datasets and Benchmarks)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import kendalltau, spearmanr

from nasforge.devices import resolve_device
from nasforge.evaluators.tabular import DATASETS, NB201Benchmark
from nasforge.evaluators.zerocost import SOURCES, needs_data, proxy_batch
from nasforge.evaluators.zerocost.ensemble import WeightedEnsemble, rank_aggregate
from nasforge.evaluators.zerocost.evaluator import build_initialised
from nasforge.registry import PROXIES, SPACES
from nasforge.tasks import benchmark_task

TABULAR_SPACES = ("nb201",)
DEFAULT_PROXIES = ("synflow", "params", "flops", "l2_norm", "zen")


def top_precision(scores: np.ndarray, truth: np.ndarray, fraction: float = 0.1) -> float:
    """Share of the true top `fraction` among the top `fraction` by `scores`."""
    k = max(1, round(fraction * len(truth)))
    best = set(np.argsort(-truth, kind="stable")[:k].tolist())
    picked = np.argsort(-np.nan_to_num(scores, nan=-np.inf), kind="stable")[:k]
    return len(best.intersection(picked.tolist())) / k


def _quality(scores: np.ndarray, truth: np.ndarray) -> dict[str, float]:
    clean = np.nan_to_num(np.asarray(scores, float), nan=-np.inf, posinf=1e308, neginf=-1e308)
    return {
        "spearman": float(spearmanr(clean, truth)[0]),
        "kendall": float(kendalltau(clean, truth)[0]),
        "top10_precision": top_precision(clean, truth),
    }


@dataclass
class ProxyEvaluation:
    """Per-architecture proxy scores beside the benchmark's accuracies, and their summary.

    `frame` has one row per architecture: `arch`, `val_acc`, `test_acc` and one column per
    proxy; `seconds` is each proxy's mean compute time per architecture (model build not
    included; `build_seconds` is that). The weighted ensemble is fitted on the first
    `labelled` rows' `val_acc`; every row of `summary()` is also scored on the rest.
    """

    space: str
    dataset: str
    proxies: list[str]
    seed: int
    data: str
    batch_size: int
    labelled: int
    frame: pd.DataFrame
    seconds: dict[str, float]
    build_seconds: float

    def ensemble(self) -> WeightedEnsemble | None:
        """The weighted ensemble fitted on the labelled rows (None for a single proxy)."""
        if len(self.proxies) < 2 or self.labelled < 3:
            return None
        pool = {name: self.frame[name].to_numpy(float) for name in self.proxies}
        return WeightedEnsemble(seed=self.seed).fit(
            {name: values[: self.labelled] for name, values in pool.items()},
            self.frame["val_acc"].to_numpy(float)[: self.labelled],
            reference=pool,
        )

    def _columns(self) -> dict[str, np.ndarray]:
        columns = {name: self.frame[name].to_numpy(float) for name in self.proxies}
        if len(self.proxies) > 1:
            ensemble = self.ensemble()
            if ensemble is not None:
                columns["ensemble_weighted"] = ensemble.predict(columns)
            columns["ensemble_rank"] = rank_aggregate(
                {name: columns[name] for name in self.proxies}
            )
        return columns

    def summary(self) -> pd.DataFrame:
        """Per proxy and ensemble: Spearman, Kendall and top-10% precision against test
        accuracy on all archs and on the held-out ones, and seconds per architecture."""
        truth = self.frame["test_acc"].to_numpy(float)
        rest = slice(self.labelled, None)
        rows = {}
        for name, values in self._columns().items():
            row = _quality(values, truth)
            if self.labelled and len(truth) - self.labelled >= 3:
                held = _quality(values[rest], truth[rest])
                row.update({f"held_out_{k}": v for k, v in held.items()})
            row["seconds"] = self.seconds.get(name, float("nan"))
            row["needs_data"] = needs_data(name) if name in self.proxies else None
            rows[name] = row
        return pd.DataFrame.from_dict(rows, orient="index")

    def table(self):
        """The summary as a rich table."""
        from rich.table import Table

        summary = self.summary()
        table = Table(
            title=f"{self.space} / {self.dataset}: {len(self.frame)} archs, "
            f"correlation with test accuracy (data: {self.data})"
        )
        table.add_column("proxy", no_wrap=True)
        table.add_column("data")
        for column in ("spearman", "kendall", "top-10%"):
            table.add_column(column, justify="right")
        held = "held_out_spearman" in summary.columns
        if held:
            table.add_column("held-out", justify="right")
        table.add_column("s / arch", justify="right")
        for name, row in summary.iterrows():
            kind = "-" if row["needs_data"] is None else ("yes" if row["needs_data"] else "no")
            cells = [
                str(name),
                kind,
                f"{row['spearman']:.3f}",
                f"{row['kendall']:.3f}",
                f"{row['top10_precision']:.2f}",
            ]
            if held:
                cells.append(f"{row['held_out_spearman']:.3f}")
            cells.append("" if row["seconds"] != row["seconds"] else f"{row['seconds']:.3f}")
            table.add_row(*cells)
        return table

    def to_dict(self) -> dict:
        summary = self.summary()
        ensemble = self.ensemble()
        return {
            "space": self.space,
            "dataset": self.dataset,
            "n": len(self.frame),
            "seed": self.seed,
            "data": self.data,
            "batch_size": self.batch_size,
            "labelled": self.labelled,
            "build_seconds": self.build_seconds,
            "ensemble_weights": ensemble.weights_ if ensemble is not None else None,
            "summary": {
                name: {k: (None if isinstance(v, float) and v != v else v) for k, v in row.items()}
                for name, row in summary.to_dict(orient="index").items()
            },
        }

    def save(self, directory: str | Path) -> dict[str, Path]:
        """Write scores.csv (per architecture) and results.json (summary) into `directory`."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        paths = {"scores": directory / "scores.csv", "json": directory / "results.json"}
        self.frame.to_csv(paths["scores"], index=False)
        paths["json"].write_text(json.dumps(self.to_dict(), indent=2))
        return paths


def evaluate_proxies(
    proxies: Sequence[str] = DEFAULT_PROXIES,
    space: str = "nb201",
    dataset: str = "cifar10",
    n: int = 1000,
    seed: int = 0,
    data: str = "gaussian",
    batch_size: int = 64,
    labelled: int = 50,
    data_path: str | Path | None = None,
    progress: Callable[[int, int], None] | None = None,
    device: str = "cpu",
) -> ProxyEvaluation:
    """Score `n` distinct architectures sampled with `seed` by every proxy and pair them
    with the benchmark's accuracies. Models are initialised from `seed`; data-dependent
    proxies see one `data` batch (see `zerocost.data`); `progress(done, n)` is called.
    Models and the batch live on `device` (cpu, auto, cuda[:N]; `nasforge.devices`)."""
    proxies = list(proxies)
    where = resolve_device(device)
    if not proxies:
        raise ValueError("give at least one proxy; known: " + ", ".join(PROXIES.names()))
    functions = {name: PROXIES.get(name) for name in proxies}
    if space not in TABULAR_SPACES:
        raise ValueError(
            f"no tabular benchmark for space {space!r}; accepted: {', '.join(TABULAR_SPACES)}"
        )
    if dataset not in DATASETS:
        raise ValueError(f"unknown dataset {dataset!r}; accepted: {', '.join(DATASETS)}")
    if data not in SOURCES:
        raise ValueError(f"unknown proxy data source {data!r}; accepted: {', '.join(SOURCES)}")
    search_space = SPACES.create(space)
    if not 2 <= n <= len(search_space):
        raise ValueError(f"n must be between 2 and {len(search_space)}, got {n}")
    if len(proxies) > 1 and not 0 <= labelled < n:
        raise ValueError(f"labelled must be between 0 and n - 1 = {n - 1}, got {labelled}")
    benchmark = NB201Benchmark(dataset, cost_metrics=False, data_path=data_path).setup()
    task = benchmark_task(dataset)
    batch = tuple(part.to(where) for part in proxy_batch(task, data, batch_size, seed))
    rng = np.random.default_rng(seed)
    archs: dict = {}
    while len(archs) < n:
        archs.setdefault(search_space.sample(rng))
    rows, seconds, build = [], dict.fromkeys(proxies, 0.0), 0.0
    for done, arch in enumerate(archs, start=1):
        start = time.perf_counter()
        model = build_initialised(search_space, arch, task, seed).to(where)
        build += time.perf_counter() - start
        metrics = benchmark.evaluate(arch).metrics
        row = {
            "arch": search_space.format(arch),
            "val_acc": metrics["val_acc"],
            "test_acc": metrics["test_acc"],
        }
        for name, function in functions.items():
            start = time.perf_counter()
            row[name] = float(function(model, batch))
            seconds[name] += time.perf_counter() - start
        rows.append(row)
        if progress is not None:
            progress(done, n)
    return ProxyEvaluation(
        space=space,
        dataset=dataset,
        proxies=proxies,
        seed=seed,
        data=data,
        batch_size=batch_size,
        labelled=labelled if len(proxies) > 1 else 0,
        frame=pd.DataFrame(rows),
        seconds={k: v / n for k, v in seconds.items()},
        build_seconds=build / n,
    )
