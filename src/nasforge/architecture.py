"""`Architecture`: a frozen, hashable, JSON-able mapping of decision labels to choices.

Architectures are plain data. Strategies, predictors and encodings only ever see this
object; the search space that produced it (named by `space`) builds the model.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any


class Architecture(Mapping[str, Any]):
    """An immutable mapping from decision label to chosen value, tagged with its space name.

    Equal architectures (same space, labels and values) hash equal. `replace` returns a
    new object; nothing ever changes an existing one.
    """

    __slots__ = ("_hash", "_labels", "_values", "space")

    def __init__(self, space: str, choices: Mapping[str, Any]) -> None:
        labels = tuple(choices)
        values = tuple(choices[label] for label in labels)
        for value in values:
            hash(value)  # raises TypeError early for unhashable choices
        object.__setattr__(self, "space", space)
        object.__setattr__(self, "_labels", labels)
        object.__setattr__(self, "_values", values)
        object.__setattr__(self, "_hash", hash((space, labels, values)))

    @classmethod
    def from_parts(cls, space: str, labels: tuple[str, ...], values: tuple) -> Architecture:
        """Fast constructor for spaces that already hold labels and values as tuples."""
        arch = cls.__new__(cls)
        object.__setattr__(arch, "space", space)
        object.__setattr__(arch, "_labels", labels)
        object.__setattr__(arch, "_values", values)
        object.__setattr__(arch, "_hash", hash((space, labels, values)))
        return arch

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("Architecture is immutable; use replace() to get a changed copy")

    def __getitem__(self, label: str) -> Any:
        try:
            return self._values[self._labels.index(label)]
        except ValueError:
            raise KeyError(label) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._labels)

    def __len__(self) -> int:
        return len(self._labels)

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Architecture):
            return NotImplemented
        return (
            self._hash == other._hash
            and self.space == other.space
            and self._labels == other._labels
            and self._values == other._values
        )

    def __repr__(self) -> str:
        body = ", ".join(f"{k}={v!r}" for k, v in zip(self._labels, self._values))
        return f"Architecture({self.space!r}, {body})"

    def __reduce__(self):
        return (Architecture.from_parts, (self.space, self._labels, self._values))

    @property
    def labels(self) -> tuple[str, ...]:
        """Decision labels in the space's canonical order."""
        return self._labels

    @property
    def choice_values(self) -> tuple:
        """Chosen values, aligned with `labels` (the Mapping method `values()` still works)."""
        return self._values

    def replace(self, **changes: Any) -> Architecture:
        """A copy with some decisions changed; unknown labels raise `KeyError`."""
        unknown = set(changes) - set(self._labels)
        if unknown:
            raise KeyError(f"unknown decision label(s): {', '.join(sorted(unknown))}")
        values = tuple(changes.get(k, v) for k, v in zip(self._labels, self._values))
        return Architecture.from_parts(self.space, self._labels, values)

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form: `{"space": ..., "choices": {label: value}}`."""
        return {"space": self.space, "choices": dict(zip(self._labels, self._values))}

    def to_json(self) -> str:
        return json.dumps(self.to_dict())

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Architecture:
        """Inverse of `to_dict`; JSON lists come back as tuples so the result is hashable."""
        try:
            space, choices = data["space"], data["choices"]
        except (KeyError, TypeError):
            raise ValueError(
                "an architecture's JSON form needs the keys 'space' and 'choices'"
            ) from None
        return cls(space, {k: _freeze(v) for k, v in choices.items()})

    @classmethod
    def from_json(cls, text: str) -> Architecture:
        return cls.from_dict(json.loads(text))


def _freeze(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    return value
