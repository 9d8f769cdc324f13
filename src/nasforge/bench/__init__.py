"""Benchmarking harness: strategies x seeds x budget on tabular benchmarks."""

from __future__ import annotations

from nasforge.bench.report import BenchmarkResult
from nasforge.bench.runner import benchmark

__all__ = ["BenchmarkResult", "benchmark"]
