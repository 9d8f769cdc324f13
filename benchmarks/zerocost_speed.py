"""Seconds per NAS-Bench-201 architecture of every zero-cost proxy on this CPU (32x32 input).

Target: SynFlow <= 0.15 s per architecture (wall time). Model construction is timed
separately. CPU time is printed too: on a busy shared machine it shows what one
dedicated core would take.

    python benchmarks/zerocost_speed.py --archs 20 --batch-size 64 --threads 1
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch

from nasforge.evaluators.zerocost import proxy_batch
from nasforge.evaluators.zerocost.evaluator import build_initialised
from nasforge.registry import PROXIES
from nasforge.spaces import NB201Space
from nasforge.tasks import benchmark_task


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--archs", type=int, default=20)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--proxies", default=",".join(PROXIES.names()))
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    space, task = NB201Space(), benchmark_task("cifar10")
    rng = np.random.default_rng(0)
    archs = [space.sample(rng) for _ in range(args.archs)]
    batch = proxy_batch(task, "gaussian", args.batch_size, 0)
    start = time.perf_counter()
    models = [build_initialised(space, arch, task, 0) for arch in archs]
    build = (time.perf_counter() - start) / len(models)
    print(
        f"{args.archs} NB201 archs, cifar10 32x32, batch {args.batch_size}, "
        f"{args.threads} thread(s); shared 2-core CPU, timings noisy"
    )
    print(f"{'model build':12s} {build:8.3f} s/arch")
    times = {}
    for name in [p.strip() for p in args.proxies.split(",") if p.strip()]:
        proxy = PROXIES.get(name)
        proxy(models[0], batch)  # warm-up
        start, cpu = time.perf_counter(), time.process_time()
        for model in models:
            proxy(model, batch)
        times[name] = (time.perf_counter() - start) / len(models)
        cpu_time = (time.process_time() - cpu) / len(models)
        print(f"{name:12s} {times[name]:8.3f} s/arch wall {cpu_time:8.3f} s/arch CPU", flush=True)
    if "synflow" in times:
        ok = times["synflow"] <= 0.15
        print(
            f"target synflow <= 0.15 s/arch: {times['synflow']:.3f} -> {'met' if ok else 'NOT met'}"
        )


if __name__ == "__main__":
    main()
