"""A weight-sharing supernet: every edge of a cell space carries all its candidate
operations at once, mixed by architecture weights (DARTS, Liu et al., ICLR 2019), run
along one path (SPOS, Guo et al., ECCV 2020), or on a channel sample (PC-DARTS, Xu et
al., ICLR 2020).

Any space whose decisions are operation choices on edges can have a supernet: it
implements `EdgeSpace` (NAS-Bench-201 and the DARTS cell space do; DARTS' derive keeps
two inputs per node, and an architecture leaves the other edges absent). The operations
come from the space itself (`make_operation`), so a derived architecture's stand-alone
network has the same layers.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Protocol, runtime_checkable

import numpy as np
import torch
from torch import nn

from nasforge.architecture import Architecture
from nasforge.spaces.ops import MakeOperation, MixedEdgeFactory
from nasforge.tasks import Task

COLLAPSE_OPS = ("skip_connect", "none")  # the parameter-free choices DARTS collapses to


@runtime_checkable
class EdgeSpace(Protocol):
    """A space whose decisions are operations on the edges of a cell."""

    name: str

    def supernet_edges(self) -> dict[str, tuple[str, ...]]:
        """Every supernet edge and its candidate operations, in a fixed order."""

    def edge_target(self, edge: str) -> str:
        """The node an edge feeds (PC-DARTS normalises the edges into one node)."""

    def edge_ops(self, arch: Architecture) -> dict[str, str | None]:
        """The operation `arch` puts on each edge (None: the edge is not in `arch`)."""

    def derive(self, strengths: Mapping[str, Mapping[str, float]]) -> Architecture:
        """The architecture the operation strengths per edge stand for; it may leave
        edges absent (DARTS keeps the two strongest inputs of each node)."""

    def supernet(self, task: Task, mixed_edge: MixedEdgeFactory) -> nn.Module:
        """The network with `mixed_edge(edge, make_operation, channels)` on every edge."""

    def sample(self, rng: np.random.Generator) -> Architecture: ...


def check_edge_space(space: object) -> EdgeSpace:
    """`space` if it has a supernet, else a ValueError saying which spaces do."""
    if not isinstance(space, EdgeSpace):
        name = getattr(space, "name", type(space).__name__)
        raise ValueError(
            f"space {name!r} has no supernet (its decisions are not operations on edges); "
            "one-shot methods search nb201, darts (and spaces implementing "
            "nasforge.oneshot.EdgeSpace)"
        )
    return space


class EdgeState:
    """What the mixed edges read on each forward: `weights[edge]` (one weight per
    operation), or `path[edge]` (one operation, None for an absent edge) when set, and
    `scale[edge]` (edge normalisation) when present; `sparse` skips zero-weight ops."""

    def __init__(self) -> None:
        self.weights: dict[str, torch.Tensor] = {}
        self.path: Mapping[str, str | None] | None = None
        self.scale: dict[str, torch.Tensor] = {}
        self.sparse = False


def channel_shuffle(x: torch.Tensor, groups: int) -> torch.Tensor:
    """Interleave `groups` channel groups (ShuffleNet), as PC-DARTS does after each edge."""
    n, c, *rest = x.shape
    return x.view(n, groups, c // groups, *rest).transpose(1, 2).reshape(n, c, *rest)


class MixedEdge(nn.Module):
    """All candidate operations of one edge; the output is their weighted sum, or one
    operation's output on a path (an edge absent from the path runs `none` when it is a
    candidate, else outputs zeros). With `partial` > 1 only the first 1/`partial` of the
    channels go through the operations, the rest bypass them, max-pooled to the output
    size on a reducing edge (PC-DARTS)."""

    def __init__(
        self, edge: str, ops: tuple[str, ...], make_operation: MakeOperation, channels: int,
        state: EdgeState, partial: int = 1,
    ) -> None:  # fmt: skip
        super().__init__()
        if channels % partial:
            raise ValueError(f"{channels} channels do not split into {partial} partial groups")
        self.edge = edge
        self.names = ops
        self.partial = partial
        self.ops = nn.ModuleList(make_operation(op, channels // partial) for op in ops)
        self.state = state  # shared, not a submodule

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.partial > 1:
            part = x.shape[1] // self.partial
            out, rest = self._edge(x[:, :part]), x[:, part:]
            if out.dim() == 0:  # every weight zero (a removed edge): nothing passes
                return out
            if out.shape[2:] != rest.shape[2:]:
                rest = nn.functional.adaptive_max_pool2d(rest, out.shape[2:])
            out = torch.cat([out, rest], dim=1)
            out = channel_shuffle(out, self.partial)
        else:
            out = self._edge(x)
        scale = self.state.scale.get(self.edge)
        return out if scale is None else out * scale

    def _edge(self, x: torch.Tensor) -> torch.Tensor:
        state = self.state
        if state.path is not None:
            op = state.path.get(self.edge)
            if op is None and "none" not in self.names:
                return x.mul(0.0)
            return self.ops[self.names.index(op or "none")](x)
        return self._mix(x, state.weights[self.edge])

    def _mix(self, x: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
        if not self.state.sparse:
            return sum(w * op(x) for w, op in zip(weights, self.ops))
        # GDAS: only the sampled operation runs; the others add their (zero) weight so
        # the straight-through gradient reaches every architecture weight
        out = None
        for w, value, op in zip(weights, weights.detach().tolist(), self.ops):
            term = w * op(x) if value != 0.0 else w
            out = term if out is None else out + term
        return out


class Supernet:
    """A space's supernet with its architecture weights `alpha[edge]` (one per operation,
    initialised as DARTS does, 1e-3 x normal) and per-edge `beta` for edge normalisation
    (PC-DARTS). `network` holds the operation weights; `state` steers its edges."""

    def __init__(
        self, space: EdgeSpace, task: Task, partial: int = 1, edge_normalisation: bool = False,
        seed: int = 0,
    ) -> None:  # fmt: skip
        self.space = check_edge_space(space)
        self.task = task
        self.edges = space.supernet_edges()
        self.state = EdgeState()
        self.edge_normalisation = edge_normalisation
        generator = torch.Generator().manual_seed(seed)
        with torch.random.fork_rng():
            torch.manual_seed(seed)
            self.network = space.supernet(task, self._mixed_edge(partial))
        self.alpha = {
            edge: (1e-3 * torch.randn(len(ops), generator=generator)).requires_grad_()
            for edge, ops in self.edges.items()
        }
        self.beta = {edge: torch.zeros(1, requires_grad=True) for edge in self.edges}
        self._targets = {edge: space.edge_target(edge) for edge in self.edges}

    def _mixed_edge(self, partial: int) -> MixedEdgeFactory:
        def make(edge: str, make_operation: MakeOperation, channels: int) -> nn.Module:
            ops = self.edges[edge]
            return MixedEdge(edge, ops, make_operation, channels, self.state, partial)

        return make

    def weight_parameters(self) -> list[nn.Parameter]:
        return list(self.network.parameters())

    def arch_parameters(self) -> list[torch.Tensor]:
        """alpha, and beta when edges are normalised."""
        extra = list(self.beta.values()) if self.edge_normalisation else []
        return list(self.alpha.values()) + extra

    def to(self, dtype: torch.dtype) -> Supernet:
        """Cast weights and architecture parameters (float64 for gradient checks)."""
        return self._apply(dtype)

    def move(self, device: torch.device) -> Supernet:
        """Weights and architecture parameters onto `device`."""
        return self._apply(device)

    def _apply(self, target: torch.dtype | torch.device) -> Supernet:
        self.network.to(target)
        for group in (self.alpha, self.beta):
            for edge, value in group.items():
                group[edge] = value.detach().to(target).requires_grad_()
        return self

    @property
    def device(self) -> torch.device:
        return next(iter(self.alpha.values())).device

    def tensors(self, *arrays: np.ndarray) -> tuple[torch.Tensor, ...]:
        """Numpy arrays as tensors on the supernet's device."""
        return tuple(torch.from_numpy(a).to(self.device) for a in arrays)

    def node_edges(self) -> dict[str, list[str]]:
        """The edges into each node (`space.edge_target`), in supernet order."""
        groups: dict[str, list[str]] = {}
        for edge, target in self._targets.items():
            groups.setdefault(target, []).append(edge)
        return groups

    def edge_scales(self) -> dict[str, torch.Tensor]:
        """softmax(beta) over the edges into each node (PC-DARTS edge normalisation)."""
        if not self.edge_normalisation:
            return {}
        scales: dict[str, torch.Tensor] = {}
        for group in self.node_edges().values():
            values = torch.softmax(torch.cat([self.beta[e] for e in group]), dim=0)
            scales.update(zip(group, values))
        return scales

    def set_weights(self, weights: Mapping[str, torch.Tensor], sparse: bool = False) -> None:
        """Mix every edge's operations by `weights` in the next forwards."""
        self.state.weights = dict(weights)
        self.state.scale = self.edge_scales()
        self.state.sparse = sparse
        self.state.path = None

    @contextmanager
    def single_path(self, ops: Mapping[str, str | None]) -> Iterator[None]:
        """Within the block the supernet runs the one operation per edge in `ops`."""
        previous = self.state.path
        self.state.path = ops
        try:
            yield
        finally:
            self.state.path = previous

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        return self.network(x)

    def route(self, arch: Architecture) -> Supernet:
        """The supernet that judges `arch`: this one (few-shot splits route further)."""
        return self

    def strengths(self, weights: Mapping[str, torch.Tensor]) -> dict[str, dict[str, float]]:
        """Operation strengths per edge from mixing weights (times the edge scale)."""
        scales = self.edge_scales()
        result = {}
        for edge, ops in self.edges.items():
            values = weights[edge].detach().double()
            if edge in scales:
                values = values * float(scales[edge].detach())
            result[edge] = dict(zip(ops, values.tolist()))
        return result

    def derive(self, weights: Mapping[str, torch.Tensor]) -> Architecture:
        return self.space.derive(self.strengths(weights))


def mean_entropy(weights: Mapping[str, torch.Tensor]) -> float:
    """Mean Shannon entropy (nats) of the per-edge operation distributions; log(ops)
    is uniform, 0 is one-hot."""
    total = 0.0
    for values in weights.values():
        p = values.detach().double().clamp_min(0)
        p = p / p.sum()
        total += float(-(p * torch.log(p.clamp_min(1e-12))).sum())
    return total / max(len(weights), 1)


def collapse_share(space: EdgeSpace, arch: Architecture) -> float:
    """Share of the architecture's edges that are skip connections or none (DARTS's
    collapse, Zela et al. 2020)."""
    ops = [op for op in space.edge_ops(arch).values() if op is not None]
    return sum(op in COLLAPSE_OPS for op in ops) / max(len(ops), 1)


def recalibrate_batch_norm(network: nn.Module, x: torch.Tensor, batch_size: int = 256) -> None:
    """Reset every BatchNorm's running statistics and re-estimate them (cumulative
    average) on `x` in training mode, without gradients: inherited weights with the
    statistics of the path being evaluated (SPOS)."""
    norms = [m for m in network.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    momenta = [m.momentum for m in norms]
    for m in norms:
        m.reset_running_stats()
        m.momentum = None
    network.train()
    with torch.no_grad():
        for start in range(0, len(x), batch_size):
            network(x[start : start + batch_size])
    for m, momentum in zip(norms, momenta):
        m.momentum = momentum
    network.eval()


def uniform_weights(
    edges: Mapping[str, tuple[str, ...]], device: torch.device | None = None
) -> dict[str, torch.Tensor]:
    return {e: torch.full((len(ops),), 1.0 / len(ops), device=device) for e, ops in edges.items()}


def log_uniform(edges: Mapping[str, tuple[str, ...]]) -> float:
    """Entropy of uniform operation weights (the start of every DARTS-style search)."""
    return float(np.mean([math.log(len(ops)) for ops in edges.values()]))
