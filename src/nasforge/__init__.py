"""nasforge: a problem-independent neural architecture search framework.

The public names below load on first use (PEP 562), so `nasforge --help` and a module
that needs one piece do not pay for PyTorch, Optuna and every strategy up front.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_WHERE = {
    "Architecture": "nasforge.architecture",
    "BenchmarkResult": "nasforge.bench",
    "benchmark": "nasforge.bench",
    "EvaluationContext": "nasforge.evaluators",
    "Evaluator": "nasforge.evaluators",
    "NB201Benchmark": "nasforge.evaluators",
    "Result": "nasforge.evaluators",
    "SimulatedCost": "nasforge.evaluators",
    "run_study": "nasforge.run.loop",
    "TrialLog": "nasforge.run.loop",
    "SearchResult": "nasforge.run.result",
    "TrainedRun": "nasforge.run.predict",
    "load_run": "nasforge.run.predict",
    "search": "nasforge.run.search",
    "oneshot": "nasforge.run.oneshot",
    "OneShotResult": "nasforge.run.oneshot",
    "METHODS": "nasforge.registry",
    "History": "nasforge.history",
    "Trial": "nasforge.history",
    "EVALUATORS": "nasforge.registry",
    "PROXIES": "nasforge.registry",
    "SPACES": "nasforge.registry",
    "STRATEGIES": "nasforge.registry",
    "CategoricalSpace": "nasforge.spaces",
    "NB201Space": "nasforge.spaces",
    "SearchSpace": "nasforge.spaces",
    "get_space": "nasforge.spaces",
    "LocalSearch": "nasforge.strategies",
    "NSGA2": "nasforge.strategies",
    "OptunaStrategy": "nasforge.strategies",
    "RandomSearch": "nasforge.strategies",
    "RegularizedEvolution": "nasforge.strategies",
    "Strategy": "nasforge.strategies",
    "get_strategy": "nasforge.strategies",
    "Study": "nasforge.study",
    "load_study": "nasforge.study",
    "Task": "nasforge.tasks",
}

__all__ = [
    "EVALUATORS",
    "METHODS",
    "NSGA2",
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
    "OneShotResult",
    "OptunaStrategy",
    "RandomSearch",
    "RegularizedEvolution",
    "Result",
    "SearchResult",
    "SearchSpace",
    "SimulatedCost",
    "Strategy",
    "Study",
    "Task",
    "TrainedRun",
    "Trial",
    "TrialLog",
    "__version__",
    "benchmark",
    "get_space",
    "get_strategy",
    "load_run",
    "load_study",
    "oneshot",
    "run_study",
    "search",
]


def __getattr__(name: str) -> Any:
    """Import the module that defines `name` the first time it is asked for."""
    if name not in _WHERE:
        raise AttributeError(f"module 'nasforge' has no attribute {name!r}")
    value = getattr(importlib.import_module(_WHERE[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_WHERE))


if TYPE_CHECKING:
    from nasforge.architecture import Architecture
    from nasforge.bench import BenchmarkResult, benchmark
    from nasforge.evaluators import (
        EvaluationContext,
        Evaluator,
        NB201Benchmark,
        Result,
        SimulatedCost,
    )
    from nasforge.history import History, Trial
    from nasforge.registry import EVALUATORS, METHODS, PROXIES, SPACES, STRATEGIES
    from nasforge.run.loop import TrialLog, run_study
    from nasforge.run.oneshot import OneShotResult, oneshot
    from nasforge.run.predict import TrainedRun, load_run
    from nasforge.run.result import SearchResult
    from nasforge.run.search import search
    from nasforge.spaces import CategoricalSpace, NB201Space, SearchSpace, get_space
    from nasforge.strategies import (
        NSGA2,
        LocalSearch,
        OptunaStrategy,
        RandomSearch,
        RegularizedEvolution,
        Strategy,
        get_strategy,
    )
    from nasforge.study import Study, load_study
    from nasforge.tasks import Task
