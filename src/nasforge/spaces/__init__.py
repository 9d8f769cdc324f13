"""Search spaces, registered by name in `SPACES`."""

from __future__ import annotations

from nasforge.registry import SPACES
from nasforge.spaces.base import CategoricalSpace, SearchSpace
from nasforge.spaces.nb201 import NB201Space

SPACES.add("nb201", NB201Space)


def get_space(name: str) -> SearchSpace:
    """The search space registered as `name`, with its default settings."""
    return SPACES.create(name)


__all__ = ["CategoricalSpace", "NB201Space", "SearchSpace", "get_space"]
