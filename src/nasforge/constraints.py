"""Hardware cost of a model: parameter count and FLOPs.

FLOPs follow the NAS-Bench-201 reference convention (within 0.1% of its published
figures) so our numbers compare with the benchmark's: convolution and linear layers count
multiply-accumulates (plus bias adds), average/max pooling k*k per output element,
BatchNorm 2 per element (scale and shift), ReLU 1 per element. Elementwise sums and
global pooling are not counted.
"""

from __future__ import annotations

import torch
from torch import nn


def count_params(model: nn.Module) -> int:
    """Number of trainable and frozen parameters of `model`."""
    return sum(p.numel() for p in model.parameters())


def _layer_flops(module: nn.Module, output: torch.Tensor) -> int:
    elements = output.numel()
    if isinstance(module, nn.Conv2d):
        kh, kw = module.kernel_size
        flops = elements * (module.in_channels // module.groups) * kh * kw
        return flops + (elements if module.bias is not None else 0)
    if isinstance(module, nn.Linear):
        rows = elements // module.out_features
        flops = rows * module.in_features * module.out_features
        return flops + (elements if module.bias is not None else 0)
    if isinstance(module, nn.AvgPool2d | nn.MaxPool2d):
        k = module.kernel_size
        kh, kw = (k, k) if isinstance(k, int) else k
        return elements * kh * kw
    if isinstance(module, nn.BatchNorm2d | nn.BatchNorm1d):
        return 2 * elements
    if isinstance(module, nn.ReLU):
        return elements
    return 0


def count_flops(model: nn.Module, input_shape: tuple[int, ...]) -> int:
    """FLOPs of one forward pass of a single example of `input_shape` (batch dimension added)."""
    total = 0

    def hook(module: nn.Module, _inputs: tuple, output: torch.Tensor) -> None:
        nonlocal total
        total += _layer_flops(module, output)

    handles = [m.register_forward_hook(hook) for m in model.modules() if not list(m.children())]
    was_training = model.training
    try:
        model.eval()
        with torch.no_grad():
            model(torch.zeros(1, *input_shape))
    finally:
        model.train(was_training)
        for handle in handles:
            handle.remove()
    return total
