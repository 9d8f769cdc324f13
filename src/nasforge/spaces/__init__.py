"""Search spaces, registered by name in `SPACES`."""

from __future__ import annotations

from nasforge.registry import SPACES
from nasforge.spaces.base import CategoricalSpace, SearchSpace
from nasforge.spaces.chain import ChainSpace
from nasforge.spaces.mlp import MLPSpace
from nasforge.spaces.nb201 import NB201Space

SPACES.add("nb201", NB201Space)
SPACES.add("chain", ChainSpace)
SPACES.add("mlp", MLPSpace)


def get_space(name: str) -> SearchSpace:
    """The search space registered as `name`, with its default settings."""
    return SPACES.create(name)


__all__ = ["CategoricalSpace", "ChainSpace", "MLPSpace", "NB201Space", "SearchSpace", "get_space"]
