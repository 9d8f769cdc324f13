"""Activation-pattern proxies: NASWOT (Mellor et al., "Neural Architecture Search without
Training", ICML 2021), Zen-NAS (Lin et al., ICCV 2021) and MeCo (Jiang et al., NeurIPS 2023).
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from nasforge.evaluators.zerocost._common import (
    WEIGHTED,
    Batch,
    Loss,
    check_batch,
    default_loss,
    working_copy,
)

_RECTIFIERS = (nn.ReLU, nn.ReLU6, nn.LeakyReLU)
# Smooth activations whose input sign splits the two regimes as a ReLU's does (gates such
# as squeeze-excitation sigmoids are not counted).
_SMOOTH = (nn.GELU, nn.SiLU, nn.Tanh, nn.ELU, nn.Hardswish, nn.Mish)
_NORMS = (nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d)


def _leaves(model: nn.Module) -> list[nn.Module]:
    return [m for m in model.modules() if not list(m.children())]


def nwot(model: nn.Module, batch: Batch, loss: Loss = default_loss) -> float:
    """NASWOT: log|K_H| where K_H[i, j] counts the ReLUs on which examples i and j agree
    (both active or both inactive); BatchNorm in training mode on the batch. A network
    without ReLUs (an MLP with GELU, SiLU or Tanh) is coded by the sign of its smooth
    activations' inputs instead, the same split for a ReLU."""
    check_batch(batch, least=2)
    clone = working_copy(model)
    rectifiers = [m for m in clone.modules() if isinstance(m, _RECTIFIERS)]
    rectifiers = rectifiers or [m for m in clone.modules() if isinstance(m, _SMOOTH)]
    if not rectifiers:
        raise ValueError(
            "nwot needs activation modules in the model (nn.ReLU, nn.GELU, ...; functional "
            "activations are not seen)"
        )
    size = batch[0].shape[0]
    kernel = torch.zeros(size, size, dtype=torch.float64, device=batch[0].device)

    def count(_module: nn.Module, inputs: tuple) -> None:
        codes = (inputs[0].detach().reshape(size, -1) > 0).double()
        kernel.add_(codes @ codes.T).add_((1.0 - codes) @ (1.0 - codes).T)

    handles = [m.register_forward_pre_hook(count) for m in rectifiers]
    try:
        with torch.no_grad():
            clone(batch[0].float())
    finally:
        for handle in handles:
            handle.remove()
    return float(torch.linalg.slogdet(kernel)[1])


def _final_features(model: nn.Module, inputs: torch.Tensor) -> torch.Tensor:
    """The last feature map (output with spatial dimensions) before global pooling, or for
    models without one the input of the last linear layer."""
    found: dict[str, torch.Tensor] = {}

    def keep(module: nn.Module, args: tuple, output: torch.Tensor) -> None:
        if isinstance(output, torch.Tensor) and output.dim() > 2 and output.shape[2:].numel() > 1:
            found["spatial"] = output
        if isinstance(module, nn.Linear):
            found["linear"] = args[0]

    handles = [m.register_forward_hook(keep) for m in _leaves(model)]
    try:
        model(inputs)
    finally:
        for handle in handles:
            handle.remove()
    if "spatial" in found:
        return found["spatial"]
    if "linear" in found:
        return found["linear"]
    raise ValueError("zen needs a model with a feature map or a linear classifier")


def zen(
    model: nn.Module, batch: Batch, loss: Loss = default_loss, seed: int = 0, mixup: float = 0.01
) -> float:
    """Zen-score: log E|f(x) - f(x + 0.01 e)| of the pre-pooling features plus the sum of
    log sqrt(mean batch variance) over BatchNorm layers, with Gaussian weights and inputs.

    Data-free: only the batch's shape is used; `seed` fixes weights and inputs.
    """
    clone = working_copy(model)
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for module in clone.modules():
            if isinstance(module, WEIGHTED):
                # drawn on the CPU, so a seed gives the same weights on every device
                module.weight.copy_(torch.randn(module.weight.shape, generator=generator))
                if module.bias is not None:
                    module.bias.zero_()
            elif isinstance(module, _NORMS):
                module.momentum = 1.0  # running_var becomes the batch variance, as in the paper
                if module.affine:
                    module.weight.fill_(1.0)
                    module.bias.zero_()
        shape = batch[0].shape
        inputs = torch.randn(shape, generator=generator)
        mixed = (inputs + mixup * torch.randn(shape, generator=generator)).to(batch[0].device)
        inputs = inputs.to(batch[0].device)
        difference = _final_features(clone, inputs) - _final_features(clone, mixed)
        score = float(difference.abs().reshape(shape[0], -1).sum(1).mean())
        bn_terms = [
            0.5 * float(torch.log(m.running_var.mean()))
            for m in clone.modules()
            if isinstance(m, _NORMS) and m.running_var is not None
        ]
    if not score > 0:
        return float("-inf")
    return float(np.log(score) + sum(bn_terms))


def meco(model: nn.Module, batch: Batch, loss: Loss = default_loss) -> float:
    """MeCo: sum over layers of the smallest eigenvalue of the Pearson correlation matrix of
    the channels of the first example's feature map (of the features over the batch for
    layers without a feature map); BatchNorm in training mode."""
    check_batch(batch, least=2)
    clone = working_copy(model)
    total = [0.0]

    def measure(_module: nn.Module, _inputs: tuple, output: torch.Tensor) -> None:
        if not isinstance(output, torch.Tensor) or output.dim() < 2:
            return
        if output.dim() == 2:  # no feature map (MLPs): correlate features over the batch
            features = output.detach().double().T
        else:
            features = output[0].detach().double().reshape(output.shape[1], -1)
        if features.shape[0] < 2 or features.shape[1] < 2:
            return
        corr = torch.nan_to_num(torch.corrcoef(features), nan=0.0, posinf=0.0, neginf=0.0)
        total[0] += float(torch.linalg.eigvalsh(corr)[0])

    handles = [m.register_forward_hook(measure) for m in _leaves(clone)]
    try:
        with torch.no_grad():
            clone(batch[0].float())
    finally:
        for handle in handles:
            handle.remove()
    return total[0]
