"""Benchmarking harness: strategies x seeds x budget on tabular benchmarks.

The names load lazily, so `nasforge.bench.statistics` (used by reports) does not import
the search loop and PyTorch."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_WHERE = {"BenchmarkResult": "nasforge.bench.report", "benchmark": "nasforge.bench.runner"}


def __getattr__(name: str) -> Any:
    """Import the module that defines `name` the first time it is asked for."""
    if name not in _WHERE:
        raise AttributeError(f"module 'nasforge.bench' has no attribute {name!r}")
    value = getattr(importlib.import_module(_WHERE[name]), name)
    globals()[name] = value
    return value


if TYPE_CHECKING:
    from nasforge.bench.report import BenchmarkResult
    from nasforge.bench.runner import benchmark

__all__ = ["BenchmarkResult", "benchmark"]
