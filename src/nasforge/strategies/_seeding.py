"""Generators seeded by content, for strategy state that must be rebuilt identically from
the history alone (a resumed search's fresh strategy, another worker)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

import numpy as np

from nasforge.architecture import Architecture


def content_rng(items: Iterable[tuple[int, Architecture, float]]) -> np.random.Generator:
    """A generator seeded by a stable digest of the architectures and scores of
    `(trial number, architecture, score)` items, in order: equal items give equal streams
    in every process (no `hash()` salt). Trial numbers are left out: a resumed search
    evaluates an interrupted trial again under a new number, with the same content."""
    digest = hashlib.blake2b(digest_size=16)
    for _number, arch, score in items:
        digest.update(f"{arch.to_json()}\x1f{float(score)!r}\x1e".encode())
    return np.random.default_rng(int.from_bytes(digest.digest(), "little"))
