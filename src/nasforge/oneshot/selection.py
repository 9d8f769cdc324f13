"""Choosing the architecture of a trained supernet: `argmax` (the space's derive of the
mixture: the strongest operation per edge, and on DARTS cells the two strongest inputs
per node) or `pt`, perturbation-based selection (Wang et al., "Rethinking Architecture
Selection in Differentiable NAS", ICLR 2021): edge by edge, in a random order, the
operation whose removal from the mixture costs the most validation accuracy is kept,
the edge is fixed to it, and the supernet is tuned a little before the next; then, per
node, the inputs whose removal costs the most (on spaces that drop inputs)."""

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
    on_node: Callable[[str, tuple[str, ...]], None] | None = None,
) -> Architecture:  # fmt: skip
    """DARTS-PT. Operations: for each edge (random order from `seed`), the operation whose
    removal lowers the supernet's validation accuracy most (ties: validation loss rises
    most); the edge is then one-hot on it and the weights are tuned `tune_steps` SGD
    steps with the method's batch size and final learning rate. Topology, on nodes where
    the space's derive keeps fewer inputs than it has (DARTS: two): the incoming edges
    whose removal costs most are kept, the others zeroed, then tuned. `on_edge(edge, op,
    drop)` and `on_node(node, kept edges)` follow the decisions; the space's derive gets
    strengths that rank the edges of a node by their removal cost and the operations of
    an edge by theirs."""
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

    def tune() -> None:
        _tune(supernet, weights, x, y, optimizer, tune_steps, method.batch_size, generator)

    strengths: dict[str, dict[str, float]] = {}
    edges = list(supernet.edges)
    for position in rng.permutation(len(edges)):
        edge = edges[int(position)]
        ops = supernet.edges[edge]
        drops = _removal_costs(supernet, weights, x_val, y_val, {
            op: {**weights, edge: weights[edge] * (torch.arange(len(ops)) != k).to(weights[edge])}
            for k, op in enumerate(ops)
        })  # fmt: skip
        # cheapest removal first; on ties the earlier operation ranks higher
        ranking = sorted(ops, key=lambda op: (drops[op], -ops.index(op)))
        best = ranking[-1]
        weights[edge] = torch.zeros_like(weights[edge])
        weights[edge][ops.index(best)] = 1.0
        # operation ranks scaled into [0, 0.5), so edge ranks added below dominate
        strengths[edge] = {op: 0.5 * rank / len(ops) for rank, op in enumerate(ranking)}
        if on_edge is not None:
            on_edge(edge, best, drops[best][0])
        tune()
    kept = supernet.space.edge_ops(supernet.space.derive(strengths))
    for node, group in supernet.node_edges().items():
        keep = sum(kept[edge] is not None for edge in group)
        if keep == len(group):
            continue
        drops = _removal_costs(supernet, weights, x_val, y_val, {
            edge: {**weights, edge: torch.zeros_like(weights[edge])} for edge in group
        })  # fmt: skip
        ranking = sorted(group, key=lambda edge: (drops[edge], -group.index(edge)))
        for rank, edge in enumerate(ranking):
            strengths[edge] = {op: rank + value for op, value in strengths[edge].items()}
        for edge in ranking[: len(group) - keep]:
            weights[edge] = torch.zeros_like(weights[edge])
        if on_node is not None:
            on_node(node, tuple(ranking[len(group) - keep :]))
        tune()
    return supernet.space.derive(strengths)


def _removal_costs(supernet, weights, x, y, removals: dict) -> dict:
    """Per key, (accuracy drop, loss rise) of the supernet with its removed weights."""
    base_loss, base_acc = _scores(supernet, weights, x, y)
    costs = {}
    for key, removed in removals.items():
        loss, acc = _scores(supernet, removed, x, y)
        costs[key] = (base_acc - acc, loss - base_loss)
    return costs


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
