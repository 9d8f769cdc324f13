"""Black-box search strategies, registered by name in `STRATEGIES`."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any

from nasforge.registry import STRATEGIES
from nasforge.strategies.bananas import BANANAS
from nasforge.strategies.base import SpaceExhaustedError, Strategy
from nasforge.strategies.evolution import RegularizedEvolution
from nasforge.strategies.gp_local import LocalGP
from nasforge.strategies.local_search import LocalSearch
from nasforge.strategies.multi_fidelity import Hyperband, SuccessiveHalving
from nasforge.strategies.neural_predictor import NeuralPredictor
from nasforge.strategies.npenas import NPENAS
from nasforge.strategies.nsga2 import NSGA2
from nasforge.strategies.options import create_strategy
from nasforge.strategies.optuna_adapter import OptunaStrategy
from nasforge.strategies.random_search import RandomSearch
from nasforge.strategies.training_free import NASWOT, TwoStage
from nasforge.tasks import Task

STRATEGIES.add("random", RandomSearch)
STRATEGIES.add("evolution", RegularizedEvolution)
STRATEGIES.add("local", LocalSearch)
STRATEGIES.add("tpe", partial(OptunaStrategy, sampler="tpe"))
# One ask per proposal: every ask fits the GP anew (seconds at a few hundred trials); on a
# duplicate the adapter steps to an unseen neighbour of the suggestion.
STRATEGIES.add("gp", partial(OptunaStrategy, sampler="gp", duplicate_tries=1))
STRATEGIES.add("gp-local", LocalGP)
STRATEGIES.add("sh", SuccessiveHalving)
STRATEGIES.add("hyperband", Hyperband)
STRATEGIES.add("naswot", NASWOT)
STRATEGIES.add("two-stage", TwoStage)
STRATEGIES.add("bananas", BANANAS)
STRATEGIES.add("npred", NeuralPredictor)
STRATEGIES.add("npenas", NPENAS)
STRATEGIES.add("npenas-zc", partial(NPENAS, proxy="synflow"))
STRATEGIES.add("nsga2", NSGA2)
STRATEGIES.add("nsgaii", partial(OptunaStrategy, sampler="nsgaii"))


def get_strategy(
    name: str, options: Mapping[str, Any] | None = None, task: Task | str | None = None
) -> Strategy:
    """The strategy registered as `name` with `options` (its defaults otherwise), as
    `--strategy NAME --strategy-option KEY=VALUE` builds it; see `create_strategy`."""
    return create_strategy(name, options, task=task)


__all__ = [
    "BANANAS",
    "NASWOT",
    "NPENAS",
    "NSGA2",
    "Hyperband",
    "LocalGP",
    "LocalSearch",
    "NeuralPredictor",
    "OptunaStrategy",
    "RandomSearch",
    "RegularizedEvolution",
    "SpaceExhaustedError",
    "Strategy",
    "SuccessiveHalving",
    "TwoStage",
    "create_strategy",
    "get_strategy",
]
