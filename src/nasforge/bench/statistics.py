"""Statistics for benchmark tables, as the NAS best-practice checklist asks (Lindauer &
Hutter, JMLR 2020): percentile bootstrap intervals of a mean (Efron & Tibshirani, "An
Introduction to the Bootstrap", 1993) and the Wilcoxon signed-rank test for runs paired
by seed (scipy.stats.wilcoxon)."""

from __future__ import annotations

import numpy as np

BOOTSTRAP_RESAMPLES = 10_000


def bootstrap_interval(
    values: np.ndarray, level: float = 0.95, seed: int = 0
) -> tuple[float, float]:
    """Percentile bootstrap interval of the mean of `values` (fixed resampling seed)."""
    low, high = bootstrap_bands(np.asarray(values, dtype=float)[:, None], level, seed)[1:]
    return float(low[0]), float(high[0])


def bootstrap_bands(
    values: np.ndarray, level: float = 0.95, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per column of `values` (runs x points, e.g. seeds x queries): the mean over runs and
    the percentile bootstrap interval of that mean, resampling whole runs with one fixed
    set of draws for every column, so an anytime band at the last query is the summary's
    interval. NaN where a run has no value yet."""
    values = np.asarray(values, dtype=float)
    runs, points = values.shape
    mean = np.full(points, np.nan)
    low, high = mean.copy(), mean.copy()
    complete = ~np.isnan(values).any(axis=0)
    if runs == 0 or not complete.any():
        return mean, low, high
    draws = np.random.default_rng(seed).integers(runs, size=(BOOTSTRAP_RESAMPLES, runs))
    counts = (draws[:, :, None] == np.arange(runs)).sum(axis=1).astype(float)  # draws per run
    means = values[:, complete].T @ counts.T / runs  # (complete points, resamples)
    tail = (1.0 - level) / 2.0
    low[complete], high[complete] = np.quantile(means, [tail, 1.0 - tail], axis=1)
    mean[complete] = values[:, complete].mean(axis=0)
    return mean, low, high


def paired_test(values: np.ndarray, baseline: np.ndarray) -> float:
    """Two-sided p-value of the Wilcoxon signed-rank test of `values - baseline` (paired
    by seed); 1.0 when every difference is zero, NaN with fewer than two pairs."""
    from scipy.stats import wilcoxon

    differences = np.asarray(values, dtype=float) - np.asarray(baseline, dtype=float)
    if len(differences) < 2:
        return float("nan")
    if not np.any(differences):
        return 1.0
    return float(wilcoxon(differences, zero_method="zsplit").pvalue)
