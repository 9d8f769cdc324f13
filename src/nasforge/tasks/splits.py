"""Turn raw arrays into a `Task`: check them, make seeded stratified splits, normalise."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from nasforge.errors import DataFormatError
from nasforge.tasks.base import Task
from nasforge.tasks.inputs import Standardiser, image_reading, pixel_scale


def check_arrays(x: np.ndarray, y: np.ndarray, source: str, part: str = "data") -> None:
    """Raise a `DataFormatError` naming `source` for mismatched lengths, NaN/inf or one class."""
    if len(x) != len(y):
        raise DataFormatError(f"{source}: {part} has {len(x)} inputs but {len(y)} labels")
    if len(x) == 0:
        raise DataFormatError(f"{source}: {part} is empty")
    if y.ndim != 1:
        raise DataFormatError(f"{source}: {part} labels must be one-dimensional, got {y.shape}")
    if not np.issubdtype(x.dtype, np.number):
        raise DataFormatError(f"{source}: {part} inputs are not numeric ({x.dtype})")
    if not np.isfinite(x).all():
        raise DataFormatError(f"{source}: {part} inputs contain NaN or infinite values")


def encode_labels(
    y_train: np.ndarray, y_test: np.ndarray | None, source: str
) -> tuple[np.ndarray, np.ndarray | None, tuple[str, ...]]:
    """Map labels to 0..K-1 (sorted); test labels must all occur in the training labels."""
    classes = np.unique(y_train)
    if len(classes) < 2:
        raise DataFormatError(f"{source}: needs at least 2 classes, found {len(classes)}")
    lookup = {value: i for i, value in enumerate(classes.tolist())}
    train = np.array([lookup[v] for v in y_train.tolist()], dtype=np.int64)
    test = None
    if y_test is not None:
        unknown = sorted({v for v in y_test.tolist() if v not in lookup}, key=str)
        if unknown:
            raise DataFormatError(
                f"{source}: test labels {unknown[:5]} do not occur in the training labels"
            )
        test = np.array([lookup[v] for v in y_test.tolist()], dtype=np.int64)
    return train, test, tuple(str(c) for c in classes.tolist())


def _split(index, y, fraction: float, seed: int, source: str, stratify: bool, classes=()):
    from sklearn.model_selection import train_test_split

    if stratify:
        counts = np.bincount(y)
        if counts[counts > 0].min() < 2:
            rare = int(np.flatnonzero(counts == counts[counts > 0].min())[0])
            name = repr(classes[rare]) if rare < len(classes) else rare
            raise DataFormatError(
                f"{source}: class {name} has a single example; each class needs at least 2 to split"
            )
    try:
        return train_test_split(
            index, test_size=fraction, random_state=seed, stratify=y if stratify else None
        )
    except ValueError as err:
        raise DataFormatError(f"{source}: too little data to split ({err})") from None


def check_fractions(val_fraction: float, test_fraction: float) -> None:
    if not (0 < val_fraction < 1 and 0 < test_fraction < 1 and val_fraction + test_fraction < 1):
        raise ValueError("val_fraction and test_fraction must be in (0, 1) and sum below 1")


def split_indices(
    y: np.ndarray,
    seed: int,
    val_fraction: float,
    test_fraction: float | None,
    source: str,
    stratify: bool = True,
    classes: Sequence[str] = (),
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Seeded (train, validation, test) row indices, stratified by class when `stratify`;
    no test indices when `test_fraction` is None (the data brings its own test set).
    `classes` names the labels 0..K-1 in errors."""
    index, test = np.arange(len(y)), None
    if test_fraction is not None:
        index, test = _split(index, y, test_fraction, seed, source, stratify, classes)
        val_fraction = val_fraction / (1 - test_fraction)
    train, val = _split(index, y[index], val_fraction, seed + 1, source, stratify, classes)
    return train, val, test


def make_task(
    name: str,
    x: np.ndarray,
    y: np.ndarray,
    *,
    x_test: np.ndarray | None = None,
    y_test: np.ndarray | None = None,
    seed: int = 0,
    val_fraction: float = 0.15,
    test_fraction: float = 0.15,
    source: str | None = None,
    metric: str | None = None,
    reading: dict | None = None,
) -> Task:
    """A classification task (`metric`: accuracy by default) with seeded stratified
    train / validation (/ test, unless given) splits.

    Inputs are standardised with training-split statistics: per feature for tabular
    data, per channel for images; `reading` says how an image file maps to a raw input
    (`nasforge.tasks.inputs.image_reading`; by default read from the values' range).
    """
    source = source or name
    check_fractions(val_fraction, test_fraction)
    check_arrays(x, y, source, "training data" if x_test is not None else "data")
    if (x_test is None) != (y_test is None):
        raise DataFormatError(f"{source}: give both test inputs and test labels, or neither")
    if x_test is not None:
        check_arrays(x_test, y_test, source, "test data")
        if x_test.shape[1:] != x.shape[1:]:
            raise DataFormatError(
                f"{source}: test inputs have shape {x_test.shape[1:]}, training inputs "
                f"{x.shape[1:]}"
            )
    labels, test_labels, class_names = encode_labels(y, y_test, source)
    x = x.astype(np.float32)
    given_test = x_test is not None
    train, val, test = split_indices(
        labels, seed, val_fraction, None if given_test else test_fraction, source,
        classes=class_names,
    )  # fmt: skip
    if not given_test:
        x_test, test_labels = x[test], labels[test]
    x_train, x_val, y_train, y_val = x[train], x[val], labels[train], labels[val]
    scale = Standardiser.fit(x_train)
    inputs = {"standardise": scale.to_dict()}
    if x.ndim == 4:
        inputs.update(reading or image_reading(x.shape[1], pixel_scale(x_train)))
    return Task(
        name, tuple(int(d) for d in x.shape[1:]), len(class_names), metric,
        x_train=scale(x_train), y_train=y_train, x_val=scale(x_val), y_val=y_val,
        x_test=scale(x_test), y_test=test_labels, class_names=class_names,
        preprocessing={"inputs": inputs},
    )  # fmt: skip
