"""One-shot methods on digits (nb201 cells, the default space of `search`).

usage: python benchmarks/oneshot_digits.py quality [--seeds 0,1,2] [--epochs 10]
       python benchmarks/oneshot_digits.py memory [--batch 256] [--cells 5]
       python benchmarks/oneshot_digits.py tau [--archs 30] [--seeds 0,1,2]
           [--supernet-epochs 10,30,90] [--few-shot-epochs 30] [--few-shot 1<-0]
           [--reference FILE]
       python benchmarks/oneshot_digits.py standalone [--archs 30] [--seeds 0,1,2]
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
tau: `--archs` cells sampled uniformly (seed 7); reference = their held-out accuracy
(validation + test, 540 images, unused by any training here) after 8 epochs alone,
mean over the training seeds `--seeds` (`standalone` prints it; `--reference` caches
it as JSON); then Kendall tau and Spearman rho of the inherited-weight held-out accuracy
(BatchNorm recalibrated on 512 training images, and without) against it, for SPOS
supernets of each `--supernet-epochs` and few-shot SPOS split on `--few-shot` at half of
each `--few-shot-epochs`; also the seed-vs-seed tau of the reference (its noise).
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
from nasforge.oneshot import METHODS, SPOS, FewShotSPOS
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
            result = search(load_task("digits", seed=seed), seed=seed, output_dir=out,
                            ensemble=1)  # one network, like a one-shot method's  # fmt: skip
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


def held_out(task) -> tuple[np.ndarray, np.ndarray]:
    """Validation + test splits (540 images), used by neither network's training."""
    return np.concatenate([task.x_val, task.x_test]), np.concatenate([task.y_val, task.y_test])


def tau_archs(space, count: int) -> list:
    rng = np.random.default_rng(7)  # uniform samples, as many as asked, none dropped
    return list(dict.fromkeys(space.sample(rng) for _ in range(count)))


def standalone(args: argparse.Namespace) -> dict:
    """Held-out accuracy of each sampled cell trained alone for 8 epochs, per seed."""
    task = load_task("digits", seed=0)
    space = default_space(task)
    x, y = held_out(task)
    rows = {}
    for arch in tau_archs(space, args.archs):
        accs = []
        for seed in args.seeds:
            trainer = TrainingEvaluator(space, task, epochs=EPOCHS, seed=seed, threads=1)
            model, _, failure = trainer.train(arch, task.x_train, task.y_train, EPOCHS)
            accs.append(float("nan") if failure else trainer.measure(model, (x, y))["val_acc"])
        rows[space.format(arch)] = accs
        print(json.dumps({"arch": space.format(arch), "held_out_acc": accs}), flush=True)
    return {"epochs": EPOCHS, "seeds": args.seeds, "held_out": len(y), "accs": rows}


def _taus(a, b) -> dict:
    from scipy.stats import kendalltau, spearmanr

    return {"kendall": round(float(kendalltau(a, b)[0]), 3),
            "spearman": round(float(spearmanr(a, b)[0]), 3)}  # fmt: skip


def kendall_tau(args: argparse.Namespace) -> list[dict]:
    """Rank correlation of inherited-weight and stand-alone (seed-mean) held-out accuracy
    for SPOS supernets of several lengths and a few-shot supernet."""
    from nasforge.oneshot.spos import inherited_scores

    task = load_task("digits", seed=0)
    space = default_space(task)
    archs = tau_archs(space, args.archs)
    if args.reference is not None and args.reference.exists():
        reference = json.loads(args.reference.read_text())
    else:
        reference = standalone(args)
        if args.reference is not None:
            args.reference.write_text(json.dumps(reference, indent=1) + "\n")
    per_seed = np.array([reference["accs"][space.format(a)] for a in archs])
    alone = per_seed.mean(axis=1)
    seeds = per_seed.shape[1]
    pairs = [_taus(per_seed[:, i], per_seed[:, j])["kendall"]
             for i in range(seeds) for j in range(i + 1, seeds)]  # fmt: skip
    rows = [{"reference": f"mean of {seeds} seeds x {reference['epochs']} epochs, "
             f"{reference['held_out']} held-out images",
             "range": [round(float(alone.min()), 2), round(float(alone.max()), 2)],
             "seed_vs_seed_kendall": pairs}]  # fmt: skip
    print(json.dumps(rows[-1]), flush=True)
    x, y = (torch.from_numpy(a) for a in held_out(task))
    calibration = torch.from_numpy(task.x_train[:512])
    settings = [("spos", e, None) for e in args.supernet_epochs]
    settings += [("few-shot", e, args.few_shot) for e in args.few_shot_epochs]
    for kind, epochs, edge in settings:
        start = time.perf_counter()
        if edge is None:
            fit = SPOS(epochs=epochs, seed=0).fit(space, task)
        else:
            fit = FewShotSPOS(edge, epochs=epochs, seed=0).fit(space, task)
        supernet_s = time.perf_counter() - start
        paths = [fit.supernet.route(a) for a in archs]
        plain = []  # BatchNorm statistics as training left them, before any recalibration
        for arch, net in zip(archs, paths):
            with net.single_path(space.edge_ops(arch)):
                plain.append(loss_and_accuracy(net.network, x, y)[1])
        recalibrated = [inherited_scores(n, a, calibration, x, y)[1] for a, n in zip(archs, paths)]
        rows.append({
            "supernet": kind, "epochs": epochs, "split_edge": edge,
            "split_epoch": None if edge is None else fit.method.split_at,
            "supernet_s": round(supernet_s, 1),
            "recalibrated": _taus(recalibrated, alone), "without": _taus(plain, alone),
            "inherited_range": [round(min(recalibrated), 1), round(max(recalibrated), 1)],
            "inherited_range_without": [round(min(plain), 1), round(max(plain), 1)],
        })  # fmt: skip
        print(json.dumps(rows[-1]), flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "part", choices=("quality", "search", "memory", "memory-step", "tau", "standalone")
    )
    parser.add_argument("--seeds", default="0,1,2", help="comma-separated seeds")
    parser.add_argument("--methods", default=",".join(ORDER))
    parser.add_argument("--epochs", type=int, default=10, help="supernet epochs")
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--cells", type=int, default=5, help="cells per stage (memory)")
    parser.add_argument("--method", default="darts", help="memory-step only")
    parser.add_argument("--archs", type=int, default=30)
    parser.add_argument("--supernet-epochs", default="10,30,90", help="tau: SPOS lengths")
    parser.add_argument("--few-shot-epochs", default="30", help="tau: few-shot lengths")
    parser.add_argument("--few-shot", default="1<-0", help="tau: the split edge")
    parser.add_argument("--reference", type=Path, help="tau: stand-alone JSON (made if absent)")
    parser.add_argument("--output", type=Path, help="also write the rows as JSON here")
    args = parser.parse_args()
    args.seeds = [int(s) for s in args.seeds.split(",")]
    args.methods = args.methods.split(",")
    args.supernet_epochs = [int(e) for e in args.supernet_epochs.split(",") if e]
    args.few_shot_epochs = [int(e) for e in args.few_shot_epochs.split(",") if e]
    torch.set_num_threads(1)
    parts = {"quality": quality, "search": search_wall, "memory": memory,
             "memory-step": memory_step, "tau": kendall_tau,
             "standalone": standalone}  # fmt: skip
    rows = parts[args.part](args)
    if args.output is not None and rows is not None:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(json.dumps(rows, indent=1) + "\n")


if __name__ == "__main__":
    main()
