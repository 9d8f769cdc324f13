"""GIN predictor: rank correlation and fit time of full batches against mini-batches of
32 on NAS-Bench-201 (docs/predictors.md). Trains on n random cells' one-seed accuracy,
scores Kendall tau with the seed-mean accuracy on 3,000 held-out cells and on the 300 best
of them, and times the fit on one thread; 4 repetitions per row.

    python benchmarks/gin_batches.py [--datasets cifar100,imagenet16-120] [--sizes 100,290]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch
from scipy.stats import kendalltau

from nasforge.evaluators.tabular import read_table, table_location
from nasforge.predictors.gin import GraphIsomorphismNetwork
from nasforge.spaces.nb201 import NB201Space


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default="cifar100,imagenet16-120")
    parser.add_argument("--sizes", default="100,290")
    parser.add_argument("--repeats", type=int, default=4)
    args = parser.parse_args()
    torch.set_num_threads(1)
    table, space = read_table(table_location()), NB201Space()
    cells = [space.from_index(i) for i in range(len(table["cifar10_200ep"]))]
    print("| dataset | n | batch | tau (all) | tau (best 300) | fit s |")
    print("|---|---|---|---|---|---|")
    for dataset in args.datasets.split(","):
        noisy, mean = table[f"{dataset}_200ep_one_seed"], table[f"{dataset}_200ep"]
        for n in (int(s) for s in args.sizes.split(",")):
            for batch in (32, None):
                taus, top_taus, seconds = [], [], []
                for repeat in range(args.repeats):
                    rng = np.random.default_rng(repeat)
                    train = rng.choice(len(cells), n, replace=False)
                    rest = np.setdiff1d(np.arange(len(cells)), train)
                    test = rng.choice(rest, 3000, replace=False)
                    model = GraphIsomorphismNetwork(space, batch_size=batch, seed=repeat)
                    start = time.perf_counter()
                    model.fit([cells[i] for i in train], noisy[train])
                    seconds.append(time.perf_counter() - start)
                    taus.append(kendalltau(model.predict([cells[i] for i in test]), mean[test])[0])
                    best = test[np.argsort(-mean[test])[:300]]
                    predicted = model.predict([cells[i] for i in best])
                    top_taus.append(kendalltau(predicted, mean[best])[0])
                print(
                    f"| {dataset} | {n} | {batch or 'all'} | {np.mean(taus):.3f} | "
                    f"{np.mean(top_taus):.3f} | {np.mean(seconds):.2f} |",
                    flush=True,
                )


if __name__ == "__main__":
    main()
