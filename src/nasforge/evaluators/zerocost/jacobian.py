"""Input-Jacobian proxies: Jacobian covariance (Mellor et al., "Neural Architecture Search
without Training", arXiv v1 2020) and EPE-NAS (Lopes et al., ICANN 2021).

Both correlate, across the examples of a batch, the gradients of the summed outputs with
respect to the input; BatchNorm runs in training mode on the batch.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from nasforge.evaluators.zerocost._common import (
    Batch,
    Loss,
    check_batch,
    default_loss,
    input_jacobian,
    working_copy,
)

_EPSILON = 1e-5


def _correlations(rows: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        corrs = np.atleast_2d(np.corrcoef(rows))
    return np.nan_to_num(corrs, nan=0.0, posinf=0.0, neginf=0.0)


def jacov(model: nn.Module, batch: Batch, loss: Loss = default_loss) -> float:
    """Jacobian covariance: -sum(log(v + k) + 1/(v + k)) over the eigenvalues v of the
    correlation matrix of per-example input Jacobians (k = 1e-5)."""
    check_batch(batch, least=2)
    with torch.enable_grad():
        jacobian = input_jacobian(working_copy(model), batch).double().cpu().numpy()
    eigenvalues = np.linalg.eigvalsh(_correlations(jacobian))
    return float(-np.sum(np.log(eigenvalues + _EPSILON) + 1.0 / (eigenvalues + _EPSILON)))


def epe_nas(model: nn.Module, batch: Batch, loss: Loss = default_loss) -> float:
    """EPE-NAS: per class c, s_c = sum log(|corr| + k) of that class's Jacobians; the score
    is sum over class pairs |s_c - s_c'| / classes (s_c scaled by 1/size over 100 classes)."""
    check_batch(batch, least=2)
    with torch.enable_grad():
        clone = working_copy(model)
        jacobian = input_jacobian(clone, batch).double().cpu().numpy()
    labels = batch[1].cpu().numpy()
    many = int(np.unique(labels).size) > 100
    per_class = []
    for label in np.unique(labels):
        corrs = _correlations(jacobian[labels == label])
        value = float(np.sum(np.log(np.abs(corrs) + _EPSILON)))
        per_class.append(value / len(corrs) if many else value)
    if not per_class:
        return 0.0
    values = np.asarray(per_class)
    return float(np.abs(values[:, None] - values[None, :]).sum() / len(values))
