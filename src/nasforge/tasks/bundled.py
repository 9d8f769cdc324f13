"""Tasks that ship with scikit-learn, usable offline: digits (8x8 images), breast_cancer
and wine (tabular classification) and diabetes (tabular regression)."""

from __future__ import annotations

import numpy as np

from nasforge.tasks.base import Task
from nasforge.tasks.inputs import image_reading
from nasforge.tasks.splits import make_task

BUNDLED = ("digits", "breast_cancer", "wine", "diabetes")


def load_bundled(
    name: str,
    seed: int = 0,
    val_fraction: float = 0.15,
    test_fraction: float = 0.15,
    task: str | None = None,
    metric: str | None = None,
) -> Task:
    """One of `BUNDLED`, split with `seed`; digits come as 1x8x8 images, the tables go
    through the table preprocessing (`nasforge.tasks.tables`) with their label `target`."""
    from sklearn import datasets

    from nasforge.tasks.tables import table_task

    split = {"seed": seed, "val_fraction": val_fraction, "test_fraction": test_fraction}
    if name == "digits":
        if task not in (None, "classification"):
            raise ValueError("digits is a classification task; leave --task out")
        raw = datasets.load_digits()
        x = raw.images[:, None, :, :].astype(np.float32)
        reading = image_reading(1, 16 / 255)  # digits' pixels are 0-16
        return make_task(name, x, raw.target, metric=metric, reading=reading, **split)
    loaders = {
        "breast_cancer": datasets.load_breast_cancer,
        "wine": datasets.load_wine,
        "diabetes": datasets.load_diabetes,
    }
    if name not in loaders:
        raise ValueError(f"unknown bundled task {name!r}; accepted: {', '.join(BUNDLED)}")
    frame = loaders[name](as_frame=True).frame
    return table_task(frame, name, "target", task=task, metric=metric, **split)
