"""Stacking a space's encodings and graph forms into arrays for predictors, and choosing
the encoding a predictor uses on a space.

The encodings themselves belong to the spaces (`space.encode(arch, kind)`, graph forms
in `nasforge.spaces.graphs`); a space lists the kinds it has in `space.encodings`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import numpy as np

from nasforge.spaces.base import SearchSpace


def choose_encoding(space: SearchSpace, preferred: Sequence[str], who: str) -> str:
    """The first kind of `preferred` that `space` supports (`space.encodings`); a
    `ValueError` naming `who` and both lists when there is none."""
    for kind in preferred:
        if kind in space.encodings:
            return kind
    raise ValueError(
        f"{who} needs one of the encodings {', '.join(preferred)}; space {space.name!r} "
        f"has {', '.join(space.encodings) or 'none'}"
    )


def encode_many(encode: Callable[..., np.ndarray], archs: Iterable, kind: str) -> np.ndarray:
    """Stacked `encode(arch, kind)` rows as a float32 matrix, ready for scikit-learn."""
    return np.stack([encode(arch, kind) for arch in archs]).astype(np.float32)


def graph_batch(
    graph: Callable[..., tuple[np.ndarray, np.ndarray]], archs: Iterable
) -> tuple[np.ndarray, np.ndarray]:
    """Stacked graph forms: adjacency `(n, nodes, nodes)` and node features `(n, nodes, f)`."""
    pairs = [graph(arch) for arch in archs]
    return np.stack([a for a, _ in pairs]), np.stack([f for _, f in pairs])
