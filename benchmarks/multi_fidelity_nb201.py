"""Multi-fidelity strategies against random search at equal training cost on the
NAS-Bench-201 table: successive halving and Hyperband choose between the 12- and 200-epoch
columns, random search evaluates every architecture at 200 epochs, and every run stops at
the epoch cost of `budget` 200-epoch evaluations. Printed per dataset: the incumbent's
seed-mean test accuracy (mean over seeds), its difference from random search paired by
seed with a 95% bootstrap interval, and the evaluations made.

    python benchmarks/multi_fidelity_nb201.py [--seeds 20] [--budgets 100,300]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import nasforge
from nasforge.evaluators.tabular import DATASETS


def paired_interval(difference: np.ndarray, seed: int = 0) -> tuple[float, float]:
    """95% bootstrap interval of the mean of `difference` (10,000 resamples)."""
    rng = np.random.default_rng(seed)
    means = rng.choice(difference, (10_000, difference.size)).mean(axis=1)
    return float(np.quantile(means, 0.025)), float(np.quantile(means, 0.975))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--budgets", default="100,300")
    parser.add_argument("--strategies", default="random,sh,hyperband")
    args = parser.parse_args()
    strategies = args.strategies.split(",")
    print(
        "| dataset | cost (200-epoch evaluations) | strategy | test acc | vs random "
        "[95% CI] | evaluations |"
    )
    print("|---|---|---|---|---|---|")
    start = time.perf_counter()
    for dataset in DATASETS:
        for budget in (int(b) for b in args.budgets.split(",")):
            result = nasforge.benchmark(
                strategies=strategies, dataset=dataset, seeds=args.seeds, budget=budget,
                fidelities=(12, 200),
            )  # fmt: skip
            final = result.final().set_index(["strategy", "seed"])
            base = final.loc["random", "test_acc"].to_numpy()
            for name in strategies:
                values = final.loc[name, "test_acc"].to_numpy()
                low, high = paired_interval(values - base)
                queries = final.loc[name, "query"].mean()
                print(f"| {dataset} | {budget} | {name} | {values.mean():.2f} | "
                      f"{(values - base).mean():+.2f} [{low:+.2f}, {high:+.2f}] | "
                      f"{queries:.0f} |")  # fmt: skip
    print(f"({args.seeds} seeds, {time.perf_counter() - start:.0f} s)")


if __name__ == "__main__":
    main()
