"""Queries per second of bench runs through the one loop (`run_study` with a `TrialLog`)
against the loop bench had before (propose, look up, append; one generator per run),
side by side in one process on the NAS-Bench-201 table.

    python benchmarks/bench_loop_speed.py [--seeds 5] [--budget 300]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from nasforge.evaluators import NB201Benchmark
from nasforge.history import History
from nasforge.registry import SPACES, STRATEGIES
from nasforge.run.loop import TrialLog, run_study


def previous_loop(strategy, space, evaluator, budget: int, seed: int) -> None:
    """The loop bench/runner.py ran before it used run_study."""
    rng, history = np.random.default_rng(seed), History()
    for _ in range(budget):
        arch = strategy.propose(space, history, rng)
        history.add(arch, evaluator.evaluate(arch).metrics)


def one_loop(strategy, space, evaluator, budget: int, seed: int) -> None:
    run_study(TrialLog(), space, strategy, evaluator, budget, seed=seed, fidelity=200)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--budget", type=int, default=300)
    parser.add_argument("--strategies", default="random,evolution,local")
    args = parser.parse_args()
    evaluator = NB201Benchmark("cifar10", cost_metrics=False).setup()
    space = SPACES.create("nb201")
    print(
        f"| strategy | previous loop q/s | one loop q/s | ratio |  ({args.seeds} seeds x "
        f"{args.budget} queries, cifar10)"
    )
    print("|---|---|---|---|")
    for name in args.strategies.split(","):
        best = {"previous": np.inf, "one": np.inf}
        for _ in range(5):  # interleaved; the fastest round is the least disturbed one
            for label, loop in (("previous", previous_loop), ("one", one_loop)):
                start = time.perf_counter()
                for seed in range(args.seeds):
                    loop(STRATEGIES.create(name), space, evaluator, args.budget, seed)
                best[label] = min(best[label], time.perf_counter() - start)
        rates = {label: args.seeds * args.budget / seconds for label, seconds in best.items()}
        ratio = rates["one"] / rates["previous"]
        print(f"| {name} | {rates['previous']:,.0f} | {rates['one']:,.0f} | {ratio:.2f} |")


if __name__ == "__main__":
    main()
