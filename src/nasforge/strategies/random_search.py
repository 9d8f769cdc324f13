"""Random search: the baseline every NAS method must beat (Li & Talwalkar, UAI 2019)."""

from __future__ import annotations

import numpy as np

from nasforge.architecture import Architecture
from nasforge.history import History
from nasforge.spaces.base import SearchSpace
from nasforge.strategies.base import Strategy


class RandomSearch(Strategy):
    """Uniform samples from the space, skipping architectures already evaluated."""

    def __init__(self, allow_duplicates: bool = False) -> None:
        self.allow_duplicates = allow_duplicates

    def propose(
        self, space: SearchSpace, history: History, rng: np.random.Generator
    ) -> Architecture:
        return self.sample_new(space, history, rng)
