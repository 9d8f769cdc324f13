"""Search spaces, registered by name in `SPACES`."""

from __future__ import annotations

from nasforge.registry import SPACES
from nasforge.spaces.base import CategoricalSpace, SearchSpace
from nasforge.spaces.chain import ChainSpace
from nasforge.spaces.conv1d import Conv1dSpace
from nasforge.spaces.mlp import MLPSpace
from nasforge.spaces.nb201 import NB201Space
from nasforge.spaces.transformer import TransformerSpace
from nasforge.tasks import Task

SPACES.add("nb201", NB201Space)
SPACES.add("chain", ChainSpace)
SPACES.add("mlp", MLPSpace)
SPACES.add("conv1d", Conv1dSpace)
SPACES.add("transformer", TransformerSpace)


# The space a search uses when none is named, per task kind: (registry name, settings).
DEFAULT_SPACES: dict[str, tuple[str, dict]] = {
    "image": ("nb201", {"channels": 16, "cells": 1}),
    "table": ("mlp", {}),
    "series": ("conv1d", {}),
    "tokens": ("transformer", {}),
}


def default_space(task: Task) -> SearchSpace:
    """The space for `task.kind` in `DEFAULT_SPACES` (a small NAS-Bench-201 network for
    images, the MLP space for tables, ...); a one-line `ValueError` for a kind without one."""
    if task.kind not in DEFAULT_SPACES:
        raise ValueError(f"no default space for {task.kind} tasks; name one with --space")
    name, settings = DEFAULT_SPACES[task.kind]
    return SPACES.create(name, **settings)


def get_space(name: str) -> SearchSpace:
    """The search space registered as `name`, with its default settings."""
    return SPACES.create(name)


__all__ = [
    "DEFAULT_SPACES",
    "CategoricalSpace",
    "ChainSpace",
    "Conv1dSpace",
    "MLPSpace",
    "NB201Space",
    "SearchSpace",
    "TransformerSpace",
    "default_space",
    "get_space",
]
