"""Searched MLPs against HistGradientBoosting and random MLPs on real tables.

For each table and seed: `nasforge.search` with the default budget (24 trials, batch
size and epochs sized to the training split by `training_schedule`, evolution, top-4
3-fold cross-validation), the HistGradientBoosting baseline of the same run (same
splits, same preprocessed inputs), and 8 random MLPs from the same space trained like
the final network (train + validation, the search's batch size and epochs) and
tested on the same test rows, of which the median is kept. `nas` is the search's model
(the default ensemble of the best confirmed candidates), `nas_alone` its best network.
Tables: scikit-learn's breast_cancer, wine, diabetes, and messy CSVs made from
breast_cancer and diabetes (text label, two text columns, an ID and a constant column,
5% empty cells; `nasforge.testing.tables.messy_table`). `--cli-timing` also times
`nasforge search --data <300-row messy csv> --label diagnosis` with the default budget.

    python benchmarks/tables.py --seeds 5 --cli-timing
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from nasforge.evaluators.training import TrainingEvaluator
from nasforge.run.search import search
from nasforge.run.setup import training_schedule
from nasforge.spaces import MLPSpace
from nasforge.testing.tables import messy_table

RANDOM_MLPS = 8


def random_mlp_median(task, seed: int) -> float:
    """Median test score of `RANDOM_MLPS` random MLPs trained on train + validation with
    the search's default schedule (`training_schedule`)."""
    space = MLPSpace()
    rng = np.random.default_rng(10_000 + seed)
    batch_size, epochs, learning_rate = training_schedule(len(task.y_train), None, None, task.kind)
    trainer = TrainingEvaluator(space, task, epochs=epochs, batch_size=batch_size, seed=seed,
                                learning_rate=learning_rate, threads=1)  # fmt: skip
    key = "test_" + task.objective.key
    scores = []
    for _ in range(RANDOM_MLPS):
        model, _, failure = trainer.train(space.sample(rng), *task.train_and_val(), epochs)
        if failure is None:
            scores.append(trainer.measure(model, (task.x_test, task.y_test), "test_")[key])
    return float(np.median(scores)) if scores else float("nan")


def tables(folder: Path) -> dict[str, tuple[str, str | None]]:
    """Name -> (data argument, label column)."""
    made = {}
    for source in ("breast_cancer", "diabetes"):
        path = folder / f"messy_{source}.csv"
        messy_table(source, seed=0).to_csv(path, index=False)
        made[f"messy_{source}"] = (
            str(path),
            "diagnosis" if source != "diabetes" else "progression",
        )
    return {"breast_cancer": ("breast_cancer", None), "wine": ("wine", None),
            "diabetes": ("diabetes", None), **made}  # fmt: skip


def cli_timing(folder: Path) -> float:
    """Seconds for the default `nasforge search` on the 300-row messy table."""
    path = folder / "clinic300.csv"
    messy_table("breast_cancer", rows=300, seed=1).to_csv(path, index=False)
    command = [sys.executable, "-m", "nasforge.cli", "search", "--data", str(path), "--label",
               "diagnosis", "--output", str(folder / "runs"), "--no-progress"]  # fmt: skip
    start = time.perf_counter()
    finished = subprocess.run(command, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if finished.returncode != 0:
        raise SystemExit(finished.stderr)
    print(finished.stdout.strip().splitlines()[-2])
    print(finished.stdout.strip().splitlines()[-1])
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument(
        "--tables", default="breast_cancer,wine,diabetes,messy_breast_cancer,messy_diabetes"
    )
    parser.add_argument("--cli-timing", action="store_true")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        available = tables(folder)
        for name in args.tables.split(","):
            data, label = available[name]
            for seed in range(args.seeds):
                start = time.perf_counter()
                result = search(data, label_column=label, seed=seed, output_dir=None)
                task, key = result.task, "test_" + result.task.objective.key
                rows.append({
                    "table": name, "metric": task.metric, "seed": seed,
                    "nas": result.test_score, "hgb": result.baseline[key],
                    "nas_alone": result.winner_test_metrics[key],
                    "random_mlp_median": random_mlp_median(task, seed),
                    "seconds": time.perf_counter() - start,
                })  # fmt: skip
                print(f"{name} seed {seed}: " + ", ".join(
                    f"{k} {v:.4g}" for k, v in rows[-1].items() if isinstance(v, float)
                ), flush=True)  # fmt: skip
        frame = pd.DataFrame(rows)
        better = np.where(frame["metric"] == "rmse", -1.0, 1.0)
        frame["nas_beats_hgb"] = better * (frame["nas"] - frame["hgb"]) > 0
        summary = frame.groupby(["table", "metric"], sort=False).agg(
            nas_mean=("nas", "mean"), nas_sd=("nas", "std"), nas_alone=("nas_alone", "mean"),
            hgb_mean=("hgb", "mean"),
            hgb_sd=("hgb", "std"), random_mlp_median=("random_mlp_median", "mean"),
            nas_wins=("nas_beats_hgb", "sum"), seconds=("seconds", "mean"),
        )  # fmt: skip
        print(f"\n{args.seeds} seeds; test score (accuracy %, or RMSE for regression), "
              "mean and sd over seeds; random_mlp_median: the seeds' mean of the median "
              f"of {RANDOM_MLPS} random MLPs; nas_wins: seeds where NAS beats HGB; "
              "nas: the search's model (the default ensemble), nas_alone: its best "
              "network alone")  # fmt: skip
        print(summary.round(3).to_string())
        if args.cli_timing:
            print(f"\nnasforge search on the 300-row messy CSV: {cli_timing(folder):.0f} s")


if __name__ == "__main__":
    main()
