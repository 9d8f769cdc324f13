"""Helpers shared by the proxy families: weighted layers, safe model copies, gradients."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator

import torch
import torch.nn.functional as F
from torch import nn

Batch = tuple[torch.Tensor, torch.Tensor]
Loss = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
WEIGHTED = (nn.Conv1d, nn.Conv2d, nn.Conv3d, nn.Linear)


def default_loss(outputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Cross-entropy, the loss every proxy paper uses for classification."""
    return F.cross_entropy(outputs, targets)


def working_copy(model: nn.Module, train: bool = True) -> nn.Module:
    """A deep copy in float32 and train (batch statistics) or eval mode, gradients cleared.
    Dropout is always off: a proxy scores the network, not a random thinning of it (and
    stays deterministic, drawing nothing from the global generator)."""
    clone = copy.deepcopy(model).float()
    clone.train(train)
    for module in clone.modules():
        if isinstance(module, nn.modules.dropout._DropoutNd):
            module.eval()
    for param in clone.parameters():
        param.requires_grad_(True)
        param.grad = None
    return clone


def weighted_layers(model: nn.Module) -> Iterator[nn.Module]:
    """Convolution and linear layers, the ones pruning-at-init proxies score."""
    for module in model.modules():
        if isinstance(module, WEIGHTED):
            yield module


def backward_loss(model: nn.Module, batch: Batch, loss: Loss) -> None:
    """One forward and backward pass of `loss` on `batch`, accumulating parameter gradients."""
    inputs, targets = batch
    loss(model(inputs.float()), targets).backward()


def input_jacobian(model: nn.Module, batch: Batch) -> torch.Tensor:
    """d(sum of outputs)/d(input) per example, flattened to (batch, features)."""
    inputs = batch[0].float().clone().requires_grad_(True)
    outputs = model(inputs)
    outputs.backward(torch.ones_like(outputs))
    return inputs.grad.detach().reshape(inputs.shape[0], -1)


def check_batch(batch: Batch, least: int = 1) -> None:
    """`ValueError` unless `batch` is an (inputs, targets) pair with at least `least` rows."""
    if not isinstance(batch, tuple | list) or len(batch) != 2:
        raise ValueError("a proxy needs batch=(inputs, targets); see nasforge.evaluators.zerocost")
    if batch[0].shape[0] < least:
        raise ValueError(f"this proxy needs a batch of at least {least} examples")
