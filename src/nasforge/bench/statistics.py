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
    values = np.asarray(values, dtype=float)
    rng = np.random.default_rng(seed)
    means = values[rng.integers(len(values), size=(BOOTSTRAP_RESAMPLES, len(values)))].mean(1)
    tail = (1.0 - level) / 2.0
    return float(np.quantile(means, tail)), float(np.quantile(means, 1.0 - tail))


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
