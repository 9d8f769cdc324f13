"""Tasks that ship with scikit-learn, usable offline: digits (8x8 images), breast_cancer
and wine (tabular)."""

from __future__ import annotations

import numpy as np

from nasforge.tasks.base import Task
from nasforge.tasks.splits import make_task

BUNDLED = ("digits", "breast_cancer", "wine")


def load_bundled(
    name: str, seed: int = 0, val_fraction: float = 0.15, test_fraction: float = 0.15
) -> Task:
    """One of `BUNDLED`, split with `seed`; digits come as 1x8x8 images."""
    from sklearn import datasets

    if name == "digits":
        raw = datasets.load_digits()
        x = raw.images[:, None, :, :].astype(np.float32)
    elif name == "breast_cancer":
        raw = datasets.load_breast_cancer()
        x = raw.data
    elif name == "wine":
        raw = datasets.load_wine()
        x = raw.data
    else:
        raise ValueError(f"unknown bundled task {name!r}; accepted: {', '.join(BUNDLED)}")
    return make_task(
        name, x, raw.target, seed=seed, val_fraction=val_fraction, test_fraction=test_fraction
    )
