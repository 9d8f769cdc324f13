"""Searched conv1d networks against MiniRocket and random conv1d networks on aeon's
bundled UCR / UEA sets.

For each set and seed: `nasforge.search` on `aeon:<set>` (official test split,
validation carved from the training part) with `--trials` trials of `--epochs` epochs
at batch size `--batch-size` and peak learning rate `--learning-rate` (default: the
search's own, sized to the training split by `training_schedule`; evolution, top-4
3-fold cross-validation), the MiniRocket baseline of the same run (same train +
validation and test series), and 8 random conv1d networks trained like the final
network (train + validation, same schedule) and tested on the same test series, of which
the median is kept; `nas` is the search's model (the default ensemble of the best
confirmed candidates), `nas_alone` its best network alone. Wall time is the whole
search, baseline included, on this machine (2 shared cores).

    nice -n 10 python benchmarks/series.py --seeds 3
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from nasforge.evaluators.training import TrainingEvaluator
from nasforge.run.search import search
from nasforge.run.setup import training_schedule
from nasforge.spaces import Conv1dSpace

RANDOM_NETWORKS = 8


def random_median(task, seed: int, epochs: int, batch_size: int, learning_rate: float) -> float:
    """Median test accuracy of `RANDOM_NETWORKS` random conv1d networks trained on train
    + validation like the searched one."""
    space = Conv1dSpace()
    rng = np.random.default_rng(10_000 + seed)
    trainer = TrainingEvaluator(space, task, epochs=epochs, batch_size=batch_size, seed=seed,
                                learning_rate=learning_rate, threads=1)  # fmt: skip
    scores = []
    for _ in range(RANDOM_NETWORKS):
        model, _, failure = trainer.train(space.sample(rng), *task.train_and_val(), epochs)
        if failure is None:
            scores.append(trainer.measure(model, (task.x_test, task.y_test), "test_")["test_acc"])
    return float(np.median(scores)) if scores else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--sets", default="GunPoint,ItalyPowerDemand,BasicMotions")
    parser.add_argument("--trials", type=int, default=24)
    parser.add_argument("--epochs", type=int, default=None)
    parser.add_argument("--batch-size", type=int, default=None)
    parser.add_argument("--learning-rate", type=float, default=None)
    args = parser.parse_args()
    rows = []
    for name in args.sets.split(","):
        for seed in range(args.seeds):
            start = time.perf_counter()
            result = search(f"aeon:{name}", seed=seed, trials=args.trials, epochs=args.epochs,
                            batch_size=args.batch_size, learning_rate=args.learning_rate,
                            output_dir=None, export=False)  # fmt: skip
            seconds = time.perf_counter() - start
            examples = len(result.task.y_train)
            batch_size, epochs, learning_rate = training_schedule(
                examples, args.batch_size, args.epochs, result.task.kind, args.learning_rate
            )
            rows.append({
                "set": name, "seed": seed, "nas": result.test_acc,
                "nas_alone": result.winner_test_metrics["test_acc"],
                "minirocket": result.baseline["test_acc"],
                "random_median": random_median(
                    result.task, seed, epochs, batch_size, learning_rate
                ),
                "batch_size": batch_size, "epochs": epochs, "learning_rate": learning_rate,
                "nas_params": result.best.metrics["params"], "search_s": seconds,
                "minirocket_s": result.baseline["seconds"],
            })  # fmt: skip
            print(f"{name} seed {seed}: {result.space.format(result.best.arch)}; " + ", ".join(
                f"{k} {v:.4g}" for k, v in rows[-1].items() if isinstance(v, float | int)
            ), flush=True)  # fmt: skip
    frame = pd.DataFrame(rows)
    summary = frame.groupby("set", sort=False).agg(
        nas_mean=("nas", "mean"), nas_sd=("nas", "std"), nas_alone=("nas_alone", "mean"),
        minirocket=("minirocket", "mean"),
        random_median=("random_median", "mean"), nas_params=("nas_params", "median"),
        search_s=("search_s", "mean"), minirocket_s=("minirocket_s", "mean"),
        batch_size=("batch_size", "first"), epochs=("epochs", "first"),
        learning_rate=("learning_rate", "first"),
    )  # fmt: skip
    schedule = (
        "batch size and epochs per set"
        if args.epochs is None or args.batch_size is None
        else f"{args.epochs} epochs, batch {args.batch_size}"
    )
    print(f"\n{args.seeds} seeds, {args.trials} trials, {schedule}; "
          f"test accuracy %, mean over seeds; random_median: the seeds' "
          f"mean of the median of {RANDOM_NETWORKS} random conv1d networks; nas: the "
          "search's model (the default ensemble), nas_alone: its best network alone")  # fmt: skip
    print(summary.round(2).assign(learning_rate=summary.learning_rate).to_string())


if __name__ == "__main__":
    main()
