"""Does averaging the best confirmed candidates' final networks pay? One search per set
and seed with `ensemble=N`: its test score, the winner's alone (the same run's first
member, so the comparison is paired) and the baseline of the same splits (tables:
HistGradientBoosting, series: MiniRocket).

    python benchmarks/ensemble.py --data digits,wine,breast_cancer,diabetes --seeds 6
    python benchmarks/ensemble.py --data aeon:GunPoint,aeon:ItalyPowerDemand --seeds 6
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from nasforge.run.search import search


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="digits,wine,breast_cancer,diabetes")
    parser.add_argument("--seeds", type=int, default=6)
    parser.add_argument("--ensemble", type=int, default=2)
    args = parser.parse_args()
    rows = []
    for data in args.data.split(","):
        for seed in range(args.seeds):
            start = time.perf_counter()
            result = search(data, seed=seed, ensemble=args.ensemble, output_dir=None,
                            export=False)  # fmt: skip
            key = "test_" + result.task.objective.key
            alone = (result.member_test_metrics or [result.test_metrics])[0][key]
            baseline = result.baseline or {}
            rows.append({
                "data": data, "metric": result.task.metric, "seed": seed,
                "alone": alone, "ensemble": result.test_score,
                "baseline": baseline.get(key, np.nan), "members": len(result.members),
                "seconds": time.perf_counter() - start,
            })  # fmt: skip
            print(", ".join(f"{k} {v:.4g}" if isinstance(v, float) else f"{k} {v}"
                            for k, v in rows[-1].items()), flush=True)  # fmt: skip
    frame = pd.DataFrame(rows)
    better = np.where(frame["metric"].isin(["rmse", "mae", "log_loss"]), -1.0, 1.0)
    frame["ensemble_better"] = better * (frame["ensemble"] - frame["alone"]) > 0
    frame["ensemble_worse"] = better * (frame["ensemble"] - frame["alone"]) < 0
    summary = frame.groupby(["data", "metric"], sort=False).agg(
        alone=("alone", "mean"), ensemble=("ensemble", "mean"), baseline=("baseline", "mean"),
        better=("ensemble_better", "sum"), worse=("ensemble_worse", "sum"),
        seconds=("seconds", "mean"),
    )  # fmt: skip
    print(f"\n{args.seeds} seeds, ensemble of {args.ensemble}; test score (accuracy %, or "
          "RMSE), mean over seeds; better / worse: seeds where the ensemble beats / trails "
          "the winner alone")  # fmt: skip
    print(summary.round(3).to_string())


if __name__ == "__main__":
    main()
