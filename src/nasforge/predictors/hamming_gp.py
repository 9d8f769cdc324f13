"""Gaussian process with a categorical kernel: Matérn-5/2 on the Hamming distance between
the decisions, one learned weight per decision (ARD), as CASMOPOLITAN's transformed
overlap kernel (Wan et al., "Think global and act local: Bayesian optimisation over
high-dimensional categorical and mixed search spaces", ICML 2021) and Optuna's GPSampler
treat categorical parameters. Hyperparameters are MAP estimates (the marginal likelihood
times Optuna's weak priors) found by scipy's L-BFGS-B with analytic gradients."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.linalg import cho_solve, solve_triangular
from scipy.optimize import minimize

from nasforge.architecture import Architecture
from nasforge.predictors.base import Predictor, standardize
from nasforge.spaces.base import CategoricalSpace, SearchSpace

JITTER = 1e-6
# log bounds of (kernel scale, one inverse squared length scale per decision, noise variance)
SCALE_BOUNDS, WEIGHT_BOUNDS, NOISE_BOUNDS = (0.05, 20.0), (1e-3, 20.0), (1e-4, 2.0)
START = (1.0, 0.5, 0.1)


def matern52(squared: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Matérn-5/2 of a squared distance and its derivative with respect to that square."""
    root5 = np.sqrt(5.0 * np.maximum(squared, 0.0))
    decay = np.exp(-root5)
    return (1.0 + root5 + 5.0 / 3.0 * squared) * decay, -5.0 / 6.0 * (1.0 + root5) * decay


class HammingGP(Predictor):
    """GP regression on a categorical space's decisions; `hyperparameters` (the log kernel
    scale, log decision weights, log noise variance, as `hyperparameters_` after a fit)
    skips the fit of the hyperparameters and only conditions on the data."""

    has_uncertainty = True
    preferred_encodings = ("ordinal",)

    def __init__(
        self,
        space: SearchSpace,
        restarts: int = 0,
        seed: int = 0,
        hyperparameters: Sequence[float] | None = None,
    ) -> None:
        self.space = space
        self.restarts = restarts
        self.seed = seed
        self.hyperparameters = hyperparameters

    def positions(self, archs: Sequence[Architecture]) -> np.ndarray:
        """The choice index of every decision, one row per architecture."""
        if not isinstance(self.space, CategoricalSpace):
            raise ValueError(f"HammingGP needs a categorical space; {self.space.name!r} is not")
        return np.array([self.space.positions(a) for a in archs], dtype=np.int64).reshape(
            len(archs), len(self.space.labels)
        )

    def fit(self, archs: Sequence[Architecture], y: Sequence[float]) -> HammingGP:
        targets = self._check_fit_data(archs, y)
        return self.fit_positions(self.positions(archs), targets)

    def fit_positions(self, x: np.ndarray, targets: np.ndarray) -> HammingGP:
        """`fit` on choice indices (`positions(archs)`) instead of architectures."""
        scaled, self.y_mean_, self.y_std_ = standardize(np.asarray(targets, dtype=np.float64))
        mismatch = (x[:, None, :] != x[None, :, :]).astype(np.float64)
        if self.hyperparameters is not None:
            theta = np.asarray(self.hyperparameters, dtype=np.float64)
        else:
            theta = self._fit_hyperparameters(mismatch, scaled)
        self.hyperparameters_ = theta
        self.x_ = x
        scale, weights, noise = _unpack(theta)
        covariance = scale * matern52(mismatch @ weights)[0]
        covariance[np.diag_indices_from(covariance)] += noise + JITTER
        self.cholesky_ = np.linalg.cholesky(covariance)
        self.alpha_ = cho_solve((self.cholesky_, True), scaled)
        return self

    def _fit_hyperparameters(self, mismatch: np.ndarray, y: np.ndarray) -> np.ndarray:
        decisions = mismatch.shape[2]
        bounds = np.log([SCALE_BOUNDS] + [WEIGHT_BOUNDS] * decisions + [NOISE_BOUNDS])
        scale, weight, noise = START
        starts = [np.log([scale] + [weight] * decisions + [noise])]
        rng = np.random.default_rng(self.seed)
        starts += [rng.uniform(bounds[:, 0], bounds[:, 1]) for _ in range(self.restarts)]
        best = None
        for start in starts:
            found = minimize(
                _negative_log_posterior, start, args=(mismatch, y), jac=True,
                method="L-BFGS-B", bounds=bounds,
            )  # fmt: skip
            if best is None or found.fun < best.fun:
                best = found
        return best.x

    def predict(self, archs: Sequence[Architecture]) -> np.ndarray:
        return self.predict_dist(archs)[0]

    def predict_dist(self, archs: Sequence[Architecture]) -> tuple[np.ndarray, np.ndarray]:
        self._check_fitted()
        mean, std = self.predict_positions(self.positions(archs))
        return mean * self.y_std_ + self.y_mean_, std * self.y_std_

    def predict_positions(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Mean and standard deviation of the latent function (without the noise), in
        standardized units, for rows of choice indices."""
        scale, weights, _ = _unpack(self.hyperparameters_)
        sizes = [len(self.space.choices(label)) for label in self.space.labels]
        offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
        columns = np.repeat(weights, sizes)  # one weight per (decision, choice) column
        candidates, train = _one_hot(x, offsets, sum(sizes)), _one_hot(self.x_, offsets, sum(sizes))
        squared = weights.sum() - (candidates * columns) @ train.T  # the weighted mismatches
        cross = scale * matern52(squared)[0]
        mean = cross @ self.alpha_
        v = solve_triangular(self.cholesky_, cross.T, lower=True, check_finite=False)
        return mean, np.sqrt(np.maximum(scale - np.einsum("ij,ij->j", v, v), 1e-12))


def _one_hot(x: np.ndarray, offsets: np.ndarray, width: int) -> np.ndarray:
    result = np.zeros((len(x), width))
    np.put_along_axis(result, x + offsets, 1.0, axis=1)
    return result


def _unpack(theta: np.ndarray) -> tuple[float, np.ndarray, float]:
    values = np.exp(theta)
    return float(values[0]), values[1:-1], float(values[-1])


def _negative_log_posterior(
    theta: np.ndarray, mismatch: np.ndarray, y: np.ndarray
) -> tuple[float, np.ndarray]:
    """Negative log marginal likelihood minus Optuna GPSampler's log priors (Gamma(2, 1)
    on the scale, Gamma(1.1, 30) on the noise, -(0.1/w + 0.1 w) on each weight), and its
    gradient with respect to the log hyperparameters."""
    scale, weights, noise = _unpack(theta)
    kernel, slope = matern52(mismatch @ weights)
    covariance = scale * kernel
    covariance[np.diag_indices_from(covariance)] += noise + JITTER
    try:
        cholesky = np.linalg.cholesky(covariance)
    except np.linalg.LinAlgError:
        return 1e10, np.zeros_like(theta)
    alpha = cho_solve((cholesky, True), y)
    inverse = cho_solve((cholesky, True), np.eye(len(y)))
    outer = np.outer(alpha, alpha) - inverse  # d(log likelihood) = 0.5 tr(outer dK)
    value = 0.5 * y @ alpha + np.log(np.diag(cholesky)).sum()
    gradient = np.empty_like(theta)
    gradient[0] = -0.5 * np.sum(outer * covariance) + 0.5 * np.trace(outer) * (noise + JITTER)
    per_decision = np.einsum("ij,ijd->d", outer * (scale * slope), mismatch)
    gradient[1:-1] = -0.5 * per_decision * weights
    gradient[-1] = -0.5 * np.trace(outer) * noise
    value -= np.log(scale) - scale + 0.1 * np.log(noise) - 30.0 * noise
    value -= -(0.1 / weights + 0.1 * weights).sum()
    gradient[0] -= 1.0 - scale
    gradient[-1] -= 0.1 - 30.0 * noise
    gradient[1:-1] -= 0.1 / weights - 0.1 * weights
    return float(value), gradient
