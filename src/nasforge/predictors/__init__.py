"""Performance predictors (surrogates) and architecture encodings, registered by name in
`PREDICTORS`: `mlp_ensemble` (BANANAS), `gp`, `lgbm`, `gin` and `zc` (zero-cost features)."""

from __future__ import annotations

from nasforge.predictors.base import Predictor
from nasforge.predictors.gin import GraphIsomorphismNetwork
from nasforge.predictors.gp import GaussianProcess
from nasforge.predictors.mlp import MLPEnsemble
from nasforge.predictors.trees import GradientBoosting
from nasforge.predictors.zerocost import ZeroCostAugmented
from nasforge.registry import Registry

PREDICTORS = Registry("predictor", "nasforge.predictors")
PREDICTORS.add("mlp_ensemble", MLPEnsemble)
PREDICTORS.add("gp", GaussianProcess)
PREDICTORS.add("lgbm", GradientBoosting)
PREDICTORS.add("gin", GraphIsomorphismNetwork)
PREDICTORS.add("zc", ZeroCostAugmented)

__all__ = [
    "PREDICTORS",
    "GaussianProcess",
    "GradientBoosting",
    "GraphIsomorphismNetwork",
    "MLPEnsemble",
    "Predictor",
    "ZeroCostAugmented",
]
