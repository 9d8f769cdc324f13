"""How well a space's scaled-down networks stand in for its full ones under a zero-cost proxy.

Scores random architectures of a space with the proxy on the networks of `space` and of
`space.scaled_down()` (untrained, for a NAS-Bench-201 dataset's input shape), and for
synflow also on one shared untrained supernet of the scaled-down space (`SharedSynflow`,
what `npenas-zc` uses), and prints each ranking's Spearman correlation with the full
networks' and with the table's one-seed validation accuracy (NAS-Bench-201 only: the
DARTS space has no table here), and the seconds per cell.

    python benchmarks/proxy_scaling.py --cells 500 --dataset imagenet16-120
    python benchmarks/proxy_scaling.py --space darts --cells 100 --dataset cifar10
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch
from scipy.stats import spearmanr

from nasforge.evaluators.tabular import NB201Benchmark
from nasforge.evaluators.zerocost.evaluator import ZeroCostEvaluator
from nasforge.oneshot.shared_synflow import SharedSynflow
from nasforge.registry import SPACES


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--space", choices=("nb201", "darts"), default="nb201")
    parser.add_argument("--cells", type=int, default=500)
    parser.add_argument("--dataset", default="imagenet16-120")
    parser.add_argument("--proxy", default="synflow")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    torch.set_num_threads(1)
    space = SPACES.create(args.space)
    rng = np.random.default_rng(args.seed)
    cells = list(dict.fromkeys(space.sample(rng) for _ in range(args.cells)))
    accuracy = None
    if args.space == "nb201":
        table = NB201Benchmark(args.dataset, cost_metrics=False).setup()
        accuracy = [table.evaluate(cell).metrics["val_acc"] for cell in cells]
    small = space.scaled_down()
    scorers = {
        "full": ZeroCostEvaluator((args.proxy,), args.dataset, space),
        "scaled-down": ZeroCostEvaluator((args.proxy,), args.dataset, small),
    }
    if args.proxy == "synflow":
        scorers["shared"] = SharedSynflow(small, args.dataset, seed=0).setup()
    scores = {}
    for label, scorer in scorers.items():
        start = time.perf_counter()
        scores[label] = [scorer.score(cell) for cell in cells]
        seconds = (time.perf_counter() - start) / len(cells)
        agreement = spearmanr(scores["full"], scores[label]).statistic
        sized = scorer.space
        with_table = ""
        if accuracy is not None:
            rho = spearmanr(scores[label], accuracy).statistic
            with_table = f"Spearman with val_acc {rho:.3f}, "
        print(f"{label:12s} {sized.channels:2d} channels x {sized.cells} cells: "
              f"{seconds * 1000:6.1f} ms per cell, {with_table}"
              f"with full {agreement:.3f}")  # fmt: skip
    print(f"{len(cells)} {args.space} cells for {args.dataset}'s input, {args.proxy}")


if __name__ == "__main__":
    main()
