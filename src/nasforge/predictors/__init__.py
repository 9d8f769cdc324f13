"""Performance predictors (surrogates), registered by name in `PREDICTORS`: `mlp_ensemble`
(BANANAS), `gp`, `gp_hamming`, `lgbm`, `gin` and `zc` (zero-cost features). Each works on the
encodings its space declares (`space.encodings`); `gin` needs a graph form."""

from __future__ import annotations

import inspect
from typing import Any

from nasforge.predictors.base import Predictor
from nasforge.predictors.encodings import choose_encoding
from nasforge.predictors.gin import GraphIsomorphismNetwork
from nasforge.predictors.gp import GaussianProcess
from nasforge.predictors.hamming_gp import HammingGP
from nasforge.predictors.mlp import MLPEnsemble
from nasforge.predictors.trees import GradientBoosting
from nasforge.predictors.zerocost import ZeroCostAugmented
from nasforge.registry import Registry
from nasforge.spaces.base import SearchSpace
from nasforge.tasks import Task

PREDICTORS = Registry("predictor", "nasforge.predictors")
PREDICTORS.add("mlp_ensemble", MLPEnsemble)
PREDICTORS.add("gp", GaussianProcess)
PREDICTORS.add("gp_hamming", HammingGP)
PREDICTORS.add("lgbm", GradientBoosting)
PREDICTORS.add("gin", GraphIsomorphismNetwork)
PREDICTORS.add("zc", ZeroCostAugmented)


def create_predictor(
    name: str,
    space: SearchSpace,
    seed: int,
    task: Task | str | None = None,
    device: str | None = None,
    **settings: Any,
) -> Predictor:
    """The predictor registered as `name` for `space`; `task` goes to the predictors that
    build networks (those taking a `task` argument, as `zc`) and `device` to those that
    train on one (`gin`); the rest ignore them (the NumPy `mlp_ensemble`, `gp`, `lgbm`)."""
    constructor = PREDICTORS.get(name)
    parameters = inspect.signature(constructor).parameters
    if task is not None and "task" in parameters:
        settings = {"task": task, **settings}
    if device is not None and "device" in parameters:
        settings = {"device": device, **settings}
    return constructor(space=space, seed=seed, **settings)


def check_predictor(name: str, space: SearchSpace) -> None:
    """A ValueError when no predictor is registered as `name` or `space` lacks the
    encoding it needs (a graph form for `gin`); checked before a search starts."""
    constructor = PREDICTORS.get(name)  # ValueError listing the registered predictors
    cls = getattr(constructor, "func", constructor)
    needed = (cls.encoding,) if cls.encoding else cls.preferred_encodings
    choose_encoding(space, needed, f"the {name} predictor")


def default_predictor(space: SearchSpace) -> str:
    """The graph network `gin` where the space has a graph form, else `mlp_ensemble` (on
    the best encoding the space has: path, adjacency, then one-hot)."""
    return "gin" if "graph" in space.encodings else "mlp_ensemble"


__all__ = [
    "PREDICTORS",
    "GaussianProcess",
    "GradientBoosting",
    "GraphIsomorphismNetwork",
    "HammingGP",
    "MLPEnsemble",
    "Predictor",
    "ZeroCostAugmented",
    "check_predictor",
    "create_predictor",
    "default_predictor",
]
