"""The `SearchSpace` protocol and `CategoricalSpace`, its implementation for spaces made of
a fixed list of labelled categorical decisions (NAS-Bench-201 cells, chain depths, ...).
"""

from __future__ import annotations

import itertools
import math
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Sequence

import numpy as np
from torch import nn

from nasforge.architecture import Architecture
from nasforge.spaces.drawing import CellDrawing, CellsDrawing, Layer, LayerDrawing
from nasforge.tasks import Task

ENCODINGS_DOC = "onehot (one indicator per decision value), ordinal (value index per decision)"


class SearchSpace(ABC):
    """What a strategy searches over: it samples, mutates and builds architectures.

    `encodings` declares the forms the space has, so that predictors and
    predictor-guided strategies pick one it supports: every kind `encode(arch, kind)`
    accepts, plus `"graph"` when `graph(arch)` gives a node-labelled DAG. `kinds` names
    the task kinds (`Task.kind`) `build` makes models for.
    """

    name: str = "space"
    encodings: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ("image", "table", "series", "tokens")  # task kinds it builds for

    @abstractmethod
    def sample(self, rng: np.random.Generator) -> Architecture:
        """A random member of the space."""

    @abstractmethod
    def mutate(self, arch: Architecture, rng: np.random.Generator) -> Architecture:
        """A new architecture one random change away from `arch` (never equal to it)."""

    @abstractmethod
    def build(self, arch: Architecture, task: Task) -> nn.Module:
        """The PyTorch model of `arch` for the task's input shape and class count."""

    def scaled_down(self) -> SearchSpace:
        """The space with the same decisions and smaller networks, for zero-cost proxies that
        rank architectures by structure at a fraction of the cost; itself unless overridden."""
        return self

    def check_task(self, task: Task) -> None:
        """A one-line `ValueError` naming the spaces that fit when this space cannot build
        for `task`'s kind."""
        if task.kind in self.kinds:
            return
        from nasforge.registry import SPACES

        fits = [n for n in SPACES.names() if task.kind in getattr(SPACES.get(n), "kinds", ())]
        raise ValueError(
            f"space {self.name!r} builds for {', '.join(self.kinds)} tasks, not {task.kind} "
            f"({task.name}); use --space {' or '.join(fits) or '<a space for ' + task.kind + '>'}"
            " or leave --space out"
        )

    def neighbors(self, arch: Architecture) -> list[Architecture]:
        """All architectures one change away from `arch`."""
        raise NotImplementedError(f"{type(self).__name__} does not enumerate neighbors")

    def encode(self, arch: Architecture, kind: str = "onehot") -> np.ndarray:
        """A fixed-length float vector describing `arch`, for predictors (`kind` one of
        `encodings`)."""
        raise NotImplementedError(f"{type(self).__name__} has no encodings")

    def graph(self, arch: Architecture) -> tuple[np.ndarray, np.ndarray]:
        """`arch` as a node-labelled DAG: adjacency `(nodes, nodes)` and one-hot node
        features `(nodes, f)`; only spaces with `"graph"` in `encodings` have it."""
        raise NotImplementedError(
            f"space {self.name!r} has no graph form; its encodings: "
            f"{', '.join(self.encodings) or 'none'}"
        )

    def format(self, arch: Architecture) -> str:
        """The canonical text form of `arch`."""
        return arch.to_json()

    def drawing(self, arch: Architecture) -> CellDrawing | CellsDrawing | LayerDrawing:
        """How `arch` looks, as data for `nasforge.report` to draw (see
        `nasforge.spaces.drawing`); by default one block per decision."""
        layers = tuple(Layer(str(value), label, detail=label) for label, value in arch.items())
        return LayerDrawing(layers, kinds=tuple(arch.labels), title=self.format(arch))

    def parse(self, text: str) -> Architecture:
        """Inverse of `format`; `ValueError` naming the bad token on malformed text."""
        return self.validate(Architecture.from_json(text))

    def validate(self, arch: Architecture) -> Architecture:
        """`arch` itself if it belongs to this space, else a `ValueError` saying why."""
        return arch


class CategoricalSpace(SearchSpace):
    """A finite space: each decision label picks one value from its own list of choices.

    Subclasses set `name` and `decisions` and implement `build` (and usually
    `format`/`parse`); sampling, mutation, neighbours, encodings, indexing and iteration
    come from here.
    """

    decisions: tuple[tuple[str, tuple], ...] = ()
    encodings: tuple[str, ...] = ("onehot", "ordinal")

    def __init__(self) -> None:
        self._labels = tuple(label for label, _ in self.decisions)
        self._choices = tuple(tuple(choices) for _, choices in self.decisions)
        self._sizes = np.array([len(c) for c in self._choices], dtype=np.int64)
        self._positions = tuple({v: i for i, v in enumerate(c)} for c in self._choices)
        # Mixed-radix weights: the first decision is the most significant digit (Python
        # integers: large spaces such as DARTS' overflow 64 bits).
        sizes = self._sizes.tolist()
        self._radix = tuple(math.prod(sizes[i + 1 :]) for i in range(len(sizes)))
        self._onehot_offsets = np.concatenate([[0], np.cumsum(self._sizes)[:-1]]).astype(int)

    # -- construction ---------------------------------------------------------------
    def from_positions(self, positions: Sequence[int]) -> Architecture:
        """The architecture whose i-th decision takes its `positions[i]`-th choice."""
        values = tuple(c[p] for c, p in zip(self._choices, positions))
        return Architecture.from_parts(self.name, self._labels, values)

    def positions(self, arch: Architecture) -> tuple[int, ...]:
        """Index of each decision's value within its choices."""
        return tuple(pos[v] for pos, v in zip(self._positions, arch.choice_values))

    def index(self, arch: Architecture) -> int:
        """A unique integer in `[0, len(self))` for `arch` (mixed-radix over positions)."""
        return int(sum(p * r for p, r in zip(self.positions(arch), self._radix)))

    def from_index(self, index: int) -> Architecture:
        if not 0 <= index < len(self):
            raise ValueError(f"index {index} outside [0, {len(self)}) for space {self.name!r}")
        return self.from_positions(
            [(index // r) % s for r, s in zip(self._radix, self._sizes.tolist())]
        )

    @property
    def labels(self) -> tuple[str, ...]:
        return self._labels

    def choices(self, label: str) -> tuple:
        return self._choices[self._labels.index(label)]

    # -- protocol -------------------------------------------------------------------
    def canonical(self, arch: Architecture) -> Architecture:
        """The one representative of all encodings of the same network (identity here).

        Spaces with inactive decisions (layers beyond the chosen depth) override this so
        that equal networks are equal architectures.
        """
        return arch

    def _has_canonical(self) -> bool:
        return type(self).canonical is not CategoricalSpace.canonical

    def sample(self, rng: np.random.Generator) -> Architecture:
        return self.canonical(self.from_positions(rng.integers(0, self._sizes).tolist()))

    def mutate(self, arch: Architecture, rng: np.random.Generator) -> Architecture:
        mutable = np.flatnonzero(self._sizes > 1)
        for _ in range(100):
            positions = list(self.positions(arch))
            decision = int(mutable[rng.integers(len(mutable))])
            new = int(rng.integers(self._sizes[decision] - 1))
            positions[decision] = new + (new >= positions[decision])
            child = self.canonical(self.from_positions(positions))
            if child != arch:
                return child
        raise RuntimeError(f"no mutation of {arch} changes the network")

    def neighbors(self, arch: Architecture) -> list[Architecture]:
        base = self.positions(arch)
        result = []
        for decision, size in enumerate(self._sizes.tolist()):
            for choice in range(size):
                if choice != base[decision]:
                    positions = list(base)
                    positions[decision] = choice
                    result.append(self.canonical(self.from_positions(positions)))
        if self._has_canonical():
            result = [n for n in dict.fromkeys(result) if n != arch]
        return result

    def encode(self, arch: Architecture, kind: str = "onehot") -> np.ndarray:
        positions = np.asarray(self.positions(arch))
        if kind == "onehot":
            vector = np.zeros(int(self._sizes.sum()), dtype=np.float32)
            vector[self._onehot_offsets + positions] = 1.0
            return vector
        if kind == "ordinal":
            return positions.astype(np.float32)
        raise ValueError(f"unknown encoding {kind!r}; accepted: {ENCODINGS_DOC}")

    def encode_many(self, archs: Iterable[Architecture], kind: str = "onehot") -> np.ndarray:
        """Stacked encodings, one row per architecture."""
        return np.stack([self.encode(a, kind) for a in archs])

    def validate(self, arch: Architecture) -> Architecture:
        if arch.space != self.name:
            raise ValueError(f"architecture is from space {arch.space!r}, not {self.name!r}")
        if tuple(arch.labels) != self._labels:
            raise ValueError(
                f"architecture decisions {list(arch.labels)} do not match {list(self._labels)}"
            )
        for label, value, positions in zip(self._labels, arch.choice_values, self._positions):
            if value not in positions:
                raise ValueError(
                    f"{value!r} is not a choice for {label!r}; accepted: "
                    f"{', '.join(map(str, positions))}"
                )
        return arch

    def __len__(self) -> int:
        """Number of members; spaces with a `canonical` form override this with a count."""
        return math.prod(self._sizes.tolist())

    def __iter__(self) -> Iterator[Architecture]:
        """Every member once (canonical forms only, when the space has them)."""
        seen: set[Architecture] = set()
        for positions in itertools.product(*(range(s) for s in self._sizes.tolist())):
            arch = self.canonical(self.from_positions(positions))
            if self._has_canonical():
                if arch in seen:
                    continue
                seen.add(arch)
            yield arch
