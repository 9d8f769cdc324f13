"""Cost proxies: parameter count, FLOPs and the weight norm (the baselines of Abdelfattah et
al., ICLR 2021, and NAS-Bench-Suite-Zero, Krishnakumar et al., NeurIPS 2022)."""

from __future__ import annotations

import torch
from torch import nn

from nasforge.constraints import count_flops, count_params
from nasforge.evaluators.zerocost._common import Batch, Loss, default_loss, weighted_layers


def params(model: nn.Module, batch: Batch, loss: Loss = default_loss) -> float:
    """Number of parameters; data-free."""
    return float(count_params(model))


def flops(model: nn.Module, batch: Batch, loss: Loss = default_loss) -> float:
    """FLOPs of one example of the batch's input shape (`nasforge.constraints` convention)."""
    return float(count_flops(model, tuple(batch[0].shape[1:])))


def l2_norm(model: nn.Module, batch: Batch, loss: Loss = default_loss) -> float:
    """Sum over conv and linear layers of the L2 norm of the weights at initialisation."""
    with torch.no_grad():
        return float(sum(float(layer.weight.norm()) for layer in weighted_layers(model)))
