"""Search-loop throughput on the tabular benchmark: propose + lookup + record, one process
on one core, 20 runs of 300 queries per strategy (table loading excluded).

usage: python benchmarks/loop_overhead.py [--strategies random,evolution,local,tpe]
Pin it to one core with `taskset -c 0 python benchmarks/loop_overhead.py`.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch

from nasforge import NB201Benchmark, NB201Space, get_strategy
from nasforge.history import History

TARGETS = {"random": 2000, "evolution": 500}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--strategies", default="random,evolution,local,tpe")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--budget", type=int, default=300)
    args = parser.parse_args()
    torch.set_num_threads(1)
    space = NB201Space()
    evaluator = NB201Benchmark("cifar10", cost_metrics=False).setup()
    for name in args.strategies.split(","):
        start = time.perf_counter()
        for seed in range(args.runs):
            strategy, history, rng = get_strategy(name), History(), np.random.default_rng(seed)
            for _ in range(args.budget):
                arch = strategy.propose(space, history, rng)
                history.add(arch, evaluator.evaluate(arch).metrics)
        rate = args.runs * args.budget / (time.perf_counter() - start)
        target = TARGETS.get(name)
        verdict = (
            "" if target is None else f"  ({'ok' if rate >= target else 'MISSED'} >= {target})"
        )
        print(f"{name:<10} {rate:9.0f} queries/s{verdict}")


if __name__ == "__main__":
    main()
