"""Memory and time to load the NAS-Bench-201 table with PyTorch imported (target: under
300 MB resident), for the packaged table and, if present, the CSV in the data directory.

usage: python benchmarks/table_memory.py [--source packaged|csv]
(each source is measured in a fresh process; peak RSS from getrusage, Linux/macOS)
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time

TARGET_MB = 300


def _peak_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024 if sys.platform == "darwin" else 1024)


def measure(source: str) -> dict:
    """Load one table in this process and look up the best architecture through it."""
    import torch  # noqa: F401  (the bench process imports it: nasforge builds networks)

    after_torch = _peak_mb()
    from nasforge.evaluators import NB201Benchmark, tabular

    start = time.perf_counter()
    data_path = tabular.PACKAGED_TABLE if source == "packaged" else tabular.table_location()
    bench = NB201Benchmark("cifar10", data_path=data_path).setup()
    seconds = time.perf_counter() - start
    return {"source": str(bench.source_), "torch_mb": after_torch, "peak_mb": _peak_mb(),
            "load_s": seconds, "optimum": bench.optimum()}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", choices=("packaged", "csv"))
    args = parser.parse_args()
    if args.source:
        print(json.dumps(measure(args.source)))
        return
    failed = False
    for source in ("packaged", "csv"):
        run = subprocess.run([sys.executable, __file__, "--source", source],
                             capture_output=True, text=True)  # fmt: skip
        if run.returncode:
            print(f"{source}: not measured ({run.stderr.strip().splitlines()[-1]})")
            continue
        row = json.loads(run.stdout)
        ok = row["peak_mb"] < TARGET_MB
        failed |= not ok
        print(f"{source:<9} peak RSS {row['peak_mb']:6.1f} MB (torch alone {row['torch_mb']:.1f})"
              f", load {row['load_s']:.2f} s, optimum {row['optimum']:.4f}  "
              f"{'ok' if ok else 'OVER'} < {TARGET_MB} MB  [{row['source']}]")  # fmt: skip
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
