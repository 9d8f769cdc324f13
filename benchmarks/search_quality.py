"""Search quality on NAS-Bench-201: mean test accuracy of the incumbent after 100 and 300
queries over 20 seeds, default protocol (noisy one-seed objective, seed-mean test
accuracy reported), per strategy and dataset, with the foundation issue's targets.

usage: python benchmarks/search_quality.py [--datasets cifar10,cifar100,imagenet16-120]
       [--strategies random,evolution,local,tpe] [--seeds 20] [--budget 300]
"""

from __future__ import annotations

import argparse
import time

import nasforge

TARGETS = {  # (strategy, queries) -> minimum mean test accuracy on cifar10
    ("evolution", 100): 94.05,
    ("evolution", 300): 94.22,
    ("local", 100): 94.15,
    ("local", 300): 94.28,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default="cifar10,cifar100,imagenet16-120")
    parser.add_argument("--strategies", default="random,evolution,local,tpe")
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--budget", type=int, default=300)
    args = parser.parse_args()
    strategies = args.strategies.split(",")
    failed = []
    for dataset in args.datasets.split(","):
        start = time.perf_counter()
        result = nasforge.benchmark(
            strategies=strategies, dataset=dataset, seeds=args.seeds, budget=args.budget
        )
        print(
            f"\n{dataset}: optimum {result.optimum:.2f}, {args.seeds} seeds, "
            f"{time.perf_counter() - start:.1f} s"
        )
        print(f"{'strategy':<10} {'@100':>14} {'@' + str(args.budget):>14}  targets")
        for name in strategies:
            cells, notes = [], []
            for queries in (100, args.budget):
                final = result.at(min(queries, args.budget))
                acc = final[final["strategy"] == name]["test_acc"]
                cells.append(f"{acc.mean():6.2f} ± {acc.std(ddof=1):.2f}")
                target = TARGETS.get((name, queries)) if dataset == "cifar10" else None
                if target is not None:
                    ok = acc.mean() >= target
                    notes.append(f"{'ok' if ok else 'MISSED'} >= {target} @{queries}")
                    if not ok:
                        failed.append(f"{dataset}/{name}@{queries}")
            print(f"{name:<10} {cells[0]:>14} {cells[1]:>14}  {'; '.join(notes)}")
    print("\nall targets met" if not failed else f"\ntargets missed: {', '.join(failed)}")


if __name__ == "__main__":
    main()
