"""Gradient-based saliency proxies from pruning at initialisation, as zero-cost NAS scores.

Summed over convolution and linear weights, following "Zero-Cost Proxies for Lightweight
NAS" (Abdelfattah et al., ICLR 2021): SNIP (Lee et al., ICLR 2019), GraSP (Wang et al.,
ICLR 2020), SynFlow (Tanaka et al., NeurIPS 2020), Fisher (Theis et al. 2018; Turner et
al., ICLR 2020), the gradient norm and `plain` (Mozer & Smolensky 1989); plus ZiCo (Li et
al., ICLR 2023). All but SynFlow see a data batch with BatchNorm in training mode.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn

from nasforge.evaluators.zerocost._common import (
    Batch,
    Loss,
    backward_loss,
    check_batch,
    default_loss,
    weighted_layers,
    working_copy,
)


def _gradient_sum(model: nn.Module, batch: Batch, loss: Loss, term) -> float:
    clone = working_copy(model)
    with torch.enable_grad():
        backward_loss(clone, batch, loss)
    total = 0.0
    for layer in weighted_layers(clone):
        if layer.weight.grad is not None:
            total += float(term(layer.weight.detach(), layer.weight.grad))
    return total


def snip(model: nn.Module, batch: Batch, loss: Loss = default_loss) -> float:
    """SNIP (Lee et al., ICLR 2019): sum of |w * dL/dw| over conv and linear weights."""
    check_batch(batch)
    return _gradient_sum(model, batch, loss, lambda w, g: (w * g).abs().sum())


def grad_norm(model: nn.Module, batch: Batch, loss: Loss = default_loss) -> float:
    """Gradient norm (Abdelfattah et al., ICLR 2021): sum over layers of ||dL/dw||_2."""
    check_batch(batch)
    return _gradient_sum(model, batch, loss, lambda w, g: g.norm())


def plain(model: nn.Module, batch: Batch, loss: Loss = default_loss) -> float:
    """Plain saliency (Mozer & Smolensky 1989): sum of w * dL/dw, signs kept."""
    check_batch(batch)
    return _gradient_sum(model, batch, loss, lambda w, g: (w * g).sum())


def synflow(model: nn.Module, batch: Batch, loss: Loss = default_loss) -> float:
    """SynFlow (Tanaka et al., NeurIPS 2020): sum |w * dR/dw| for R = 1'f(1) with |weights|.

    Data-free: only the batch's input shape is used. Runs in float64 with BatchNorm in
    eval mode at fresh statistics (an identity), as the reference's BN-free copy does.
    """
    state, weights = synflow_state(model)
    ones = torch.ones((1, *batch[0].shape[1:]), dtype=torch.float64, device=batch[0].device)
    was_training = model.training
    model.eval()
    try:
        with torch.enable_grad():
            output = torch.func.functional_call(model, state, (ones,))
            return synflow_total(output, list(weights.values()))
    finally:
        model.train(was_training)


def synflow_state(model: nn.Module) -> tuple[dict[str, torch.Tensor], dict[str, torch.Tensor]]:
    """SynFlow's tensors for `model`: float64 |parameters| and BatchNorm buffers at fresh
    statistics (name -> tensor), and the scored weights among them, requiring gradients."""
    names = {id(layer.weight) for layer in weighted_layers(model)}
    weights: dict[str, torch.Tensor] = {}
    state: dict[str, torch.Tensor] = {}
    for name, param in model.named_parameters():
        state[name] = param.detach().double().abs()
        if id(param) in names:
            weights[name] = state[name].requires_grad_(True)
    for name, buffer in model.named_buffers():
        if name.endswith("running_var"):
            state[name] = torch.ones_like(buffer, dtype=torch.float64)
        elif name.endswith("running_mean"):
            state[name] = torch.zeros_like(buffer, dtype=torch.float64)
        else:
            state[name] = buffer.double() if buffer.is_floating_point() else buffer.clone()
    return state, weights


def synflow_total(output: torch.Tensor, weights: list[torch.Tensor]) -> float:
    """sum |w * dR/dw| over `weights` for R = the sum of `output` (weights already |w|)."""
    grads = torch.autograd.grad(output.sum(), weights, allow_unused=True)
    terms = (float((w.detach() * g).sum()) for w, g in zip(weights, grads) if g is not None)
    return float(sum(terms))


def _hessian_gradient(
    model: nn.Module, weights: list[torch.Tensor], batch: Batch, loss: Loss
) -> list[torch.Tensor | None]:
    """H g for the loss gradient g: by double backward, or by finite differences of the
    gradient where an operation has no second derivative (e.g. hardsigmoid)."""
    inputs, targets = batch[0].float(), batch[1]
    with torch.enable_grad():
        first = torch.autograd.grad(loss(model(inputs), targets), weights, allow_unused=True)
        used = [(w, g.detach()) for w, g in zip(weights, first) if g is not None]
        if not used:
            return [None] * len(weights)
        try:
            second = torch.autograd.grad(
                loss(model(inputs), targets), [w for w, _ in used], create_graph=True
            )
            product = sum((g * h).sum() for (_, g), h in zip(used, second))
            hg = torch.autograd.grad(product, [w for w, _ in used], allow_unused=True)
        except RuntimeError:
            norm = float(torch.sqrt(sum((g * g).sum() for _, g in used)))
            step = 1e-3 / max(norm, 1e-12)
            with torch.no_grad():
                for w, g in used:
                    w.add_(g, alpha=step)
            shifted = torch.autograd.grad(
                loss(model(inputs), targets), [w for w, _ in used], allow_unused=True
            )
            with torch.no_grad():
                for w, g in used:
                    w.sub_(g, alpha=step)
            hg = [None if s is None else (s - g) / step for s, (_, g) in zip(shifted, used)]
    by_id = {id(w): h for (w, _), h in zip(used, hg)}
    return [by_id.get(id(w)) for w in weights]


def grasp(model: nn.Module, batch: Batch, loss: Loss = default_loss) -> float:
    """GraSP (Wang et al., ICLR 2020): sum of -w * (H g), H the loss Hessian, g its gradient."""
    check_batch(batch)
    clone = working_copy(model)
    weights = [layer.weight for layer in weighted_layers(clone)]
    products = _hessian_gradient(clone, weights, batch, loss)
    return float(
        sum(float((-w.detach() * h).sum()) for w, h in zip(weights, products) if h is not None)
    )


def fisher(model: nn.Module, batch: Batch, loss: Loss = default_loss) -> float:
    """Fisher (Theis et al. 2018; Turner et al., ICLR 2020): per channel, half the batch mean
    of (sum over positions of activation * its gradient)^2, at conv and linear outputs."""
    check_batch(batch)
    clone = working_copy(model)
    captured: list[tuple[torch.Tensor, list[torch.Tensor]]] = []

    def keep(_module: nn.Module, _inputs: tuple, output: torch.Tensor) -> None:
        grads: list[torch.Tensor] = []
        output.register_hook(grads.append)
        captured.append((output.detach().clone(), grads))

    handles = [layer.register_forward_hook(keep) for layer in weighted_layers(clone)]
    try:
        with torch.enable_grad():
            backward_loss(clone, batch, loss)
    finally:
        for handle in handles:
            handle.remove()
    total = 0.0
    for activation, grads in captured:
        if not grads:
            continue
        product = activation * grads[0]
        if product.dim() > 2:
            product = product.sum(dim=tuple(range(2, product.dim())))
        total += float(0.5 * product.pow(2).mean(0).sum())
    return total


def zico(model: nn.Module, batch: Batch, loss: Loss = default_loss, splits: int = 2) -> float:
    """ZiCo (Li et al., ICLR 2023): per layer log of sum(mean|g| / std(g)) over `splits`
    mini-batches, summed over conv and linear layers."""
    check_batch(batch, least=splits)
    clone = working_copy(model)
    layers = list(weighted_layers(clone))
    grads: list[list[np.ndarray]] = [[] for _ in layers]
    for inputs, targets in zip(batch[0].chunk(splits), batch[1].chunk(splits)):
        clone.zero_grad(set_to_none=True)
        with torch.enable_grad():
            backward_loss(clone, (inputs, targets), loss)
        for store, layer in zip(grads, layers):
            if layer.weight.grad is not None:
                store.append(layer.weight.grad.detach().reshape(-1).double().cpu().numpy())
    total = 0.0
    for store in grads:
        if len(store) < 2:
            continue
        stacked = np.stack(store)
        std = stacked.std(axis=0)
        nonzero = std > 0
        ratio = float(np.sum(np.abs(stacked).mean(axis=0)[nonzero] / std[nonzero]))
        if ratio > 0:
            total += math.log(ratio)
    return total
