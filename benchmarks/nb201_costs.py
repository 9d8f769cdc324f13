"""Built NAS-Bench-201 networks against the published costs: parameter count must match
`params_M` exactly and FLOPs stay within 3% of `flops_M`, for every architecture of
zc_reference_sample.json on all three datasets.

usage: python benchmarks/nb201_costs.py
"""

from __future__ import annotations

import json
import time

import torch

from nasforge.constraints import count_flops, count_params
from nasforge.data import data_dir
from nasforge.spaces import NB201Space
from nasforge.tasks import benchmark_task


def main() -> None:
    torch.set_num_threads(1)
    space = NB201Space()
    reference = json.loads((data_dir() / "nb201" / "zc_reference_sample.json").read_text())
    for dataset, rows in reference.items():
        task = benchmark_task(dataset)
        start = time.perf_counter()
        exact, worst = 0, 0.0
        for row in rows:
            model = space.build(space.parse(row["arch"]), task)
            exact += count_params(model) == round(row["params_M"] * 1e6)
            flops = count_flops(model, task.input_shape) / 1e6
            worst = max(worst, abs(flops - row["flops_M"]) / row["flops_M"])
        print(
            f"{dataset:<15} {len(rows)} archs: params exact {exact}/{len(rows)}, "
            f"max FLOPs error {100 * worst:.3f}% ({time.perf_counter() - start:.0f} s)"
        )


if __name__ == "__main__":
    main()
