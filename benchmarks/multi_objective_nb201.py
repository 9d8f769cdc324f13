"""Multi-objective search on NAS-Bench-201: normalised hypervolume of each run's front
(seed-mean test accuracy x params, and x FLOPs) after 100 and 300 queries, mean and 95 %
bootstrap interval over 20 seeds, for our NSGA-II, Optuna's NSGA-II and random search,
with the issue's target (NSGA-II above random at both budgets).

usage: python benchmarks/multi_objective_nb201.py [--datasets cifar10,cifar100,imagenet16-120]
       [--costs params,flops] [--strategies nsga2,nsgaii,random] [--seeds 20]
       [--budgets 100,300] [--workers 0]
"""

from __future__ import annotations

import argparse
import time

from nasforge.bench.multi_objective import benchmark_multi_objective

TARGET = ("nsga2", "random")  # the first must beat the second at every budget


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default="cifar10,cifar100,imagenet16-120")
    parser.add_argument("--costs", default="params,flops")
    parser.add_argument("--strategies", default="nsga2,nsgaii,random")
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--budgets", default="100,300")
    parser.add_argument("--workers", type=int, default=0, help="0: one per CPU core")
    args = parser.parse_args()
    strategies = args.strategies.split(",")
    budgets = [int(b) for b in args.budgets.split(",")]
    missed = []
    for cost in args.costs.split(","):
        for dataset in args.datasets.split(","):
            start = time.perf_counter()
            result = benchmark_multi_objective(
                strategies, dataset, ("val_acc", cost), seeds=args.seeds, budgets=budgets,
                workers=args.workers or None,
            )  # fmt: skip
            summary = result.summary().set_index(["strategy", "budget"])
            print(
                f"\n{dataset}, test accuracy x {cost}: true front {result.optimum:.4f}, "
                f"{len(result.seeds)} seeds, {time.perf_counter() - start:.0f} s"
            )
            print(f"{'strategy':<8}" + "".join(f"{'@' + str(b):>27}" for b in budgets))
            for name in strategies:
                cells = []
                for budget in budgets:
                    row = summary.loc[(name, budget)]
                    cells.append(
                        f"{row['hypervolume']:.4f} [{row['ci_low']:.4f}, {row['ci_high']:.4f}]"
                    )
                print(f"{name:<8}" + "".join(f"{c:>27}" for c in cells))
            if all(name in strategies for name in TARGET):
                for budget in budgets:
                    ours, random = (summary.loc[(n, budget), "hypervolume"] for n in TARGET)
                    if not ours > random:
                        missed.append(f"{dataset}/{cost}@{budget}")
    if all(name in strategies for name in TARGET):
        verdict = "missed: " + ", ".join(missed) if missed else "met everywhere"
        print(f"\ntarget {TARGET[0]} > {TARGET[1]} at every budget: {verdict}")


if __name__ == "__main__":
    main()
