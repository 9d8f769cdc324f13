"""Accelerator check: run each registered check for a few steps on a CUDA device and print
seconds per epoch (or per call) and peak GPU memory. Without CUDA it says so and exits 0.

A check is a function `check(device) -> dict` in `CHECKS`, returning at least `seconds`
(per epoch or per scored architecture) and `unit`; peak memory is measured around it.
Every one-shot method has a check (one supernet epoch); a further check (a new space or
method) is one more entry in `CHECKS`.

usage: python benchmarks/gpu_check.py [--device auto|cuda:N|cpu] [--only NAME,NAME]
       (--device cpu runs the same checks on the CPU, for comparison)
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable

import numpy as np
import torch

from nasforge.devices import resolve_device, synchronize
from nasforge.evaluators.training import TrainingEvaluator
from nasforge.evaluators.zerocost.evaluator import ZeroCostEvaluator
from nasforge.predictors import create_predictor
from nasforge.registry import METHODS, SPACES
from nasforge.tasks import load_task

EPOCHS = 2


def _training(space_name: str, **settings: int) -> Callable[[torch.device], dict]:
    """Train one sampled architecture of `space_name` (built with `settings`) on digits for
    `EPOCHS` epochs."""

    def check(device: torch.device) -> dict:
        task = load_task("digits")
        space = SPACES.create(space_name, **settings)
        arch = space.sample(np.random.default_rng(0))
        trainer = TrainingEvaluator(space, task, epochs=EPOCHS, batch_size=64, device=str(device))
        start = time.perf_counter()
        result = trainer.evaluate(arch)
        synchronize(device)
        seconds = (time.perf_counter() - start) / EPOCHS
        return {"seconds": seconds, "unit": "s/epoch", "note": f"val_acc {result.curve[-1]:.1f}%"}

    return check


def _proxies(device: torch.device, archs: int = 4) -> dict:
    """Zero-cost proxies on NAS-Bench-201 CIFAR-10-shaped networks, a 64-image batch."""
    space = SPACES.create("nb201")
    rng = np.random.default_rng(0)
    evaluator = ZeroCostEvaluator(
        ("synflow", "snip", "nwot", "jacov"), "cifar10", space, data="gaussian",
        device=str(device),
    ).setup()  # fmt: skip
    start = time.perf_counter()
    for _ in range(archs):
        evaluator.scores(space.sample(rng))
    synchronize(device)
    return {"seconds": (time.perf_counter() - start) / archs, "unit": "s/arch (4 proxies)"}


def _gin(device: torch.device, size: int = 200) -> dict:
    """Fit the GIN predictor on `size` NAS-Bench-201 cells with random targets."""
    space = SPACES.create("nb201")
    rng = np.random.default_rng(0)
    archs = [space.sample(rng) for _ in range(size)]
    predictor = create_predictor("gin", space, 0, device=str(device), epochs=20)
    start = time.perf_counter()
    predictor.fit(archs, rng.random(size))
    synchronize(device)
    return {"seconds": (time.perf_counter() - start) / 20, "unit": "s/epoch (200 cells)"}


def _oneshot(method: str) -> Callable[[torch.device], dict]:
    """Train the `method` supernet of the nb201 cells `search` uses (16 channels, one cell
    per stage) on digits for one epoch."""

    def check(device: torch.device) -> dict:
        task = load_task("digits")
        space = SPACES.create("nb201", channels=16, cells=1)
        trainer = METHODS.create(method, epochs=1, batch_size=64, device=str(device))
        start = time.perf_counter()
        fit = trainer.fit(space, task)
        synchronize(device)
        report = fit.epochs[-1]
        return {"seconds": time.perf_counter() - start, "unit": "s/epoch",
                "note": f"supernet val_acc {report.val_acc:.1f}%"}  # fmt: skip

    return check


CHECKS: dict[str, Callable[[torch.device], dict]] = {
    "train/nb201": _training("nb201", channels=16, cells=1),
    "train/darts": _training("darts", channels=16, cells=8),  # the DARTS search network
    "proxies/nb201": _proxies,
    "predictor/gin": _gin,
    **{f"oneshot/{name}": _oneshot(name) for name in ("darts", "gdas", "pcdarts", "drnas", "spos")},
}


def run_check(name: str, device: torch.device) -> dict:
    """One check with its peak GPU memory (MiB; NaN on the CPU) and any error caught."""
    if device.type == "cuda":
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats(device)
    try:
        row = CHECKS[name](device)
    except Exception as error:  # a failing check is reported, the others still run
        note = f"FAILED {type(error).__name__}: {error}"
        return {"seconds": float("nan"), "unit": "", "note": note, "peak_mib": float("nan")}
    peak = (
        torch.cuda.max_memory_allocated(device) / 2**20 if device.type == "cuda" else float("nan")
    )
    return {**row, "peak_mib": peak}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="auto", help="auto (default), cuda, cuda:N or cpu")
    parser.add_argument("--only", default="", help="comma-separated check names")
    args = parser.parse_args()
    device = resolve_device(args.device)
    if device.type != "cuda" and args.device != "cpu":
        print("no CUDA device visible to PyTorch: nothing to check (use --device cpu to run "
              "the checks on the CPU)")  # fmt: skip
        return 0
    names = [n.strip() for n in args.only.split(",") if n.strip()] or list(CHECKS)
    unknown = sorted(set(names) - set(CHECKS))
    if unknown:
        print(f"unknown checks {unknown}; known: {', '.join(CHECKS)}", file=sys.stderr)
        return 2
    label = torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu"
    print(f"device {device} ({label}), torch {torch.__version__}")
    failed = 0
    for name in names:
        row = run_check(name, device)
        failed += row.get("note", "").startswith("FAILED")
        peak = "-" if row["peak_mib"] != row["peak_mib"] else f"{row['peak_mib']:.0f} MiB"
        print(f"{name:24s} {row['seconds']:8.3f} {row['unit']:24s} peak {peak:>9s}  "
              f"{row.get('note', '')}")  # fmt: skip
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
