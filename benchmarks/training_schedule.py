"""The sized training schedule against the fixed batch 64 x 8 epochs on small image sets.

For each size and seed: `nasforge.search` (defaults otherwise: nb201 cells, 24 trials,
top-4 3-fold cross-validation) on the first `size` images of scikit-learn's digits
(70 / 15 / 15 split by the seed), once at batch 64 x 8 epochs, once with the schedule
`training_schedule` sizes to the training split (batch, epochs and learning rate), and
once sized but at the learning rate of batch 64 (0.05); prints the mean test accuracy (%) over
the seeds and the mean seconds per search. Series and tables: benchmarks/series.py and
benchmarks/tables.py (docs/search.md).

    python benchmarks/training_schedule.py --sizes 150,300 --seeds 3
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from sklearn.datasets import load_digits

from nasforge.run.search import search
from nasforge.run.setup import training_schedule
from nasforge.tasks.splits import make_task


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="150,300")
    parser.add_argument("--seeds", type=int, default=3)
    args = parser.parse_args()
    digits = load_digits()
    for size in map(int, args.sizes.split(",")):
        x, y = digits.images[:size, None].astype(np.float32), digits.target[:size]
        variants = (("fixed", (64, 8, None)), ("sized", (None, None, None)),
                    ("sized at learning rate 0.05", (None, None, 0.05)))  # fmt: skip
        for label, schedule in variants:
            scores, seconds = [], []
            for seed in range(args.seeds):
                task = make_task(f"digits{size}", x, y, seed=seed)
                start = time.perf_counter()
                result = search(task, batch_size=schedule[0], epochs=schedule[1],
                                learning_rate=schedule[2], seed=seed, output_dir=None,
                                export=False, baseline=False, ensemble=1)  # fmt: skip
                seconds.append(time.perf_counter() - start)
                scores.append(result.test_acc)
            batch, epochs, rate = training_schedule(
                len(task.y_train), *schedule[:2], task.kind, schedule[2]
            )
            print(f"{size} images ({len(task.y_train)} training), {label}: batch {batch} x "
                  f"{epochs} epochs at learning rate {rate:g}: test accuracy {np.mean(scores):.2f} "
                  f"{[round(s, 2) for s in scores]}, {np.mean(seconds):.0f} s per search",
                  flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
