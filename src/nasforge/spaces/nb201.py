"""NAS-Bench-201 cell space (Dong & Yang, ICLR 2020; NATS-Bench TSS, TPAMI 2021).

A cell is a DAG of four nodes; each of the six edges `j<-i` (i < j) carries one of five
operations, giving 5**6 = 15,625 architectures. The network is the benchmark's: a 3x3
stem, three stages of N cells separated by ResNet reduction blocks, C/2C/4C channels.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import lru_cache

import numpy as np
import torch
from torch import nn

from nasforge.architecture import Architecture
from nasforge.spaces.base import ENCODINGS_DOC, CategoricalSpace
from nasforge.spaces.drawing import CellDrawing
from nasforge.spaces.graphs import (
    adjacency_encoding,
    edge_to_node_dag,
    node_features,
    path_encoding,
)
from nasforge.spaces.ops import (
    MixedEdgeFactory,
    ReLUConvBN,
    ResNetBasicBlock,
    Zero,
    node_sums,
    reduction_stride,
)
from nasforge.tasks import Task

OPERATIONS = ("none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3")
EDGES = ((1, 0), (2, 0), (2, 1), (3, 0), (3, 1), (3, 2))  # (to-node, from-node)
EDGE_LABELS = tuple(f"{j}<-{i}" for j, i in EDGES)
# the hand-designed residual cell of the NAS-Bench-201 paper (two 3x3 convolutions and a
# skip: a ResNet basic block), its reference point for searched cells
RESNET_CELL = "|nor_conv_3x3~0|+|none~0|nor_conv_3x3~1|+|skip_connect~0|none~1|none~2|"
NB201_ENCODINGS = ENCODINGS_DOC + (
    ", adjacency (node-labelled DAG: upper-triangular adjacency + one-hot ops), "
    "path (BANANAS: count of input-output paths per operation sequence)"
)


@lru_cache(maxsize=32768)
def _dag(ops: tuple[str, ...]) -> tuple[np.ndarray, list[str]]:
    return edge_to_node_dag(EDGES, ops, num_nodes=4)


@lru_cache(maxsize=32768)
def _vector(ops: tuple[str, ...], kind: str) -> np.ndarray:
    adjacency, labels = _dag(ops)
    if kind == "adjacency":
        vector = adjacency_encoding(adjacency, labels, OPERATIONS)
    else:
        vector = path_encoding(adjacency, labels, OPERATIONS[1:], max_length=3)
    vector.flags.writeable = False
    return vector


def make_operation(name: str, channels: int) -> nn.Module:
    """A NAS-Bench-201 operation on a stride-1 edge with `channels` in and out."""
    if name == "none":
        return Zero()
    if name == "skip_connect":
        return nn.Identity()
    if name == "nor_conv_1x1":
        return ReLUConvBN(channels, channels, 1, 1, 0)
    if name == "nor_conv_3x3":
        return ReLUConvBN(channels, channels, 3, 1, 1)
    if name == "avg_pool_3x3":
        return nn.AvgPool2d(3, stride=1, padding=1, count_include_pad=False)
    raise ValueError(f"unknown NAS-Bench-201 operation {name!r}; accepted: {', '.join(OPERATIONS)}")


EdgeFactory = Callable[[str, int], nn.Module]  # (edge label, channels) -> the edge's module


def fixed_edges(arch: Architecture) -> EdgeFactory:
    """The edge factory of a stand-alone network: each edge is its chosen operation."""
    return lambda label, channels: make_operation(arch[label], channels)


class NB201Cell(nn.Module):
    """One searched cell: node j is the sum of its incoming edges' modules, which
    `make_edge(label, channels)` builds (an operation, or a supernet's mixed edge)."""

    def __init__(self, make_edge: EdgeFactory, channels: int) -> None:
        super().__init__()
        self.edges = nn.ModuleDict({f"{j}_{i}": make_edge(f"{j}<-{i}", channels) for j, i in EDGES})

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return node_sums(self.edges, [x], (1, 2, 3))[3]


class NB201Network(nn.Module):
    """The NAS-Bench-201 macro skeleton around a searched cell, with its two reduction
    blocks adapted to the input size (exactly the benchmark's for 16x16 and larger)."""

    def __init__(
        self,
        make_edge: EdgeFactory,
        in_channels: int,
        num_classes: int,
        channels: int,
        cells: int,
        image_size: tuple[int, int] = (32, 32),
    ) -> None:
        super().__init__()
        self.stem = nn.Sequential(
            nn.Conv2d(in_channels, channels, 3, padding=1, bias=False), nn.BatchNorm2d(channels)
        )
        layers: list[nn.Module] = []
        c_prev = channels
        height, width = image_size
        for stage, c in enumerate((channels, 2 * channels, 4 * channels)):
            if stage > 0:
                stride = reduction_stride(height, width)
                layers.append(ResNetBasicBlock(c_prev, c, stride=stride))
                height, width = -(-height // stride[0]), -(-width // stride[1])
            layers.extend(NB201Cell(make_edge, c) for _ in range(cells))
            c_prev = c
        self.cells = nn.Sequential(*layers)
        self.head = nn.Sequential(nn.BatchNorm2d(c_prev), nn.ReLU(inplace=True))
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(c_prev, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.pool(self.head(self.cells(self.stem(x))))
        return self.classifier(torch.flatten(x, 1))


class NB201Space(CategoricalSpace):
    """The 15,625 NAS-Bench-201 cells; text form is the official `|op~i|+|...|` string."""

    name = "nb201"
    kinds = ("image",)
    decisions = tuple((label, OPERATIONS) for label in EDGE_LABELS)
    encodings = ("onehot", "ordinal", "adjacency", "path", "graph")

    def __init__(self, channels: int = 16, cells: int = 5) -> None:
        self.channels = channels
        self.cells = cells
        super().__init__()

    def scaled_down(self) -> NB201Space:
        """8 channels, one cell per stage: its synflow ranking of all 15,625 cells matches
        the full network's at Spearman 0.996, at a quarter of the cost (docs/bench.md)."""
        return NB201Space(channels=8, cells=1)

    def format(self, arch: Architecture) -> str:
        nodes = []
        for j in (1, 2, 3):
            nodes.append("|" + "|".join(f"{arch[f'{j}<-{i}']}~{i}" for i in range(j)) + "|")
        return "+".join(nodes)

    def parse(self, text: str) -> Architecture:
        text = text.strip()
        nodes = text.split("+")
        if len(nodes) != 3:
            raise ValueError(
                f"malformed NAS-Bench-201 string {text!r}: expected 3 nodes joined by '+' "
                f"like |nor_conv_3x3~0|+|nor_conv_3x3~0|skip_connect~1|+|none~0|none~1|none~2|"
            )
        choices = {}
        for j, node in enumerate(nodes, start=1):
            if not (node.startswith("|") and node.endswith("|")):
                raise ValueError(f"malformed node {node!r} in {text!r}: expected |op~i|...|")
            tokens = node[1:-1].split("|")
            if len(tokens) != j:
                raise ValueError(f"node {j} in {text!r} needs {j} inputs, got {node!r}")
            for i, token in enumerate(tokens):
                op, sep, source = token.partition("~")
                if not sep or source != str(i):
                    raise ValueError(f"bad token {token!r} in {text!r}: expected 'op~{i}'")
                if op not in OPERATIONS:
                    raise ValueError(
                        f"unknown operation {op!r} in token {token!r}; accepted: "
                        f"{', '.join(OPERATIONS)}"
                    )
                choices[f"{j}<-{i}"] = op
        return Architecture.from_parts(self.name, self._labels, tuple(choices.values()))

    def encode(self, arch: Architecture, kind: str = "onehot") -> np.ndarray:
        if kind in ("onehot", "ordinal"):
            return super().encode(arch, kind)
        if kind not in ("adjacency", "path"):
            raise ValueError(f"unknown encoding {kind!r}; accepted: {NB201_ENCODINGS}")
        self.positions(arch)  # KeyError on values outside the space
        return _vector(arch.choice_values, kind).copy()

    def graph(self, arch: Architecture) -> tuple[np.ndarray, np.ndarray]:
        """The cell as a node-labelled DAG: adjacency (8, 8) over input, the six edge
        operations and output (zero-op nodes unconnected), and one-hot node features (8, 7)."""
        self.positions(arch)
        adjacency, labels = _dag(arch.choice_values)
        return adjacency.copy(), node_features(labels, OPERATIONS)

    def drawing(self, arch: Architecture) -> CellDrawing:
        """The cell: input, two inner nodes and output, each edge labelled by its operation."""
        edges = tuple((i, j, arch[f"{j}<-{i}"]) for j, i in EDGES)
        return CellDrawing(("in", "1", "2", "out"), edges, OPERATIONS, ("none",), self.format(arch))

    def build(self, arch: Architecture, task: Task) -> nn.Module:
        self.validate(arch)
        return self._network(fixed_edges(arch), task)

    # -- the one-shot protocol (nasforge.oneshot.supernet.EdgeSpace) -------------------
    def supernet_edges(self) -> dict[str, tuple[str, ...]]:
        """Every edge of the cell and its candidate operations."""
        return {label: OPERATIONS for label in EDGE_LABELS}

    def edge_target(self, edge: str) -> str:
        """The node an edge feeds (edges into one node are normalised together)."""
        return edge.partition("<-")[0]

    def edge_ops(self, arch: Architecture) -> dict[str, str | None]:
        """The operation `arch` puts on each supernet edge."""
        self.validate(arch)
        return dict(arch.items())

    def derive(self, strengths: Mapping[str, Mapping[str, float]]) -> Architecture:
        """The architecture of the strongest operation on each edge (`none` included, as
        NAS-Bench-201 derives DARTS cells)."""
        ops = tuple(max(strengths[label], key=strengths[label].get) for label in EDGE_LABELS)
        return Architecture.from_parts(self.name, self._labels, ops)

    def supernet(self, task: Task, mixed_edge: MixedEdgeFactory) -> nn.Module:
        """The network with `mixed_edge(label, make_operation, channels)` on every cell
        edge (the same labels in every cell, so the cells share architecture weights)."""
        return self._network(lambda label, c: mixed_edge(label, make_operation, c), task)

    def _network(self, make_edge: EdgeFactory, task: Task) -> nn.Module:
        if len(task.input_shape) != 3:
            raise ValueError(
                f"NAS-Bench-201 networks need image input (channels, height, width); task "
                f"{task.name!r} has input shape {task.input_shape}"
            )
        channels, height, width = task.input_shape
        return NB201Network(
            make_edge, channels, task.outputs, self.channels, self.cells, (height, width)
        )
