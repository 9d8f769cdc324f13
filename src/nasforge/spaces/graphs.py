"""Graph forms of cell architectures: the node-labelled DAG of a cell whose operations sit
on edges, its adjacency encoding, and the path encoding of BANANAS (White et al., AAAI
2021). Spaces with a graph form build their `encode(arch, "adjacency" | "path")` and
`graph(arch)` from these; predictors (GIN: Xu et al., ICLR 2019; NPENAS: Wei et al.,
2020) only read what the space returns.

Cell spaces with operations on edges (NAS-Bench-201, DARTS) are first turned into
node-labelled DAGs: input node, one node per edge operation, output node.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def edge_to_node_dag(
    edges: Sequence[tuple[int, int]], ops: Sequence[str], num_nodes: int, skip: str = "none"
) -> tuple[np.ndarray, list[str]]:
    """The node-labelled DAG of a cell whose edge `(to, from)` carries `ops[k]`.

    Nodes: 0 = input, 1..len(edges) = edge operations, last = output; an edge operation
    named `skip` (the zero op) keeps its node but gets no connections.
    """
    size = len(edges) + 2
    adjacency = np.zeros((size, size), dtype=np.float32)
    output = size - 1
    for k, ((to, source), op) in enumerate(zip(edges, ops)):
        if op == skip:
            continue
        node = k + 1
        if source == 0:
            adjacency[0, node] = 1.0
        else:
            for m, ((to_m, _), op_m) in enumerate(zip(edges, ops)):
                if to_m == source and op_m != skip:
                    adjacency[m + 1, node] = 1.0
        if to == num_nodes - 1:
            adjacency[node, output] = 1.0
    return adjacency, ["input", *ops, "output"]


def node_features(labels: Sequence[str], vocabulary: Sequence[str]) -> np.ndarray:
    """One-hot rows of node labels over `("input", "output", *vocabulary)`."""
    columns = {name: i for i, name in enumerate(("input", "output", *vocabulary))}
    features = np.zeros((len(labels), len(columns)), dtype=np.float32)
    features[np.arange(len(labels)), [columns[label] for label in labels]] = 1.0
    return features


def adjacency_encoding(
    adjacency: np.ndarray, labels: Sequence[str], vocabulary: Sequence[str]
) -> np.ndarray:
    """Upper triangle of the adjacency matrix, then each inner node's one-hot operation."""
    upper = adjacency[np.triu_indices(len(adjacency), k=1)]
    inner = node_features(labels[1:-1], vocabulary)[:, 2:]
    return np.concatenate([upper, inner.ravel()]).astype(np.float32)


def path_encoding(
    adjacency: np.ndarray,
    labels: Sequence[str],
    vocabulary: Sequence[str],
    max_length: int,
    source: int = 0,
) -> np.ndarray:
    """BANANAS path encoding: for every sequence of up to `max_length` operations, how many
    paths from the input node `source` to the output (the last node) pass through exactly
    those operations (paths through the zero op do not exist, so `vocabulary` omits it)."""
    radix = len(vocabulary)
    position = {op: i for i, op in enumerate(vocabulary)}
    offsets = np.cumsum([0] + [radix**n for n in range(1, max_length + 1)])
    vector = np.zeros(int(offsets[-1]), dtype=np.float32)
    output = len(adjacency) - 1
    stack: list[tuple[int, tuple[int, ...]]] = [(source, ())]
    while stack:
        node, ops = stack.pop()
        for nxt in np.flatnonzero(adjacency[node]).tolist():
            if nxt == output:
                if ops:
                    index = sum(p * radix**i for i, p in enumerate(reversed(ops)))
                    vector[offsets[len(ops) - 1] + index] += 1.0
            elif len(ops) < max_length:
                stack.append((nxt, (*ops, position[labels[nxt]])))
    return vector
