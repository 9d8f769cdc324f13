"""Training throughput on digits: samples per second for a fixed mid-size NAS-Bench-201
network (C=16, N=1, the default image space of `nasforge search`), so later changes can
be compared.

usage: python benchmarks/training_throughput.py [--epochs 3] [--threads 0]
"""

from __future__ import annotations

import argparse
import time

from nasforge.evaluators.training import TrainingEvaluator
from nasforge.spaces import NB201Space
from nasforge.tasks import load_task

ARCH = (
    "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|"
    "skip_connect~2|"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--threads", type=int, default=0, help="0: PyTorch's default")
    args = parser.parse_args()
    task = load_task("digits")
    space = NB201Space(channels=16, cells=1)
    trainer = TrainingEvaluator(space, task, epochs=args.epochs, threads=args.threads or None)
    start = time.perf_counter()
    result = trainer.evaluate(space.parse(ARCH))
    seconds = time.perf_counter() - start
    samples = args.epochs * len(task.x_train)
    print(
        f"{samples / seconds:.0f} training samples/s ({args.epochs} epochs, "
        f"{len(task.x_train)} samples each, validation included, {seconds:.1f} s); "
        f"val acc {result.metrics['val_acc']:.2f}%"
    )


if __name__ == "__main__":
    main()
