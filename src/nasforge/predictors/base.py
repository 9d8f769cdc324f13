"""The `Predictor` protocol: a surrogate of an architecture's performance, in scikit-learn
vocabulary (`fit(archs, y)`, `predict(archs)`), with `predict_dist` where the model has
uncertainty."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence

import numpy as np

from nasforge.architecture import Architecture
from nasforge.predictors.encodings import choose_encoding, encode_many
from nasforge.spaces.base import SearchSpace


class Predictor(ABC):
    """Learns `y` from architectures of `space`; subclasses set `has_uncertainty`.

    Constructors take the space (which owns the encodings) and plain settings; `fit`
    sets the learned state, named with a trailing underscore. `encoding=None` takes the
    first of `preferred_encodings` that the space lists in `space.encodings`.
    """

    space: SearchSpace
    encoding: str | None = None
    preferred_encodings: tuple[str, ...] = ("adjacency", "onehot")
    has_uncertainty: bool = False

    @abstractmethod
    def fit(self, archs: Sequence[Architecture], y: Sequence[float]) -> Predictor:
        """Learn from architectures and their scores; returns self."""

    @abstractmethod
    def predict(self, archs: Sequence[Architecture]) -> np.ndarray:
        """Predicted scores, one per architecture."""

    def predict_dist(self, archs: Sequence[Architecture]) -> tuple[np.ndarray, np.ndarray]:
        """Predicted mean and standard deviation; only for models with uncertainty."""
        raise NotImplementedError(
            f"{type(self).__name__} has no predictive uncertainty; use predict(), or a "
            "predictor with has_uncertainty = True (mlp_ensemble, gp)"
        )

    def predict_std(self, archs: Sequence[Architecture]) -> np.ndarray:
        """Predicted standard deviation (see `predict_dist`)."""
        return self.predict_dist(archs)[1]

    def chosen_encoding(self) -> str:
        """The encoding the features use: `encoding` if given, else the first preferred
        one the space has; a `ValueError` naming the space's encodings otherwise."""
        who = f"the {type(self).__name__} predictor"
        if self.encoding is None:
            return choose_encoding(self.space, self.preferred_encodings, who)
        return choose_encoding(self.space, (self.encoding,), who)

    def features(self, archs: Sequence[Architecture]) -> np.ndarray:
        """The architectures' encoding (`chosen_encoding()`), one float32 row each."""
        return encode_many(self.space.encode, archs, self.chosen_encoding())

    def _check_fit_data(self, archs: Sequence[Architecture], y: Sequence[float]) -> np.ndarray:
        targets = np.asarray(y, dtype=np.float64)
        if targets.ndim != 1 or len(targets) != len(archs):
            raise ValueError(
                f"fit needs one score per architecture; got {len(archs)} architectures and "
                f"targets of shape {targets.shape}"
            )
        if len(targets) < 2:
            raise ValueError(f"fit needs at least 2 architectures, got {len(targets)}")
        if not np.all(np.isfinite(targets)):
            raise ValueError("fit targets contain NaN or infinity; drop failed trials first")
        return targets

    def _check_fitted(self) -> None:
        if not hasattr(self, "y_mean_"):
            raise ValueError(f"{type(self).__name__} is not fitted yet; call fit(archs, y) first")


def standardize(y: np.ndarray) -> tuple[np.ndarray, float, float]:
    """`(y - mean) / std` with its mean and std (std 1 when `y` is constant)."""
    mean, std = float(y.mean()), float(y.std())
    std = std if std > 1e-12 else 1.0
    return (y - mean) / std, mean, std
