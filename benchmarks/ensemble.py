"""Does averaging the best confirmed candidates' final networks pay, and how many? One
search per set and seed with `ensemble=N`; from its members (best first, each retrained
on train + validation) the test score of the first k averaged for k = 1 .. N (k = 1: the
winner alone, as with `ensemble=1`), so the comparison is
paired; and the baseline of the same splits (tables: HistGradientBoosting, series:
MiniRocket, images: NAS-Bench-201's ResNet cell trained like the final network).

    python benchmarks/ensemble.py --data digits,wine,breast_cancer,diabetes --seeds 6
    python benchmarks/ensemble.py --data aeon:GunPoint,aeon:ItalyPowerDemand --seeds 6
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd
import torch

from nasforge.evaluators.training import network_outputs
from nasforge.run.ensemble import Ensemble, combined
from nasforge.run.search import search


def prefix_scores(result) -> list[float]:
    """Test score of the first k members averaged, k = 1 .. len(members)."""
    task, model = result.task, result.model
    members = list(model.members) if isinstance(model, Ensemble) else [model]
    key = "test_" + task.objective.key
    scores = []
    for k in range(1, len(members) + 1):
        outputs = network_outputs(combined(members[:k], task), torch.from_numpy(task.x_test))
        scores.append(task.scores(task.decode(outputs), task.y_test, "test_")[key])
    return scores


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="digits,wine,breast_cancer,diabetes")
    parser.add_argument("--seeds", type=int, default=6)
    parser.add_argument("--ensemble", type=int, default=4, help="the most members")
    args = parser.parse_args()
    rows = []
    for data in args.data.split(","):
        for seed in range(args.seeds):
            start = time.perf_counter()
            result = search(data, seed=seed, ensemble=args.ensemble, output_dir=None,
                            export=False)  # fmt: skip
            scores = prefix_scores(result)
            assert np.isclose(scores[-1], result.test_score)
            key = "test_" + result.task.objective.key
            rows.append({
                "data": data, "metric": result.task.metric, "seed": seed,
                **{f"{k}": s for k, s in enumerate(scores, 1)},
                "baseline": (result.baseline or {}).get(key, np.nan),
                "seconds": time.perf_counter() - start,
            })  # fmt: skip
            print(", ".join(f"{k} {v:.4g}" if isinstance(v, float) else f"{k} {v}"
                            for k, v in rows[-1].items()), flush=True)  # fmt: skip
    frame = pd.DataFrame(rows)
    sizes = [str(k) for k in range(1, args.ensemble + 1) if str(k) in frame]
    better = np.where(frame["metric"].isin(["rmse", "mae", "log_loss"]), -1.0, 1.0)
    means = frame.groupby(["data", "metric"], sort=False)[[*sizes, "baseline", "seconds"]].mean()
    counts = frame.assign(**{f"+/- {k}": better * (frame[k] - frame["1"]) for k in sizes[1:]})
    wins = counts.groupby(["data", "metric"], sort=False)[[f"+/- {k}" for k in sizes[1:]]].agg(
        lambda gain: f"{(gain > 0).sum()}/{(gain < 0).sum()}"
    )
    print(f"\n{args.seeds} seeds; columns 1..{args.ensemble}: test score (accuracy %, or "
          "RMSE) of the best k final networks averaged, mean over seeds; +/- k: seeds where "
          "k members beat / trail the winner alone")  # fmt: skip
    print(pd.concat([means.round(3), wins], axis=1).to_string())


if __name__ == "__main__":
    main()
