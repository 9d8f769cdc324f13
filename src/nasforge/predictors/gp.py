"""Gaussian-process regression on an architecture encoding (as the GP baseline of
White et al., "How powerful are performance predictors in NAS?", NeurIPS 2021), via
scikit-learn: Matérn-5/2 kernel with learned scale and noise."""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np

from nasforge.architecture import Architecture
from nasforge.predictors.base import Predictor, standardize
from nasforge.spaces.base import SearchSpace


def require_sklearn():
    """The `sklearn.gaussian_process` module, or an error saying what to install."""
    try:
        from sklearn import gaussian_process
    except ImportError:
        raise ImportError("the gp predictor needs scikit-learn: pip install scikit-learn") from None
    return gaussian_process


class GaussianProcess(Predictor):
    """GP with `ConstantKernel * Matern(nu=2.5) + WhiteKernel`, hyperparameters fitted by
    maximum likelihood (`restarts` extra random starts); by default on the adjacency
    encoding where the space has it, else one-hot."""

    has_uncertainty = True

    def __init__(
        self, space: SearchSpace, encoding: str | None = None, restarts: int = 0, seed: int = 0
    ) -> None:
        self.space = space
        self.encoding = encoding
        self.restarts = restarts
        self.seed = seed

    def fit(self, archs: Sequence[Architecture], y: Sequence[float]) -> GaussianProcess:
        gaussian_process = require_sklearn()
        from sklearn.exceptions import ConvergenceWarning

        kernels = gaussian_process.kernels
        targets = self._check_fit_data(archs, y)
        scaled, self.y_mean_, self.y_std_ = standardize(targets)
        kernel = kernels.ConstantKernel(1.0, (1e-2, 1e2)) * kernels.Matern(
            length_scale=3.0, length_scale_bounds=(1e-1, 1e3), nu=2.5
        ) + kernels.WhiteKernel(0.1, (1e-6, 1.0))
        self.model_ = gaussian_process.GaussianProcessRegressor(
            kernel, n_restarts_optimizer=self.restarts, random_state=int(self.seed)
        )
        with warnings.catch_warnings():  # a noise level at its bound is fine here
            warnings.simplefilter("ignore", category=ConvergenceWarning)
            self.model_.fit(self.features(archs), scaled)
        return self

    def predict(self, archs: Sequence[Architecture]) -> np.ndarray:
        return self.predict_dist(archs)[0]

    def predict_dist(self, archs: Sequence[Architecture]) -> tuple[np.ndarray, np.ndarray]:
        self._check_fitted()
        mean, std = self.model_.predict(self.features(archs), return_std=True)
        return mean * self.y_std_ + self.y_mean_, std * self.y_std_
