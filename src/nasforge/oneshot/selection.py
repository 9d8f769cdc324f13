"""Choosing the architecture of a trained supernet: `argmax` (the strongest operation
per edge, as DARTS does) or `pt`, perturbation-based selection (Wang et al., "Rethinking
Architecture Selection in Differentiable NAS", ICLR 2021): edge by edge, in a random
order, the operation whose removal from the mixture costs the most validation accuracy
is kept, the edge is fixed to it, and the supernet is tuned a little before the next."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch
from torch import nn

from nasforge.architecture import Architecture
from nasforge.oneshot.base import OneShotFit, loss_and_accuracy

SELECTIONS = ("argmax", "pt")


def check_selection(select: str) -> str:
    if select not in SELECTIONS:
        raise ValueError(f"unknown selection {select!r}; accepted: {', '.join(SELECTIONS)}")
    return select


def argmax_selection(fit: OneShotFit) -> Architecture:
    """The architecture of the strongest operation per edge."""
    return fit.supernet.derive(fit.method.mixture(fit.supernet))


def perturbation_selection(
    fit: OneShotFit, tune_steps: int = 10, seed: int = 0,
    on_edge: Callable[[str, str, float], None] | None = None,
) -> Architecture:  # fmt: skip
    """DARTS-PT: for each edge (random order from `seed`), the operation whose removal
    lowers the supernet's validation accuracy most (ties: validation loss rises most);
    the edge is then one-hot on it and the weights are tuned `tune_steps` SGD steps with
    the method's batch size and final learning rate. `on_edge(edge, op, drop)` follows
    the decisions; the strengths handed to the space's derive are the accuracy drops."""
    supernet, method = fit.supernet, fit.method
    task = supernet.task
    x_val, y_val, x, y = supernet.tensors(task.x_val, task.y_val, task.x_train, task.y_train)
    weights, _ = method.evaluation_weights(supernet)
    weights = {edge: w.detach().clone() for edge, w in weights.items()}
    rng = np.random.default_rng(seed)
    generator = torch.Generator().manual_seed(seed)
    optimizer = torch.optim.SGD(
        supernet.weight_parameters(), lr=method.min_learning_rate, momentum=method.momentum,
        weight_decay=method.weight_decay,
    )  # fmt: skip
    strengths: dict[str, dict[str, float]] = {}
    edges = list(supernet.edges)
    for position in rng.permutation(len(edges)):
        edge = edges[int(position)]
        ops = supernet.edges[edge]
        base = _scores(supernet, weights, x_val, y_val)
        drops = []
        for k in range(len(ops)):
            removed = dict(weights)
            removed[edge] = weights[edge].clone()
            removed[edge][k] = 0.0
            loss, acc = _scores(supernet, removed, x_val, y_val)
            drops.append((base[1] - acc, loss - base[0]))
        best = max(range(len(ops)), key=lambda k: drops[k])
        weights[edge] = torch.zeros_like(weights[edge])
        weights[edge][best] = 1.0
        strengths[edge] = {op: (1.0 + drops[k][0] if k == best else 0.0)
                           for k, op in enumerate(ops)}  # fmt: skip
        if on_edge is not None:
            on_edge(edge, ops[best], drops[best][0])
        _tune(supernet, weights, x, y, optimizer, tune_steps, method.batch_size, generator)
    return supernet.space.derive(strengths)


def _scores(supernet, weights, x, y) -> tuple[float, float]:
    with torch.no_grad():
        supernet.set_weights(weights, sparse=True)  # a zero weight adds nothing
        return loss_and_accuracy(supernet.network, x, y)


def _tune(supernet, weights, x, y, optimizer, steps: int, batch_size: int, generator) -> None:
    supernet.network.train()
    for _ in range(steps):
        index = torch.randint(0, len(x), (min(batch_size, len(x)),), generator=generator)
        supernet.set_weights(weights, sparse=True)
        loss = nn.functional.cross_entropy(supernet(x[index]), y[index])
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
