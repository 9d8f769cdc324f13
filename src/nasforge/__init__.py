"""nasforge: a problem-independent neural architecture search framework."""

from __future__ import annotations

from nasforge.architecture import Architecture
from nasforge.bench import BenchmarkResult, benchmark
from nasforge.evaluators import (
    EvaluationContext,
    Evaluator,
    NB201Benchmark,
    Result,
    SimulatedCost,
)
from nasforge.execution import run_study
from nasforge.history import History, Trial
from nasforge.registry import EVALUATORS, PROXIES, SPACES, STRATEGIES
from nasforge.spaces import CategoricalSpace, NB201Space, SearchSpace, get_space
from nasforge.strategies import (
    LocalSearch,
    OptunaStrategy,
    RandomSearch,
    RegularizedEvolution,
    Strategy,
    get_strategy,
)
from nasforge.study import Study, load_study
from nasforge.tasks import Task

__version__ = "0.1.0"

__all__ = [
    "EVALUATORS",
    "PROXIES",
    "SPACES",
    "STRATEGIES",
    "Architecture",
    "BenchmarkResult",
    "CategoricalSpace",
    "EvaluationContext",
    "Evaluator",
    "History",
    "LocalSearch",
    "NB201Benchmark",
    "NB201Space",
    "OptunaStrategy",
    "RandomSearch",
    "RegularizedEvolution",
    "Result",
    "SearchSpace",
    "SimulatedCost",
    "Strategy",
    "Study",
    "Task",
    "Trial",
    "__version__",
    "benchmark",
    "get_space",
    "get_strategy",
    "load_study",
    "run_study",
]
