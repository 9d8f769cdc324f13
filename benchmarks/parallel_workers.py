"""Parallel workers on a tabular-benchmark search with a simulated evaluation cost:
wall time with 1 worker against N local worker processes sharing one SQLite study.

usage: python benchmarks/parallel_workers.py [--trials 300] [--workers 4] [--cost 0.2]
Target (issue "Experiments that last"): 4 workers >= 3x faster than 1, identical trial
counts. Worker start-up (a fork server importing nasforge and PyTorch, once per driver
process) is included in the wall time; the steady-state rate after the first result is
printed beside it.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections import Counter

import nasforge
from nasforge import NB201Benchmark, SimulatedCost, Study, run_study


def timed_run(
    trials: int, workers: int, cost: float, strategy: str
) -> tuple[float, float, Counter, int]:
    """Wall seconds, seconds per trial after the first result, trial states and distinct
    architectures of one search."""
    space = nasforge.get_space("nb201")
    evaluator = SimulatedCost(NB201Benchmark("cifar10", cost_metrics=False).setup(), cost)
    with tempfile.TemporaryDirectory() as directory:
        study = Study.create(directory, f"w{workers}")
        finished: list[float] = []
        start = time.perf_counter()
        run_study(
            study, space, nasforge.get_strategy(strategy), evaluator, trials, workers=workers,
            on_trial=lambda *_: finished.append(time.perf_counter()),
        )  # fmt: skip
        seconds = time.perf_counter() - start
        rate = (finished[-1] - finished[0]) / max(len(finished) - 1, 1)
        stored = nasforge.load_study(directory).trials(include_running=True)
    return seconds, rate, Counter(t.state for t in stored), len({t.arch for t in stored})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=300)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--cost", type=float, default=0.2, help="simulated seconds per trial")
    parser.add_argument("--strategy", default="evolution")
    args = parser.parse_args()
    runs = {}
    for workers in (1, args.workers):
        seconds, rate, states, distinct = timed_run(args.trials, workers, args.cost, args.strategy)
        runs[workers] = seconds, states, rate
        print(
            f"{workers} worker(s): {seconds:6.1f} s wall, {1000 * rate:.0f} ms per trial after "
            f"the first, trials {dict(states)}, {distinct} distinct architectures"
        )
    speedup = runs[1][0] / runs[args.workers][0]
    same = runs[1][1] == runs[args.workers][1]
    verdict = "ok" if speedup >= 3 and same else "MISSED"
    steady = runs[1][2] / runs[args.workers][2]
    print(
        f"speed-up with {args.workers} workers: {speedup:.2f}x wall ({steady:.2f}x after "
        f"start-up), identical trial counts: {same} ({verdict}; target >= 3x)"
    )


if __name__ == "__main__":
    main()
