"""The DARTS cell space (Liu, Simonyan & Yang, ICLR 2019), as benchmarked by NAS-Bench-301
(Siems et al., 2020): a normal and a reduction cell, each with four intermediate nodes
(2..5) that sum two operations applied to two distinct earlier states (0 and 1 are the
outputs of the two previous cells). About 10^18 architectures.

Decisions per cell and node k: `"<cell>.<k>.inputs"` the two states read, as text
`"a,b"` in genotype order, and `"<cell>.<k>.op0"` / `"op1"` the operations on them. The
text form is the DARTS / NAS-Bench-301 genotype (`nasforge.spaces.darts_genotype`),
order-preserving, so published genotypes round-trip exactly; `canonical` puts each node's
two inputs in ascending order (sample, mutate and neighbours return canonical forms).

One-shot methods (`nasforge.oneshot`) search it through the `EdgeSpace` protocol: the
supernet has every candidate edge `EDGES` (node k reads every state i < k, 14 per cell)
with the candidate operations (the 8 DARTS operations, `none` included), labelled
`normal.k<-i` / `reduce.k<-i` so every cell of a kind shares its architecture weights
(DARTS' alphas_normal / alphas_reduce); its network is `DartsNetwork` of
`darts_network.MixedCell`s (non-affine BatchNorm) at the smaller search size
`search_channels` x `search_cells`. `derive` keeps, per node, the two incoming edges
with the strongest non-`none` operation (`from_edges`; `cell_edges` is the inverse).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from functools import lru_cache

import numpy as np
from torch import nn

from nasforge.architecture import Architecture
from nasforge.spaces.base import ENCODINGS_DOC, CategoricalSpace
from nasforge.spaces.darts_genotype import CELLS, Pairs, format_genotype, parse_genotype
from nasforge.spaces.darts_network import (
    EDGES,
    NODES,
    OPERATIONS,
    DartsCell,
    DartsNetwork,
    MixedCell,
    edge_label,
)
from nasforge.spaces.drawing import CellDrawing, CellsDrawing
from nasforge.spaces.graphs import adjacency_encoding, node_features, path_encoding
from nasforge.spaces.ops import MixedEdgeFactory
from nasforge.tasks import Task

# Derived cells never keep `none` (DARTS' derivation drops it; NAS-Bench-301 has 7 ops).
GENOTYPE_OPERATIONS = tuple(op for op in OPERATIONS if op != "none")
Edge = tuple[int, int, str]  # a kept edge: (to-node, from-state, operation)
DARTS_ENCODINGS = ENCODINGS_DOC + (
    ", adjacency (per cell: node-labelled DAG upper triangle + one-hot ops), path (BANANAS "
    "path counts per cell, paths up to 4 operations from either input)"
)
DARTS_V2 = (
    "Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), "
    "('sep_conv_3x3', 1), ('sep_conv_3x3', 1), ('skip_connect', 0), ('skip_connect', 0), "
    "('dil_conv_3x3', 2)], normal_concat=[2, 3, 4, 5], reduce=[('max_pool_3x3', 0), "
    "('max_pool_3x3', 1), ('skip_connect', 2), ('max_pool_3x3', 1), ('max_pool_3x3', 0), "
    "('skip_connect', 2), ('skip_connect', 2), ('max_pool_3x3', 1)], reduce_concat=[2, 3, 4, 5])"
)  # the cell of the DARTS paper (second order), from its published genotypes


def _input_pairs(node: int) -> tuple[str, ...]:
    return tuple(f"{a},{b}" for a in range(node) for b in range(node) if a != b)


@lru_cache(maxsize=32768)
def _cell_dag(pairs: Pairs, operations: tuple[str, ...]) -> tuple[np.ndarray, list[str]]:
    """One cell as a node-labelled DAG: two input states, one node per chosen operation,
    one output (the concatenation of nodes 2..5); a `none` operation stays unconnected."""
    size = 2 + len(pairs) + 1
    adjacency = np.zeros((size, size), dtype=np.float32)
    for k, (op, source) in enumerate(pairs):
        if op == "none":
            continue
        node = 2 + k
        if source < 2:
            adjacency[source, node] = 1.0
        else:  # the two operation nodes that make state `source`
            for m in (2 * (source - 2), 2 * (source - 2) + 1):
                if pairs[m][0] != "none":
                    adjacency[2 + m, node] = 1.0
        adjacency[node, size - 1] = 1.0
    return adjacency, ["input", "input", *(op for op, _ in pairs), "output"]


class DartsSpace(CategoricalSpace):
    """DARTS cells; `channels` (C of the first cells) and `cells` (depth) shape the built
    network (DARTS evaluates C=36 with 20 cells), `search_channels` and `search_cells`
    the one-shot supernet (DARTS searches C=16 with 8 cells; the default 8 x 5 keeps an
    epoch on digits near a minute on one core). `operations` are those a derived cell
    may use (default: the seven DARTS operations besides `none`)."""

    name = "darts"
    kinds = ("image", "series")
    encodings = ("onehot", "ordinal", "adjacency", "path", "graph")
    candidate_operations = OPERATIONS
    edges = EDGES

    def __init__(
        self,
        channels: int = 16,
        cells: int = 8,
        operations: Sequence[str] = GENOTYPE_OPERATIONS,
        search_channels: int = 8,
        search_cells: int = 5,
    ) -> None:
        self.channels = channels
        self.cells = cells
        self.operations = tuple(operations)
        self.search_channels = search_channels
        self.search_cells = search_cells
        unknown = [op for op in self.operations if op not in OPERATIONS]
        if unknown or not self.operations:
            raise ValueError(
                f"DARTS operations must come from {', '.join(OPERATIONS)}; got {unknown or 'none'}"
            )
        self.decisions = tuple(
            (f"{cell}.{node}.{part}", _input_pairs(node) if part == "inputs" else self.operations)
            for cell in CELLS
            for node in NODES
            for part in ("inputs", "op0", "op1")
        )
        super().__init__()

    def scaled_down(self) -> DartsSpace:
        """At most 8 channels and 5 cells, built and searched: synflow ranks random cells
        as the 16 x 8 network does at Spearman 0.95, at 40 % of the cost (docs/proxies.md)."""
        channels, cells = min(self.channels, 8), min(self.cells, 5)
        return DartsSpace(
            channels, cells, self.operations,
            min(self.search_channels, channels), min(self.search_cells, cells),
        )  # fmt: skip

    # -- the genotype view ----------------------------------------------------------
    def genotype(self, arch: Architecture) -> dict[str, Pairs]:
        """`{"normal": pairs, "reduce": pairs}`: each cell's eight `(operation, input)`
        pairs in genotype order (node 2's two, then node 3's, ...)."""
        cells = {}
        for cell in CELLS:
            pairs = []
            for node in NODES:
                a, b = (int(v) for v in arch[f"{cell}.{node}.inputs"].split(","))
                pairs += [(arch[f"{cell}.{node}.op0"], a), (arch[f"{cell}.{node}.op1"], b)]
            cells[cell] = tuple(pairs)
        return cells

    def from_genotype(
        self, normal: Sequence[tuple[str, int]], reduce: Sequence[tuple[str, int]]
    ) -> Architecture:
        """The architecture of two cells' `(operation, input)` pairs, checked."""
        values = []
        for pairs in (normal, reduce):
            for k in range(len(NODES)):
                (op0, a), (op1, b) = pairs[2 * k], pairs[2 * k + 1]
                values += [f"{a},{b}", op0, op1]
        return self.validate(Architecture.from_parts(self.name, self.labels, tuple(values)))

    def cell_edges(self, arch: Architecture, cell: str = "normal") -> tuple[Edge, ...]:
        """The eight kept edges of `cell` as `(to_node, from_state, operation)`."""
        pairs = self.genotype(arch)[cell]
        return tuple((NODES[k // 2], source, op) for k, (op, source) in enumerate(pairs))

    def from_edges(self, normal: Iterable[Edge], reduce: Iterable[Edge]) -> Architecture:
        """The architecture keeping, per cell, the given `(to_node, from_state, op)` edges:
        exactly two into each node 2..5 (what a one-shot derivation returns; order within
        a node is kept, nodes may come in any order)."""
        cells = []
        for name, edges in (("normal", normal), ("reduce", reduce)):
            by_node: dict[int, list[tuple[str, int]]] = {node: [] for node in NODES}
            for to, source, op in edges:
                if to not in by_node:
                    raise ValueError(f"edge {(to, source, op)} of the {name} cell: nodes are 2..5")
                by_node[to].append((op, int(source)))
            wrong = {node: len(kept) for node, kept in by_node.items() if len(kept) != 2}
            if wrong:
                raise ValueError(f"the {name} cell keeps two edges per node; got {wrong}")
            cells.append([pair for node in NODES for pair in by_node[node]])
        return self.from_genotype(*cells)

    # -- text and validity ------------------------------------------------------------
    def format(self, arch: Architecture) -> str:
        return format_genotype(self.genotype(arch))

    def parse(self, text: str) -> Architecture:
        cells = parse_genotype(text, self.operations)
        return self.from_genotype(cells["normal"], cells["reduce"])

    def canonical(self, arch: Architecture) -> Architecture:
        """Each node's two inputs in ascending order (operations swapped along): one
        architecture per network."""
        values = list(arch.choice_values)
        for start in range(0, len(values), 3):
            a, b = values[start].split(",")
            if int(a) > int(b):
                values[start : start + 3] = [f"{b},{a}", values[start + 2], values[start + 1]]
        return Architecture.from_parts(self.name, self.labels, tuple(values))

    def __len__(self) -> int:
        """Distinct networks: per node, a pair of inputs and an operation on each."""
        per_cell = math.prod(math.comb(k, 2) * len(self.operations) ** 2 for k in NODES)
        return per_cell ** len(CELLS)

    def __iter__(self) -> Iterator[Architecture]:
        raise TypeError(f"the {len(self):.2e} DARTS architectures are not enumerated")

    # -- encodings --------------------------------------------------------------------
    def encode(self, arch: Architecture, kind: str = "onehot") -> np.ndarray:
        arch = self.canonical(arch)
        if kind in ("onehot", "ordinal"):
            return super().encode(arch, kind)
        if kind not in ("adjacency", "path"):
            raise ValueError(f"unknown encoding {kind!r}; accepted: {DARTS_ENCODINGS}")
        self.positions(arch)  # KeyError on values outside the space
        parts = []
        for pairs in self.genotype(arch).values():
            adjacency, labels = _cell_dag(pairs, self.operations)
            if kind == "adjacency":
                parts.append(adjacency_encoding(adjacency, labels, self.operations))
            else:
                vocabulary = tuple(op for op in self.operations if op != "none")
                parts.append(sum(path_encoding(adjacency, labels, vocabulary, 4, source)
                                 for source in (0, 1)))  # fmt: skip
        return np.concatenate(parts).astype(np.float32)

    def graph(self, arch: Architecture) -> tuple[np.ndarray, np.ndarray]:
        """Both cells as one node-labelled DAG (normal then reduction cell, 11 nodes each,
        no edges between them): adjacency (22, 22) and node features, one-hot over
        input / output / the operations plus a last column marking the reduction cell."""
        self.positions(arch)
        blocks, features = [], []
        for flag, pairs in enumerate(self.genotype(self.canonical(arch)).values()):
            adjacency, labels = _cell_dag(pairs, self.operations)
            blocks.append(adjacency)
            onehot = node_features(labels, self.operations)
            features.append(np.hstack([onehot, np.full((len(labels), 1), flag, np.float32)]))
        size = sum(len(b) for b in blocks)
        whole = np.zeros((size, size), dtype=np.float32)
        whole[: len(blocks[0]), : len(blocks[0])] = blocks[0]
        whole[len(blocks[0]) :, len(blocks[0]) :] = blocks[1]
        return whole, np.vstack(features)

    # -- pictures and models ----------------------------------------------------------
    def drawing(self, arch: Architecture) -> CellsDrawing:
        """Both cells as DAGs: the two input states, nodes 2..5 and the output, each kept
        edge labelled and coloured by its operation; dashed edges concatenate."""
        cells = []
        for cell in CELLS:
            edges = [(source, to, op) for to, source, op in self.cell_edges(arch, cell)]
            edges += [(node, len(NODES) + 2, "concat") for node in NODES]
            nodes = ("c[k-2]", "c[k-1]", *map(str, NODES), "out")
            cells.append(CellDrawing(nodes, tuple(edges), self.candidate_operations,
                                     ("none", "concat"), f"{cell} cell"))  # fmt: skip
        return CellsDrawing(tuple(cells), self.format(arch))

    def build(self, arch: Architecture, task: Task) -> nn.Module:
        self.validate(arch)
        cells = self.genotype(arch)

        def make_cell(slot):
            return DartsCell(cells["reduce" if slot.reduction else "normal"], slot)

        return DartsNetwork(make_cell, task.input_shape, task.outputs, self.channels, self.cells)

    # -- the one-shot protocol (nasforge.oneshot.supernet.EdgeSpace) -------------------
    def supernet_edges(self) -> dict[str, tuple[str, ...]]:
        """The 14 candidate edges of each cell kind, each with `none` and `operations`."""
        ops = tuple(op for op in OPERATIONS if op == "none" or op in self.operations)
        return {edge_label(cell, k, i): ops for cell in CELLS for k, i in EDGES}

    def edge_target(self, edge: str) -> str:
        """The node an edge feeds, per cell kind (`normal.3`)."""
        return edge.partition("<-")[0]

    def edge_ops(self, arch: Architecture) -> dict[str, str | None]:
        """The operation `arch` puts on each candidate edge, None on the edges it drops."""
        self.validate(arch)
        ops: dict[str, str | None] = dict.fromkeys(self.supernet_edges())
        for cell in CELLS:
            for node, source, op in self.cell_edges(arch, cell):
                ops[edge_label(cell, node, source)] = op
        return ops

    def derive(self, strengths: Mapping[str, Mapping[str, float]]) -> Architecture:
        """DARTS' derivation, per cell kind and node: the two incoming edges whose best
        non-`none` operation is strongest (ties: the earlier state), each with that op."""
        cells = []
        for cell in CELLS:
            kept = []
            for node in NODES:
                best = {}
                for source in range(node):
                    values = strengths[edge_label(cell, node, source)]
                    ops = [op for op in self.operations if op != "none" and op in values]
                    op = max(ops, key=lambda o: values[o])
                    best[source] = (values[op], op)
                top = sorted(best, key=lambda i: (-best[i][0], i))[:2]
                kept += [(node, source, best[source][1]) for source in sorted(top)]
            cells.append(kept)
        return self.from_edges(*cells)

    def supernet(self, task: Task, mixed_edge: MixedEdgeFactory) -> nn.Module:
        """The search network (`search_channels` x `search_cells`) of `MixedCell`s with
        `mixed_edge(label, make_operation, channels)` on every candidate edge."""
        return DartsNetwork(
            lambda slot: MixedCell(slot, mixed_edge), task.input_shape, task.outputs,
            self.search_channels, self.search_cells,
        )  # fmt: skip
