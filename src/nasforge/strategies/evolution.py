"""Regularized (aging) evolution (Real et al., AAAI 2019).

The population is the last `population_size` completed trials, so the oldest member
dies as each child arrives; a parent is the best of `tournament_size` random members.
"""

from __future__ import annotations

import numpy as np

from nasforge.architecture import Architecture
from nasforge.history import History
from nasforge.spaces.base import SearchSpace
from nasforge.strategies.base import Strategy


class RegularizedEvolution(Strategy):
    """Tournament selection, one mutation per child, oldest-first removal."""

    def __init__(
        self,
        population_size: int = 20,
        tournament_size: int = 5,
        metric: str = "val_acc",
        maximize: bool = True,
        allow_duplicates: bool = False,
        mutation_tries: int = 100,
    ) -> None:
        self.population_size = population_size
        self.tournament_size = tournament_size
        self.metric = metric
        self.maximize = maximize
        self.allow_duplicates = allow_duplicates
        self.mutation_tries = mutation_tries

    def check(self, space: SearchSpace) -> None:
        if self.population_size < 1 or not 1 <= self.tournament_size <= self.population_size:
            raise ValueError(
                "need population_size >= 1 and 1 <= tournament_size <= population_size, got "
                f"{self.population_size} and {self.tournament_size}"
            )
        self.require(1, "mutation_tries")

    def propose(
        self, space: SearchSpace, history: History, rng: np.random.Generator
    ) -> Architecture:
        population = []
        for trial in reversed(history.trials):
            if trial.ok:
                population.append(trial)
                if len(population) == self.population_size:
                    break
        if len(population) < self.population_size:
            return self.sample_new(space, history, rng)
        picks = rng.choice(len(population), size=self.tournament_size, replace=False)
        parent = max((population[i] for i in picks), key=self.score)
        for _ in range(self.mutation_tries):
            child = space.mutate(parent.arch, rng)
            if self.is_new(child, history):
                return child
        return self.sample_new(space, history, rng)
