"""The default `nasforge search` on digits against random architectures trained with the
same budget, and a `--max-params` run beside the unconstrained best.

usage: python benchmarks/search_digits.py [--random 8] [--max-params 100k]
Targets: best test accuracy >= 97%, above the median of random architectures; under
5 minutes of wall time on 2 cores.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time

import numpy as np

from nasforge.constraints import Constraints, parse_quantity
from nasforge.evaluators.training import TrainingEvaluator, accuracy
from nasforge.search import default_space, search
from nasforge.tasks import load_task


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--random", type=int, default=8, help="random architectures to train")
    parser.add_argument(
        "--max-params", default="100k", help="binding: the space spans about 73k to 316k"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        result = search(output_dir=out, progress=False)
        wall = time.perf_counter() - start
        print(f"default search: best {result.space.format(result.best.arch)}")
        print(
            f"  test accuracy {result.test_acc:.2f}% (target >= 97), wall {wall:.0f} s "
            f"(target < 300), {len(result.history)} trials, params "
            f"{result.best.metrics['params']:.0f}"
        )
        limit = parse_quantity(args.max_params)
        limited = search(output_dir=out, constraints=Constraints(max_params=limit))
        trained = [t for t in limited.history if t.state != "infeasible"]
        print(
            f"--max-params {args.max_params}: test accuracy {limited.test_acc:.2f}% "
            f"(unconstrained {result.test_acc:.2f}%), best params "
            f"{limited.best.metrics['params']:.0f}, all trained within limit: "
            f"{all(t.metrics['params'] <= limit for t in trained)}, rejected {limited.rejected}"
        )
    task = load_task("digits")
    space = default_space(task)
    trainer = TrainingEvaluator(space, task, epochs=8)
    rng = np.random.default_rng(123)
    x = np.concatenate([task.x_train, task.x_val])
    y = np.concatenate([task.y_train, task.y_val])
    scores = []
    for _ in range(args.random):
        model, _, failure = trainer.train(space.sample(rng), x, y, 8)
        if failure is None:
            import torch

            scores.append(
                accuracy(model, torch.from_numpy(task.x_test), torch.from_numpy(task.y_test))
            )
    median = statistics.median(scores)
    print(
        f"random architectures, same training budget: median test accuracy {median:.2f}% "
        f"over {len(scores)} (search's best {'above' if result.test_acc > median else 'NOT above'})"
    )


if __name__ == "__main__":
    main()
