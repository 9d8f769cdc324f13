"""Search spaces, registered by name in `SPACES`."""

from __future__ import annotations

import inspect
from collections.abc import Mapping

from nasforge.registry import SPACES
from nasforge.spaces.base import CategoricalSpace, SearchSpace
from nasforge.spaces.chain import ChainSpace
from nasforge.spaces.conv1d import Conv1dSpace
from nasforge.spaces.darts import DartsSpace
from nasforge.spaces.mlp import MLPSpace
from nasforge.spaces.nb201 import NB201Space
from nasforge.spaces.transformer import TransformerSpace
from nasforge.tasks import Task

SPACES.add("nb201", NB201Space)
SPACES.add("chain", ChainSpace)
SPACES.add("mlp", MLPSpace)
SPACES.add("conv1d", Conv1dSpace)
SPACES.add("transformer", TransformerSpace)
SPACES.add("darts", DartsSpace)


# The space a search uses when none is named, per task kind: (registry name, settings).
# Per-position token targets are local labelling: temporal convolutions (measured in
# docs/series.md: 83 % against a transformer's 51 % of cellular-automaton cells).
DEFAULT_SPACES: dict[str, tuple[str, dict]] = {
    "image": ("nb201", {"channels": 16, "cells": 1}),
    "table": ("mlp", {}),
    "series": ("conv1d", {}),
    "tokens": ("transformer", {}),
    "tokens per position": ("conv1d", {}),
}


def default_space(task: Task) -> SearchSpace:
    """The space for `task.kind` in `DEFAULT_SPACES` (a small NAS-Bench-201 network for
    images, the MLP space for tables, ...; `tokens per position` for per-position token
    targets); a one-line `ValueError` for a kind without one."""
    if task.kind not in DEFAULT_SPACES:
        raise ValueError(f"no default space for {task.kind} tasks; name one with --space")
    name, settings = DEFAULT_SPACES["tokens per position" if task.per_position else task.kind]
    return SPACES.create(name, **settings)


def get_space(name: str) -> SearchSpace:
    """The search space registered as `name`, with its default settings."""
    return SPACES.create(name)


def create_space(name: str, options: Mapping[str, object] | None = None) -> SearchSpace:
    """The space registered as `name` built with `options` (`--space-option channels=8`):
    text is converted by the type of each setting's default (int, float, str, bool, or
    a tuple of those, comma-separated); a one-line ValueError naming the accepted
    settings for an unknown setting or a bad value."""
    constructor = SPACES.get(name)  # ValueError listing the registered spaces
    settings = inspect.signature(constructor).parameters
    accepted = ", ".join(settings) or "none"
    kwargs = {}
    for key, value in (options or {}).items():
        if key not in settings:
            raise ValueError(f"space {name!r} has no setting {key!r}; accepted: {accepted}")
        default = settings[key].default
        try:
            kwargs[key] = _converted(value, default) if isinstance(value, str) else value
        except ValueError:
            raise ValueError(
                f"space {name!r}: bad value {value!r} for {key!r} (like its default "
                f"{default!r}); accepted settings: {accepted}"
            ) from None
    return constructor(**kwargs)


def _converted(text: str, default: object) -> object:
    text = text.strip()
    if isinstance(default, tuple):
        item = default[0] if default else ""
        return tuple(_converted(part, item) for part in text.split(",") if part.strip())
    if isinstance(default, bool):
        if text.lower() not in ("true", "false", "1", "0", "yes", "no"):
            raise ValueError(text)
        return text.lower() in ("true", "1", "yes")
    if isinstance(default, int | float):
        return type(default)(text)
    return text


__all__ = [
    "DEFAULT_SPACES",
    "CategoricalSpace",
    "ChainSpace",
    "Conv1dSpace",
    "DartsSpace",
    "MLPSpace",
    "NB201Space",
    "SearchSpace",
    "TransformerSpace",
    "create_space",
    "default_space",
    "get_space",
]
