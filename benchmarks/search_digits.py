"""The default `nasforge search` on digits against random architectures trained with the
same budget, over several seeds, and a `--max-params` run beside the unconstrained best.

usage: python benchmarks/search_digits.py [--seeds 3] [--random 8] [--repeats 3]
                                          [--max-params 100k]
Targets: best test accuracy >= 97%, above the median of random architectures; under
5 minutes of wall time per search on 2 cores.

Digits' test split has 270 images (one answer = 0.37 points) and one training run's test
accuracy varies by about 0.5 points with its seed, so one search against one median is a
coin toss. For every seed (data split, search and training) the script trains the
search's best and each random architecture `--repeats` times (training seeds seed,
seed+1000, ...: the first is the search's own retraining) on train + validation for the
same 8 epochs, and compares means as well as the single runs.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time

import numpy as np
import torch

from nasforge.constraints import Constraints, parse_quantity
from nasforge.evaluators.training import TrainingEvaluator, accuracy
from nasforge.run.search import default_space, search
from nasforge.tasks import load_task

EPOCHS = 8


def test_accuracies(trainer: TrainingEvaluator, arch, seeds: list[int]) -> list[float]:
    """Test accuracy after training on train + validation, once per training seed."""
    task = trainer.task
    x, y = task.train_and_val()
    test = torch.from_numpy(task.x_test), torch.from_numpy(task.y_test)
    scores = []
    for seed in seeds:
        model, _, failure = trainer.train(arch, x, y, EPOCHS, seed=seed)
        scores.append(0.0 if failure else accuracy(model, *test))
    return scores


def one_seed(seed: int, args: argparse.Namespace, out: str) -> dict:
    """Search, then the best and `args.random` random architectures, for one seed."""
    task = load_task("digits", seed=seed)
    start = time.perf_counter()
    result = search(task, seed=seed, epochs=EPOCHS, output_dir=out, ensemble=1)
    wall = time.perf_counter() - start
    space = default_space(task)
    trainer = TrainingEvaluator(space, task, epochs=EPOCHS, seed=seed)
    seeds = [seed + 1000 * r for r in range(args.repeats)]
    best = [result.test_acc, *test_accuracies(trainer, result.best.arch, seeds[1:])]
    rng = np.random.default_rng([seed, 123])
    randoms = [test_accuracies(trainer, space.sample(rng), seeds) for _ in range(args.random)]
    row = {
        "seed": seed,
        "wall_s": wall,
        "best": space.format(result.best.arch),
        "search_single": best[0],
        "search_mean": float(np.mean(best)),
        "random_single_median": statistics.median(r[0] for r in randoms),
        "random_mean_median": statistics.median(float(np.mean(r)) for r in randoms),
        "random_beaten": sum(float(np.mean(r)) < np.mean(best) for r in randoms),
    }
    print(
        f"seed {seed}: search {row['search_single']:.2f}% single, {row['search_mean']:.2f}% "
        f"mean of {args.repeats} | random median {row['random_single_median']:.2f}% single, "
        f"{row['random_mean_median']:.2f}% mean | beats {row['random_beaten']}/{args.random} "
        f"random means | search wall {wall:.0f} s | {row['best']}",
        flush=True,
    )
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3, help="seeds 0..N-1 (split, search)")
    parser.add_argument("--random", type=int, default=8, help="random architectures per seed")
    parser.add_argument("--repeats", type=int, default=3, help="training seeds per architecture")
    parser.add_argument(
        "--max-params", default="100k", help="binding: the space spans about 73k to 316k"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as out:
        rows = [one_seed(seed, args, out) for seed in range(args.seeds)]
        mean = {k: float(np.mean([r[k] for r in rows])) for k in rows[0] if k != "best"}
        verdict = "above" if mean["search_mean"] > mean["random_mean_median"] else "NOT above"
        single = "above" if mean["search_single"] > mean["random_single_median"] else "not above"
        print(
            f"over {args.seeds} seeds: search {mean['search_single']:.2f}% single / "
            f"{mean['search_mean']:.2f}% mean (target >= 97) against random median "
            f"{mean['random_single_median']:.2f}% single / {mean['random_mean_median']:.2f}% "
            f"mean -> search {verdict} (single runs: {single}); slowest search "
            f"{max(r['wall_s'] for r in rows):.0f} s (target < 300)"
        )
        limit = parse_quantity(args.max_params)
        limited = search("digits", constraints=Constraints(max_params=limit), output_dir=out)
        trained = [t for t in limited.history if t.state != "infeasible"]
        print(
            f"--max-params {args.max_params} (seed 0): test accuracy {limited.test_acc:.2f}% "
            f"(unconstrained {rows[0]['search_single']:.2f}%), best params "
            f"{limited.best.metrics['params']:.0f}, all trained within limit: "
            f"{all(t.metrics['params'] <= limit for t in trained)}, rejected {limited.rejected}, "
            f"wall {limited.seconds:.0f} s"
        )


if __name__ == "__main__":
    main()
