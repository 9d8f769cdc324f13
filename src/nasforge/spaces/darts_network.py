"""The network of the DARTS cell space (Liu, Simonyan & Yang, "DARTS: Differentiable
Architecture Search", ICLR 2019): a 3x3 stem, then `cells` cells, those at 1/3 and 2/3 of
the depth reduction cells that halve the resolution and double the channels; global
pooling and a linear classifier. Every cell reads the outputs of the two cells before it.

`DartsNetwork` takes the cell as a function of its `CellSlot`, so a one-shot supernet
reuses this skeleton with `MixedCell`s (every candidate edge, mixed operations) in place
of `DartsCell`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import torch
from torch import nn

from nasforge.spaces.ops import (
    DilConv,
    FactorizedReduce,
    MixedEdgeFactory,
    ReLUConvBN,
    SepConv,
    Zero,
    node_sums,
    reduction_stride,
)

# The DARTS candidate operations, in the reference's PRIMITIVES order.
OPERATIONS = (
    "none", "max_pool_3x3", "avg_pool_3x3", "skip_connect",
    "sep_conv_3x3", "sep_conv_5x5", "dil_conv_3x3", "dil_conv_5x5",
)  # fmt: skip
NODES = (2, 3, 4, 5)  # intermediate nodes; 0 and 1 are the outputs of the two cells before
EDGES = tuple((k, i) for k in NODES for i in range(k))  # (to-node, from-state), 14 per cell
STEM_MULTIPLIER = 3


def make_operation(
    name: str, channels: int, stride: tuple[int, int] = (1, 1), affine: bool = True
) -> nn.Module:
    """The DARTS operation `name` on an edge with `channels` in and out; `stride` (per axis)
    is not (1, 1) on the edges of a reduction cell that read the cell's inputs. `affine`
    is False for BatchNorm in a supernet, as DARTS searches."""
    reducing = tuple(stride) != (1, 1)
    if name == "none":
        return Zero(stride)
    if name == "skip_connect":
        return FactorizedReduce(channels, channels, stride, affine) if reducing else nn.Identity()
    if name == "max_pool_3x3":
        return nn.MaxPool2d(3, stride, padding=1)
    if name == "avg_pool_3x3":
        return nn.AvgPool2d(3, stride, padding=1, count_include_pad=False)
    if name in ("sep_conv_3x3", "sep_conv_5x5"):
        return SepConv(channels, channels, int(name[-1]), stride, affine)
    if name in ("dil_conv_3x3", "dil_conv_5x5"):
        return DilConv(channels, channels, int(name[-1]), stride, affine)
    raise ValueError(f"unknown DARTS operation {name!r}; accepted: {', '.join(OPERATIONS)}")


@dataclass(frozen=True)
class CellSlot:
    """Where a cell sits: channels of the two cells before it (`prev_prev`, `prev`), its
    own per-node `channels`, its `stride` (None: a normal cell) and that of the cell just
    before (`prev_stride`, None when that one kept the resolution). A cell's output has
    `len(NODES) * channels` channels."""

    prev_prev: int
    prev: int
    channels: int
    stride: tuple[int, int] | None
    prev_stride: tuple[int, int] | None

    @property
    def reduction(self) -> bool:
        return self.stride is not None


def preprocess(slot: CellSlot, affine: bool = True) -> tuple[nn.Module, nn.Module]:
    """The two input adapters of a cell: 1x1 ReLUConvBN to `slot.channels`, the first a
    FactorizedReduce when the cell before last has a larger resolution."""
    if slot.prev_stride is not None and tuple(slot.prev_stride) != (1, 1):
        first: nn.Module = FactorizedReduce(slot.prev_prev, slot.channels, slot.prev_stride, affine)
    else:
        first = ReLUConvBN(slot.prev_prev, slot.channels, 1, affine=affine)
    return first, ReLUConvBN(slot.prev, slot.channels, 1, affine=affine)


class DartsCell(nn.Module):
    """One derived cell: node k (2..5) is the sum of its two chosen operations applied to
    two earlier states; the cell's output concatenates nodes 2..5 (DARTS' `concat`)."""

    def __init__(self, pairs: Sequence[tuple[str, int]], slot: CellSlot) -> None:
        super().__init__()
        self.pre0, self.pre1 = preprocess(slot)
        stride = slot.stride or (1, 1)
        self.inputs = tuple(source for _, source in pairs)
        self.ops = nn.ModuleList(
            make_operation(op, slot.channels, stride if source < 2 else (1, 1))
            for op, source in pairs
        )

    def forward(self, s0: torch.Tensor, s1: torch.Tensor) -> torch.Tensor:
        states = [self.pre0(s0), self.pre1(s1)]
        for k in range(len(NODES)):
            a, b = 2 * k, 2 * k + 1
            states.append(self.ops[a](states[self.inputs[a]]) + self.ops[b](states[self.inputs[b]]))
        return torch.cat(states[2:], dim=1)


def edge_label(cell: str, node: int, source: int) -> str:
    """The supernet label of the edge `source -> node` of every `cell` cell: `normal.3<-1`."""
    return f"{cell}.{node}<-{source}"


class MixedCell(nn.Module):
    """A supernet cell: node k (2..5) sums `mixed_edge(label, make_operation, channels)`
    over every earlier state (`EDGES`); labels name the cell kind, so all cells of a kind
    share architecture weights. BatchNorm is not affine, as DARTS searches."""

    def __init__(self, slot: CellSlot, mixed_edge: MixedEdgeFactory) -> None:
        super().__init__()
        self.pre0, self.pre1 = preprocess(slot, affine=False)
        kind = "reduce" if slot.reduction else "normal"
        stride = slot.stride or (1, 1)
        edges = {}
        for node, source in EDGES:
            edge_stride = stride if source < 2 else (1, 1)

            def make(op: str, channels: int, edge_stride=edge_stride) -> nn.Module:
                return make_operation(op, channels, edge_stride, affine=False)

            label = edge_label(kind, node, source)
            edges[f"{node}_{source}"] = mixed_edge(label, make, slot.channels)
        self.edges = nn.ModuleDict(edges)

    def forward(self, s0: torch.Tensor, s1: torch.Tensor) -> torch.Tensor:
        states = node_sums(self.edges, [self.pre0(s0), self.pre1(s1)], NODES)
        return torch.cat(states[2:], dim=1)


def as_image(x: torch.Tensor) -> torch.Tensor:
    """1-D inputs as images: `(n, features)` -> `(n, 1, 1, features)`, `(n, channels,
    length)` -> `(n, channels, 1, length)`; images pass unchanged."""
    if x.dim() == 2:
        return x[:, None, None, :]
    if x.dim() == 3:
        return x[:, :, None, :]
    return x


def image_shape(input_shape: tuple[int, ...]) -> tuple[int, int, int]:
    """(channels, height, width) of the image `as_image` makes of an input of this shape."""
    if len(input_shape) == 1:
        return 1, 1, int(input_shape[0])
    if len(input_shape) == 2:
        return int(input_shape[0]), 1, int(input_shape[1])
    if len(input_shape) == 3:
        return tuple(int(v) for v in input_shape)  # type: ignore[return-value]
    raise ValueError(
        f"DARTS networks take images (channels, height, width) or 1-D inputs (features) / "
        f"(channels, length); got input shape {input_shape}"
    )


class DartsNetwork(nn.Module):
    """Stem (3x3 convolution to 3C channels, BatchNorm), `cells` cells from `make_cell`
    (channels doubled at the reduction cells, at cells // 3 and 2 * cells // 3), global
    average pooling and a linear head. A reduction halves an axis only while it is at
    least 4 pixels, so 8x8 digits and 1xN signals keep a spatial extent."""

    def __init__(
        self,
        make_cell: Callable[[CellSlot], nn.Module],
        input_shape: tuple[int, ...],
        num_classes: int,
        channels: int = 16,
        cells: int = 8,
    ) -> None:
        super().__init__()
        in_channels, height, width = image_shape(input_shape)
        stem = STEM_MULTIPLIER * channels
        self.stem = nn.Sequential(
            nn.Conv2d(in_channels, stem, 3, padding=1, bias=False), nn.BatchNorm2d(stem)
        )
        prev_prev, prev, current = stem, stem, channels
        prev_stride: tuple[int, int] | None = None
        reductions = {cells // 3, 2 * cells // 3}
        self.slots: list[CellSlot] = []
        layers = []
        for index in range(cells):
            stride = None
            if index in reductions:
                current *= 2
                stride = reduction_stride(height, width)
                height, width = -(-height // stride[0]), -(-width // stride[1])
            slot = CellSlot(prev_prev, prev, current, stride, prev_stride)
            self.slots.append(slot)
            layers.append(make_cell(slot))
            prev_prev, prev, prev_stride = prev, len(NODES) * current, stride
        self.cells = nn.ModuleList(layers)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(prev, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        s0 = s1 = self.stem(as_image(x))
        for cell in self.cells:
            s0, s1 = s1, cell(s0, s1)
        return self.classifier(torch.flatten(self.pool(s1), 1))
