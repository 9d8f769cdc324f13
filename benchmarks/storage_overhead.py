"""Per-trial cost of the trial database: a SQLite study in a run directory against
Optuna's in-memory storage, on a tabular search whose evaluation costs nothing.

usage: python benchmarks/storage_overhead.py [--trials 300]
Target (issue "Experiments that last"): under 10 ms per trial with SQLite.
"""

from __future__ import annotations

import argparse
import tempfile
import time

import numpy as np

import nasforge
from nasforge import NB201Benchmark, Study, run_study
from nasforge.study import space_choices


def search_seconds(location: str, trials: int) -> float:
    space = nasforge.get_space("nb201")
    evaluator = NB201Benchmark("cifar10", cost_metrics=False).setup()
    study = Study.create(location, "overhead")
    start = time.perf_counter()
    run_study(study, space, nasforge.get_strategy("random"), evaluator, trials)
    return time.perf_counter() - start


def write_seconds(directory: str, trials: int) -> float:
    """Seconds per trial of the two writes alone: start (running) and finish."""
    space = nasforge.get_space("nb201")
    study = Study.create(directory, "writes")
    study.choices = space_choices(space)
    rng = np.random.default_rng(0)
    archs = [space.sample(rng) for _ in range(trials)]
    start = time.perf_counter()
    for arch in archs:
        number = study.start(arch, space.format(arch), 200)
        study.finish(number, {"val_acc": 90.0, "test_acc": 90.5, "fidelity": 200.0}, 1.0)
    return (time.perf_counter() - start) / trials


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=300)
    args = parser.parse_args()
    memory = search_seconds("memory", args.trials)
    with tempfile.TemporaryDirectory() as directory:
        sqlite = search_seconds(directory, args.trials)
    with tempfile.TemporaryDirectory() as directory:
        writes = write_seconds(directory, args.trials)
    overhead_ms = 1000 * (sqlite - memory) / args.trials
    print(f"{args.trials}-trial search: in memory {memory:.2f} s, SQLite {sqlite:.2f} s")
    print(
        f"SQLite overhead per trial: {overhead_ms:.1f} ms (search), start + finish writes "
        f"alone {1000 * writes:.1f} ms ({'ok' if overhead_ms < 10 else 'MISSED'}, target < 10)"
    )


if __name__ == "__main__":
    main()
