"""PyTorch CPU threads for one training run: seconds to train the default `nasforge
search` network (NAS-Bench-201 cell, C=16, N=1) on digits with 1 thread, 2 threads and
PyTorch's default (one per core), alone and beside CPU-burning processes, so
`TrainingEvaluator`'s default thread count is chosen on figures. Other work on the
machine shows up in the "alone" column too: the figures say what the machine was doing.

usage: python benchmarks/thread_default.py [--epochs 1] [--repeats 3] [--burners 1]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

import torch

from nasforge.evaluators.training import TrainingEvaluator
from nasforge.spaces import NB201Space
from nasforge.tasks import load_task

DEFAULT = torch.get_num_threads()  # PyTorch's own default, read before anything sets it
ARCH = (  # the network of benchmarks/training_throughput.py
    "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|"
    "skip_connect~2|"
)
BURN = "while True: pass"


def _seconds(trainer: TrainingEvaluator, space: NB201Space, task, threads: int) -> float:
    torch.set_num_threads(threads)
    start = time.perf_counter()
    trainer.train(space.parse(ARCH), task.x_train, task.y_train, trainer.epochs)
    return time.perf_counter() - start


def _measure(trainer, space, task, settings: list[int], repeats: int) -> dict[int, float]:
    """Median seconds per setting, the settings interleaved so drifting load hits all."""
    times: dict[int, list[float]] = {threads: [] for threads in settings}
    for _ in range(repeats):
        for threads in settings:
            times[threads].append(_seconds(trainer, space, task, threads))
    return {threads: statistics.median(values) for threads, values in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--burners", type=int, default=1, help="CPU-burning processes")
    args = parser.parse_args()
    task = load_task("digits")
    space = NB201Space(channels=16, cells=1)
    trainer = TrainingEvaluator(space, task, epochs=args.epochs)
    settings = sorted({1, 2, DEFAULT})
    _seconds(trainer, space, task, 1)  # warm-up: first-call allocations, lazy imports
    alone = _measure(trainer, space, task, settings, args.repeats)
    burners = [subprocess.Popen([sys.executable, "-c", BURN]) for _ in range(args.burners)]
    try:
        loaded = _measure(trainer, space, task, settings, args.repeats)
    finally:
        for burner in burners:
            burner.kill()
            burner.wait()
    load = os.getloadavg()[0]
    print(
        f"one training, {args.epochs} epoch(s) on digits, median of {args.repeats}; "
        f"{os.cpu_count()} cores, PyTorch default {DEFAULT} threads, load average {load:.1f}"
    )
    print(f"{'threads':>16} {'alone s':>8} {'x 1 thread':>10}   "
          f"{f'+{args.burners} burner s':>12} {'x 1 thread':>10}")  # fmt: skip
    for threads in settings:
        name = f"{threads} (default)" if threads == DEFAULT else str(threads)
        print(
            f"{name:>16} {alone[threads]:8.2f} {alone[threads] / alone[1]:10.2f}   "
            f"{loaded[threads]:12.2f} {loaded[threads] / loaded[1]:10.2f}"
        )


if __name__ == "__main__":
    main()
