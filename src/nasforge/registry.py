"""Name -> constructor registries, so the CLI and API find components by string.

Third-party packages register through entry points in the groups `nasforge.spaces`,
`nasforge.strategies`, `nasforge.evaluators`, `nasforge.proxies` and
`nasforge.oneshot_methods`. The built-in
components register when their package is imported, which a registry does on first use.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from importlib import metadata
from typing import Any


class Registry:
    """A mapping from short names to constructors, with a helpful error for unknown names."""

    def __init__(self, kind: str, entry_point_group: str, builtin_module: str = "") -> None:
        self.kind = kind
        self.entry_point_group = entry_point_group
        self.builtin_module = builtin_module
        self._items: dict[str, Callable[..., Any]] = {}
        self._components_loaded = False

    def register(self, name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Decorator adding a constructor under `name`."""

        def add(constructor: Callable[..., Any]) -> Callable[..., Any]:
            self._items[name] = constructor
            return constructor

        return add

    def add(self, name: str, constructor: Callable[..., Any]) -> None:
        self._items[name] = constructor

    def _load_components(self) -> None:
        """Import the built-in module (it registers its components), then third-party
        entry points, once."""
        if self._components_loaded:
            return
        self._components_loaded = True
        if self.builtin_module:
            importlib.import_module(self.builtin_module)
        for entry_point in metadata.entry_points(group=self.entry_point_group):
            self._items.setdefault(entry_point.name, entry_point.load())

    def get(self, name: str) -> Callable[..., Any]:
        """The constructor registered as `name`; `ValueError` listing the known names if none."""
        if name not in self._items:
            self._load_components()
        try:
            return self._items[name]
        except KeyError:
            raise ValueError(
                f"unknown {self.kind} {name!r}; known: {', '.join(self.names())}"
            ) from None

    def create(self, name: str, **kwargs: Any) -> Any:
        return self.get(name)(**kwargs)

    def names(self) -> list[str]:
        self._load_components()
        return sorted(self._items)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name in self.names()

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())


SPACES = Registry("search space", "nasforge.spaces", "nasforge.spaces")
STRATEGIES = Registry("strategy", "nasforge.strategies", "nasforge.strategies")
EVALUATORS = Registry("evaluator", "nasforge.evaluators", "nasforge.evaluators")
PROXIES = Registry("zero-cost proxy", "nasforge.proxies", "nasforge.evaluators.zerocost")
METHODS = Registry("one-shot method", "nasforge.oneshot_methods", "nasforge.oneshot")
