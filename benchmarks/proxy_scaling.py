"""How well a space's scaled-down networks stand in for its full ones under a zero-cost proxy.

Scores random architectures of a space with the proxy on the networks of `space` and of
`space.scaled_down()` (untrained, for a NAS-Bench-201 dataset's input shape) and prints the
Spearman correlation of the two rankings, each ranking's correlation with the table's
one-seed validation accuracy, and the seconds per architecture of each.

    python benchmarks/proxy_scaling.py --cells 500 --dataset imagenet16-120
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch
from scipy.stats import spearmanr

from nasforge.evaluators.tabular import NB201Benchmark
from nasforge.evaluators.zerocost.evaluator import ZeroCostEvaluator
from nasforge.spaces.nb201 import NB201Space


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=int, default=500)
    parser.add_argument("--dataset", default="imagenet16-120")
    parser.add_argument("--proxy", default="synflow")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    torch.set_num_threads(1)
    space = NB201Space()
    rng = np.random.default_rng(args.seed)
    cells = list(dict.fromkeys(space.sample(rng) for _ in range(args.cells)))
    table = NB201Benchmark(args.dataset, cost_metrics=False).setup()
    accuracy = [table.evaluate(cell).metrics["val_acc"] for cell in cells]
    scores = {}
    for label, sized in (("full", space), ("scaled-down", space.scaled_down())):
        scorer = ZeroCostEvaluator((args.proxy,), args.dataset, sized)
        start = time.perf_counter()
        scores[label] = [scorer.score(cell) for cell in cells]
        seconds = (time.perf_counter() - start) / len(cells)
        rho = spearmanr(scores[label], accuracy).statistic
        print(f"{label:12s} {sized.channels:2d} channels x {sized.cells} cells: "
              f"{seconds * 1000:6.1f} ms per cell, Spearman with val_acc {rho:.3f}")  # fmt: skip
    agreement = spearmanr(scores["full"], scores["scaled-down"]).statistic
    print(f"{len(cells)} cells of {args.dataset}, {args.proxy}: Spearman(full, scaled-down) "
          f"= {agreement:.3f}")  # fmt: skip


if __name__ == "__main__":
    main()
