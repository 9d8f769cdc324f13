"""NSGA-II (Deb, Pratap, Agarwal & Meyarivan, "A fast and elitist multiobjective genetic
algorithm: NSGA-II", IEEE TEC 2002) over architectures.

The generations are read off the history: the first `population_size` scored trials
(complete, every objective present) are the initial population, and each later block of
`population_size` scored trials is the offspring of the population before it. Elitist
selection keeps the best `population_size` of parents + offspring by non-dominated rank,
then crowding distance. A child is bred from two binary-tournament winners (lower rank,
then larger crowding distance) by uniform crossover and one mutation. Since everything
comes from the finished trials, a resumed search breeds exactly what it would have.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from nasforge.architecture import Architecture
from nasforge.history import History, Trial
from nasforge.spaces.base import CategoricalSpace, SearchSpace
from nasforge.strategies.base import Strategy, check_objectives


@dataclass
class _Generations:
    size: int
    key: list[tuple]  # (number, architecture, signed values) of the trials used so far
    populations: list[tuple[np.ndarray, np.ndarray, np.ndarray]]  # members, ranks, crowding


class NSGA2(Strategy):
    """NSGA-II on `objectives` (metric names) with `directions` ("maximize" /
    "minimize"); one objective by default, which makes it an elitist genetic algorithm.

    A child takes each decision from either tournament winner (uniform crossover, on
    categorical spaces, with probability `crossover_prob`) and is then mutated once with
    probability `mutation_prob`; a child that is already in the history, or equal to a
    parent, is mutated again.
    """

    multi_objective = True

    def __init__(
        self,
        objectives: Sequence[str] = ("val_acc",),
        directions: Sequence[str] = ("maximize",),
        population_size: int = 10,
        crossover_prob: float = 0.5,
        mutation_prob: float = 1.0,
        allow_duplicates: bool = False,
    ) -> None:
        self.objectives = objectives
        self.directions = directions
        self.population_size = population_size
        self.crossover_prob = crossover_prob
        self.mutation_prob = mutation_prob
        self.allow_duplicates = allow_duplicates

    @property
    def metric(self) -> str:
        return self.objectives[0]

    @property
    def maximize(self) -> bool:
        return self.directions[0] == "maximize"

    def check(self, space: SearchSpace) -> None:
        check_objectives(self.objectives, self.directions)
        if self.population_size < 2:
            raise ValueError(f"population_size must be at least 2, got {self.population_size}")
        for name in ("crossover_prob", "mutation_prob"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must lie in [0, 1], got {getattr(self, name)}")

    def signed(self, trial: Trial) -> tuple[float, ...] | None:
        """The trial's objective values signed so that larger is better; None when one is
        missing or the trial did not complete."""
        values = [trial.metrics.get(name) for name in self.objectives] if trial.ok else [None]
        if any(v is None or v != v for v in values):
            return None
        return tuple(v if d == "maximize" else -v for v, d in zip(values, self.directions))

    def population(self, history: History) -> tuple[list[Trial], np.ndarray, np.ndarray]:
        """The current parents with their non-dominated rank and crowding distance (empty
        while the initial population is still being evaluated). Generations computed
        before are cached on the content of the trials they come from."""
        scored = [(t, v) for t in history.trials if (v := self.signed(t)) is not None]
        key = [(t.number, t.arch, v) for t, v in scored]
        size = self.population_size
        cache = getattr(self, "generations_", None)
        if cache is None or cache.size != size or key[: len(cache.key)] != cache.key:
            cache = self.generations_ = _Generations(size, [], [])
        blocks = len(scored) // size
        if blocks == 0:
            return [], np.empty(0, dtype=int), np.empty(0)
        values = np.array([v for _, v in scored[: blocks * size]])
        if not cache.populations:
            first = np.arange(size)
            cache.populations.append((first, *rank_and_crowd(values[first])))
        for block in range(len(cache.populations), blocks):
            offspring = np.arange(block * size, (block + 1) * size)
            pool = np.concatenate([cache.populations[-1][0], offspring])
            cache.populations.append(_select(pool, values[pool], size))
        cache.key = key[: blocks * size]
        members, ranks, crowding = cache.populations[blocks - 1]
        return [scored[i][0] for i in members], ranks, crowding

    def propose(
        self, space: SearchSpace, history: History, rng: np.random.Generator
    ) -> Architecture:
        parents, ranks, crowding = self.population(history)
        if not parents:
            return self.sample_new(space, history, rng)
        first = parents[_tournament(ranks, crowding, rng)].arch
        second = parents[_tournament(ranks, crowding, rng)].arch
        child = first
        if isinstance(space, CategoricalSpace) and rng.random() < self.crossover_prob:
            child = uniform_crossover(space, first, second, rng)
        if rng.random() < self.mutation_prob:
            child = space.mutate(child, rng)
        for _ in range(100):
            if self.is_new(child, history) and child not in (first, second):
                return child
            child = space.mutate(child, rng)
        return self.sample_new(space, history, rng)


def uniform_crossover(
    space: CategoricalSpace, first: Architecture, second: Architecture, rng: np.random.Generator
) -> Architecture:
    """Each decision taken from `first` or `second` with equal probability."""
    take = rng.random(len(space.labels)) < 0.5
    positions = np.where(take, space.positions(first), space.positions(second))
    return space.canonical(space.from_positions(positions.tolist()))


def rank_and_crowd(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Non-dominated rank (0 = the Pareto front) and crowding distance within its front of
    each row of `values` (larger is better in every column)."""
    ranks = nondominated_ranks(values)
    crowding = np.zeros(len(values))
    for rank in np.unique(ranks):
        front = np.flatnonzero(ranks == rank)
        crowding[front] = crowding_distance(values[front])
    return ranks, crowding


def nondominated_ranks(values: np.ndarray) -> np.ndarray:
    """Deb's fast non-dominated sort: the front index of each row (larger is better)."""
    values = np.asarray(values, dtype=float)
    at_least = (values[:, None, :] >= values[None, :, :]).all(axis=2)
    better = (values[:, None, :] > values[None, :, :]).any(axis=2)
    dominates = at_least & better  # [i, j]: row i dominates row j
    dominated_by = dominates.sum(axis=0)
    ranks = np.full(len(values), -1)
    front, rank = np.flatnonzero(dominated_by == 0), 0
    while front.size:
        ranks[front] = rank
        dominated_by = dominated_by - dominates[front].sum(axis=0)
        dominated_by[ranks >= 0] = -1
        front, rank = np.flatnonzero(dominated_by == 0), rank + 1
    return ranks


def crowding_distance(values: np.ndarray) -> np.ndarray:
    """Deb's crowding distance of each row of one front: the boundary rows of every
    objective get infinity, the others the normalised gap between their neighbours."""
    count, objectives = values.shape
    distance = np.zeros(count)
    if count <= 2:
        return np.full(count, np.inf)
    for column in range(objectives):
        order = np.argsort(values[:, column], kind="stable")
        ordered = values[order, column]
        span = ordered[-1] - ordered[0]
        distance[order[0]] = distance[order[-1]] = np.inf
        if span > 0:
            distance[order[1:-1]] += (ordered[2:] - ordered[:-2]) / span
    return distance


def _select(
    pool: np.ndarray, values: np.ndarray, size: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Elitist selection from `pool` (indices, their `values`): whole fronts by rank, the
    last one cut by crowding distance; the chosen indices with their ranks and crowding."""
    ranks, crowding = rank_and_crowd(values)
    order = np.lexsort((-crowding, ranks))[:size]  # rank first, then crowding descending
    return pool[order], ranks[order], crowding[order]


def _tournament(ranks: np.ndarray, crowding: np.ndarray, rng: np.random.Generator) -> int:
    """Binary tournament by the crowded-comparison operator."""
    a, b = (int(i) for i in rng.choice(len(ranks), size=2, replace=False))
    if ranks[a] != ranks[b]:
        return a if ranks[a] < ranks[b] else b
    return a if crowding[a] >= crowding[b] else b
