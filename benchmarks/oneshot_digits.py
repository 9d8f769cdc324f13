"""One-shot methods on digits (nb201 cells, the default space of `search`).

usage: python benchmarks/oneshot_digits.py quality [--seeds 0,1,2] [--epochs 10]
       python benchmarks/oneshot_digits.py memory [--batch 256] [--cells 5]
       python benchmarks/oneshot_digits.py tau [--archs 30] [--epochs 10]
       python benchmarks/oneshot_digits.py search [--seeds 0]

quality: per seed and method, `nasforge.oneshot` (argmax; spos: evolution on the
supernet, 50 trials) with its search wall time, the derived cell's test accuracy after
retraining on train + validation for 8 epochs (as `search` retrains), its skip/none
share and NAS-Bench-201 CIFAR-10 accuracy; then (method "random") the median test
accuracy of 8 random cells retrained the same way (training seed = the seed).
search: the default `nasforge search` wall time and test accuracy per seed.
memory: the peak resident memory added by one training step (forward + backward, batch
`--batch`) of the DARTS and PC-DARTS supernets, each in a fresh process (ru_maxrss after
the step minus before it; PyTorch's CPU allocator is invisible to tracemalloc).
tau: SPOS supernet, Kendall tau between the inherited-weight validation accuracy (with
and without BatchNorm recalibration) of `--archs` sampled cells and their stand-alone
validation accuracy after 8 epochs.
Targets (issue 14): PC-DARTS peak <= 0.5x DARTS; tau reported (recalibration if < 0.3).
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).parent))
from nasforge.evaluators.training import TrainingEvaluator
from nasforge.oneshot import METHODS, SPOS, SupernetEvaluator
from nasforge.oneshot.base import loss_and_accuracy
from nasforge.run.oneshot import oneshot
from nasforge.spaces import default_space
from nasforge.spaces.nb201 import NB201Space
from nasforge.tasks import load_task
from search_digits import EPOCHS, test_accuracies

ORDER = ("gdas", "spos", "pcdarts", "darts", "drnas")  # fastest first


def quality(args: argparse.Namespace) -> list[dict]:
    rows = []
    for seed in args.seeds:
        task = load_task("digits", seed=seed)
        space = default_space(task)
        for method in args.methods:
            with tempfile.TemporaryDirectory() as out:
                start = time.perf_counter()
                result = oneshot(task, method=method, epochs=args.epochs, seed=seed,
                                 retrain=True, final_epochs=EPOCHS, output_dir=out)  # fmt: skip
                wall = time.perf_counter() - start
            row = {
                "seed": seed, "method": method, "test_acc": result.test_acc,
                "search_s": round(result.search_seconds, 1), "wall_s": round(wall, 1),
                "skip_none": result.skip_share, "nb201_cifar10": result.benchmark.get("cifar10"),
                "arch": space.format(result.arch),
            }  # fmt: skip
            print(json.dumps(row), flush=True)
            rows.append(row)
        trainer = TrainingEvaluator(space, task, epochs=EPOCHS, seed=seed, threads=1)
        rng = np.random.default_rng([seed, 123])
        randoms = [test_accuracies(trainer, space.sample(rng), [seed])[0] for _ in range(8)]
        rows.append({"seed": seed, "method": "random", "test_acc": statistics.median(randoms),
                     "all": randoms})  # fmt: skip
        print(json.dumps(rows[-1]), flush=True)
    return rows


def search_wall(args: argparse.Namespace) -> list[dict]:
    from nasforge.run.search import search

    rows = []
    for seed in args.seeds:
        with tempfile.TemporaryDirectory() as out:
            start = time.perf_counter()
            result = search(load_task("digits", seed=seed), seed=seed, output_dir=out)
            row = {"seed": seed, "method": "search", "test_acc": result.test_acc,
                   "wall_s": round(time.perf_counter() - start, 1)}  # fmt: skip
        print(json.dumps(row), flush=True)
        rows.append(row)
    return rows


def memory(args: argparse.Namespace) -> list[dict]:
    rows = []
    for method in ("darts", "pcdarts"):
        command = [sys.executable, __file__, "memory-step", "--method", method,
                   "--batch", str(args.batch), "--cells", str(args.cells)]  # fmt: skip
        rows.append(json.loads(subprocess.run(command, capture_output=True, check=True,
                                              text=True).stdout.splitlines()[-1]))  # fmt: skip
        print(json.dumps(rows[-1]), flush=True)
    ratio = rows[1]["step_peak_mib"] / rows[0]["step_peak_mib"]
    print(f"PC-DARTS / DARTS peak step memory: {ratio:.2f} (target <= 0.5)", flush=True)
    return rows


def memory_step(args: argparse.Namespace) -> None:
    """One weight step of a fresh supernet in this process; prints its peak memory."""
    torch.set_num_threads(1)
    task = load_task("digits", seed=0)
    space = NB201Space(channels=16, cells=args.cells)
    method = METHODS.create(args.method, seed=0)
    method.generator_ = torch.Generator().manual_seed(0)
    method.progress_ = 0.0
    supernet = method.make_supernet(space, task)
    x = torch.from_numpy(task.x_train[: args.batch])
    y = torch.from_numpy(task.y_train[: args.batch])
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    logits = method.weight_step_logits(supernet, (x, y))
    torch.nn.functional.cross_entropy(logits, y).backward()
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"method": args.method, "batch": args.batch, "cells": args.cells,
                      "step_peak_mib": round((after - before) / 1024, 1)}))  # fmt: skip


def kendall_tau(args: argparse.Namespace) -> dict:
    from scipy.stats import kendalltau

    task = load_task("digits", seed=0)
    space = default_space(task)
    start = time.perf_counter()
    fit = SPOS(epochs=args.epochs, seed=0).fit(space, task)
    supernet_s = time.perf_counter() - start
    rng = np.random.default_rng(7)
    archs = list(dict.fromkeys(space.sample(rng) for _ in range(args.archs)))
    x_val, y_val = torch.from_numpy(task.x_val), torch.from_numpy(task.y_val)
    plain = []  # BatchNorm statistics as training left them, before any recalibration
    for arch in archs:
        with fit.supernet.single_path(space.edge_ops(arch)):
            plain.append(loss_and_accuracy(fit.supernet.network, x_val, y_val)[1])
    evaluator = SupernetEvaluator(fit.supernet)
    recalibrated = [evaluator.evaluate(a).metrics["val_acc"] for a in archs]
    trainer = TrainingEvaluator(space, task, epochs=EPOCHS, seed=0, threads=1)
    alone = [trainer.evaluate(a).metrics["val_acc"] for a in archs]
    row = {
        "archs": len(archs), "supernet_epochs": args.epochs, "supernet_s": round(supernet_s, 1),
        "tau_recalibrated": float(kendalltau(recalibrated, alone)[0]),
        "tau_without_recalibration": float(kendalltau(plain, alone)[0]),
        "standalone_range": [min(alone), max(alone)],
        "inherited_range": [min(recalibrated), max(recalibrated)],
    }  # fmt: skip
    print(json.dumps(row), flush=True)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("part", choices=("quality", "search", "memory", "memory-step", "tau"))
    parser.add_argument("--seeds", default="0,1,2", help="comma-separated seeds")
    parser.add_argument("--methods", default=",".join(ORDER))
    parser.add_argument("--epochs", type=int, default=10, help="supernet epochs")
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--cells", type=int, default=5, help="cells per stage (memory)")
    parser.add_argument("--method", default="darts", help="memory-step only")
    parser.add_argument("--archs", type=int, default=30)
    parser.add_argument("--output", type=Path, help="also write the rows as JSON here")
    args = parser.parse_args()
    args.seeds = [int(s) for s in args.seeds.split(",")]
    args.methods = args.methods.split(",")
    torch.set_num_threads(1)
    parts = {"quality": quality, "search": search_wall, "memory": memory,
             "memory-step": memory_step, "tau": kendall_tau}  # fmt: skip
    rows = parts[args.part](args)
    if args.output is not None and rows is not None:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(json.dumps(rows, indent=1) + "\n")


if __name__ == "__main__":
    main()
