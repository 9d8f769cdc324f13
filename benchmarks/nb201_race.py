"""The NAS-Bench-201 race: strategies x seeds on the three datasets under the protocol of
docs/bench.md (one-seed objective, the incumbent's seed-mean test accuracy), through
`nasforge.benchmark`. Printed per dataset and strategy: the mean over seeds with its 95%
bootstrap interval at each checkpoint of `--checkpoints` (one run of `--budget` queries
gives them all: a strategy does not know the budget), the difference from random search
paired by seed, and the strategy's own time per query (the loop's run time over the
queries; a table look-up costs microseconds of it), next to the issue's targets.

    python benchmarks/nb201_race.py [--strategies gp-local,tpe,random] [--seeds 20]
        [--budget 300] [--checkpoints 100,300] [--workers 2]
"""

from __future__ import annotations

import argparse
import time

import nasforge
from nasforge.evaluators.tabular import DATASETS

# The targets for the best nasforge strategy, by dataset and query count.
TARGETS = {
    "cifar10": {100: 94.30, 300: 94.35},
    "cifar100": {100: 73.15, 300: 73.47},
    "imagenet16-120": {100: 47.05, 300: 47.10},
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--strategies", default="gp-local,tpe,random")
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--budget", type=int, default=300)
    parser.add_argument("--checkpoints", default="100,300")
    parser.add_argument("--datasets", default=",".join(DATASETS))
    parser.add_argument("--workers", type=int, default=None)
    args = parser.parse_args()
    strategies = args.strategies.split(",")
    checkpoints = [int(c) for c in args.checkpoints.split(",") if int(c) <= args.budget]
    header = " | ".join(f"@ {c} [95% CI] | vs random @ {c}" for c in checkpoints)
    print(f"| dataset | strategy | {header} | s/query |")
    print("|---|---|" + "---|---|" * len(checkpoints) + "---|")
    start = time.perf_counter()
    for dataset in args.datasets.split(","):
        result = nasforge.benchmark(
            strategies, dataset=dataset, seeds=args.seeds, budget=args.budget,
            workers=args.workers,
        )  # fmt: skip
        tables = {c: result.comparison(result.at(c)) for c in checkpoints}
        seconds = result.summary()["queries_per_s"].rdiv(1.0)
        for name in strategies:
            cells = []
            for c in checkpoints:
                row = tables[c].loc[name]
                cells.append(f"{row['mean']:.2f} [{row['ci_low']:.2f}, {row['ci_high']:.2f}]")
                paired = row["vs_random"]
                cells.append("" if paired != paired else f"{paired:+.2f} (p {row['p_value']:.2g})")
            print(f"| {dataset} | {name} | " + " | ".join(cells) + f" | {seconds[name]:.3f} |")
        goals = [f"{TARGETS[dataset][c]:.2f}" if c in TARGETS[dataset] else "" for c in checkpoints]
        print(f"| {dataset} | target | " + " |  | ".join(goals) + " |  |  |", flush=True)
    print(f"({args.seeds} seeds, {time.perf_counter() - start:.0f} s)")


if __name__ == "__main__":
    main()
