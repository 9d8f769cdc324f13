"""Combining zero-cost proxies: rank aggregation, and a weighted combination fitted on a few
labelled architectures in the spirit of RoBoT (He et al., "Robustifying and Boosting
Training-Free NAS", ICLR 2024).

Each proxy's score is turned into its quantile within a reference pool, so proxies on
wildly different scales (SynFlow ~1e40, NASWOT ~1e3) combine on equal terms.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from scipy.stats import rankdata


def quantiles(values: Sequence[float]) -> np.ndarray:
    """Average ranks scaled to (0, 1]; NaN counts as the lowest score."""
    array = np.asarray(values, dtype=np.float64)
    array = np.where(np.isnan(array), -np.inf, array)
    return rankdata(array) / max(len(array), 1)


def rank_aggregate(scores: Mapping[str, Sequence[float]]) -> np.ndarray:
    """Unsupervised ensemble: the mean of each proxy's quantiles, per architecture."""
    if not scores:
        raise ValueError("rank aggregation needs the scores of at least one proxy")
    return np.mean([quantiles(values) for values in scores.values()], axis=0)


def _spearman_columns(predictions: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Spearman correlation of each column of `predictions` with `y`."""
    ranks = np.apply_along_axis(rankdata, 0, predictions)
    ranks -= ranks.mean(axis=0)
    target = rankdata(y) - (len(y) + 1) / 2
    norms = np.linalg.norm(ranks, axis=0) * np.linalg.norm(target)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.nan_to_num(ranks.T @ target / norms, nan=-1.0)


class WeightedEnsemble:
    """Weighted sum of proxy quantiles; weights in [-1, 1] maximise the Spearman correlation
    with the labels, by seeded random search that also tries every single proxy and the
    equal-weight mix (so on the labelled set it never trails a single proxy)."""

    def __init__(self, trials: int = 2000, seed: int = 0) -> None:
        self.trials = trials
        self.seed = seed

    def fit(
        self,
        scores: Mapping[str, Sequence[float]],
        y: Sequence[float],
        reference: Mapping[str, Sequence[float]] | None = None,
    ) -> WeightedEnsemble:
        """Fit the weights on labelled `scores`; quantiles are taken within `reference` (the
        unlabelled pool being searched), or within `scores` when it is not given."""
        names = list(scores)
        labels = np.asarray(y, dtype=np.float64)
        if len(names) < 1 or len(labels) < 3:
            raise ValueError("fitting an ensemble needs one proxy and at least 3 labelled archs")
        pool = reference if reference is not None else scores
        missing = [name for name in names if name not in pool]
        if missing:
            raise ValueError(f"the reference pool lacks the proxies {', '.join(missing)}")
        self.names_ = names
        self.reference_ = {
            name: np.sort(np.nan_to_num(np.asarray(pool[name], float), nan=-np.inf))
            for name in names
        }
        features = self.transform(scores)
        rng = np.random.default_rng(self.seed)
        candidates = np.vstack(
            [
                np.eye(len(names)),
                np.ones((1, len(names))) / len(names),
                rng.uniform(-1.0, 1.0, size=(self.trials, len(names))),
            ]
        )
        fits = _spearman_columns(features @ candidates.T, labels)
        self.weights_ = dict(zip(names, candidates[int(np.argmax(fits))].tolist()))
        self.train_spearman_ = float(fits.max())
        return self

    def transform(self, scores: Mapping[str, Sequence[float]]) -> np.ndarray:
        """Quantile of every score within the reference pool: (archs, proxies)."""
        columns = []
        for name in self.names_:
            values = np.nan_to_num(np.asarray(scores[name], float), nan=-np.inf)
            ref = self.reference_[name]
            low = np.searchsorted(ref, values, side="left")
            high = np.searchsorted(ref, values, side="right")
            columns.append((low + high) / (2.0 * max(len(ref), 1)))
        return np.column_stack(columns)

    def predict(self, scores: Mapping[str, Sequence[float]]) -> np.ndarray:
        """Ensemble score per architecture (larger is better)."""
        weights = np.array([self.weights_[name] for name in self.names_])
        return self.transform(scores) @ weights

    def score_one(self, scores: Mapping[str, float]) -> float:
        """Ensemble score of one architecture from its `{proxy: score}`."""
        return float(self.predict({name: [scores[name]] for name in self.names_})[0])
