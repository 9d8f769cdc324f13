"""Gradient-boosted regression trees (LightGBM: Ke et al., NeurIPS 2017) on an
architecture encoding, the strongest model-based predictor family in White et al.,
"How powerful are performance predictors in NAS?" (NeurIPS 2021)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from nasforge.architecture import Architecture
from nasforge.predictors.base import Predictor, standardize
from nasforge.spaces.base import SearchSpace


class GradientBoosting(Predictor):
    """LightGBM regressor; small leaves and row/feature subsampling suit tiny training sets.
    By default on the adjacency encoding where the space has it, else one-hot."""

    def __init__(
        self,
        space: SearchSpace,
        encoding: str | None = None,
        trees: int = 400,
        learning_rate: float = 0.03,
        leaves: int = 15,
        min_child_samples: int = 5,
        subsample: float = 0.8,
        colsample: float = 0.7,
        seed: int = 0,
    ) -> None:
        self.space = space
        self.encoding = encoding
        self.trees = trees
        self.learning_rate = learning_rate
        self.leaves = leaves
        self.min_child_samples = min_child_samples
        self.subsample = subsample
        self.colsample = colsample
        self.seed = seed

    def fit(self, archs: Sequence[Architecture], y: Sequence[float]) -> GradientBoosting:
        try:
            import lightgbm
        except ImportError:
            raise ImportError("the lgbm predictor needs LightGBM: pip install lightgbm") from None
        targets = self._check_fit_data(archs, y)
        scaled, self.y_mean_, self.y_std_ = standardize(targets)
        self.model_ = lightgbm.LGBMRegressor(
            n_estimators=self.trees,
            learning_rate=self.learning_rate,
            num_leaves=self.leaves,
            min_child_samples=self.min_child_samples,
            subsample=self.subsample,
            subsample_freq=1,
            colsample_bytree=self.colsample,
            random_state=int(self.seed),
            n_jobs=1,
            verbose=-1,
        ).fit(self.features(archs), scaled)
        return self

    def predict(self, archs: Sequence[Architecture]) -> np.ndarray:
        self._check_fitted()
        return self.model_.predict(self.features(archs)) * self.y_std_ + self.y_mean_
