"""Performance estimators, registered by name in `EVALUATORS`."""

from __future__ import annotations

from nasforge.evaluators.base import EvaluationContext, Evaluator, Result, SimulatedCost
from nasforge.evaluators.tabular import NB201Benchmark
from nasforge.evaluators.zerocost.evaluator import ZeroCostEvaluator
from nasforge.registry import EVALUATORS

EVALUATORS.add("nb201", NB201Benchmark)
EVALUATORS.add("zerocost", ZeroCostEvaluator)

__all__ = [
    "EvaluationContext",
    "Evaluator",
    "NB201Benchmark",
    "Result",
    "SimulatedCost",
    "ZeroCostEvaluator",
]
