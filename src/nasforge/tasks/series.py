"""Time-series tasks (channels x length): the UCR / UEA archive sets that aeon ships
(Bagnall et al., "The UEA multivariate time series classification archive", 2018; Dau et
al., "The UCR time series archive", 2019) with their official train / test split, and the
user's own `.npz` or CSV series. Validation is carved from the training part, seeded."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from nasforge.errors import DataFormatError, DataNotFoundError
from nasforge.tasks.base import Task
from nasforge.tasks.inputs import Standardiser
from nasforge.tasks.metrics import DEFAULT_METRIC
from nasforge.tasks.splits import check_arrays, encode_labels

AEON_PREFIX = "aeon:"
SERIES_PREFIX = "series:"


def _aeon_data_dir() -> Path:
    try:
        import aeon.datasets
    except ImportError:
        raise ImportError(
            "aeon: data needs the aeon package: pip install 'nasforge[series]'"
        ) from None
    return Path(aeon.datasets.__file__).parent / "data"


def aeon_datasets() -> list[str]:
    """Names of the archive sets aeon ships with a train and a test `.ts` file."""
    root = _aeon_data_dir()
    return sorted(
        d.name
        for d in root.iterdir()
        if (d / f"{d.name}_TRAIN.ts").is_file() and (d / f"{d.name}_TEST.ts").is_file()
    )


def aeon_classification_datasets() -> list[str]:
    """The bundled sets whose target is a class label."""
    return [n for n in aeon_datasets() if _read_ts(n, "TRAIN")[2]]


def _read_ts(name: str, part: str) -> tuple[list[np.ndarray] | np.ndarray, np.ndarray, bool]:
    from aeon.datasets import load_from_ts_file

    path = _aeon_data_dir() / name / f"{name}_{part}.ts"
    x, y, meta = load_from_ts_file(str(path), return_meta_data=True)
    return x, y, bool(meta.get("classlabel"))


def load_aeon(
    name: str,
    seed: int = 0,
    val_fraction: float = 0.15,
    task: str | None = None,
    metric: str | None = None,
) -> Task:
    """The aeon-bundled set `name` (classification or regression, from its file) with
    its official train / test split; `DataNotFoundError` listing the sets otherwise."""
    names = aeon_datasets()
    if name not in names:
        raise DataNotFoundError(
            f"aeon ships no train/test set {name!r}; bundled: {', '.join(names)}"
        )
    x_train, y_train, classes = _read_ts(name, "TRAIN")
    x_test, y_test, _ = _read_ts(name, "TEST")
    target = "classes" if classes else "regression"
    if task is not None and task != ("classification" if classes else "regression"):
        raise ValueError(f"{name} is a {_word(target)} set; leave --task out")
    return series_task(
        name, x_train, y_train, x_test, y_test, target=target, seed=seed,
        val_fraction=val_fraction, metric=metric, source=f"aeon:{name}", split="official",
    )  # fmt: skip


def _word(target: str) -> str:
    return "classification" if target == "classes" else "regression"


def as_series(x, source: str) -> list[np.ndarray]:
    """Each example as a float (channels, length) array; (n, length) means one channel."""
    if isinstance(x, np.ndarray) and x.dtype != object:
        if x.ndim == 2:
            x = x[:, None, :]
        if x.ndim != 3:
            raise DataFormatError(
                f"{source}: series inputs must be (n, length) or (n, channels, length), "
                f"got shape {x.shape}"
            )
    examples = [np.asarray(e, dtype=np.float32) for e in x]
    for e in examples:
        if e.ndim != 2:
            raise DataFormatError(f"{source}: a series must be (channels, length), got {e.shape}")
    return examples


def pad_series(examples: list[np.ndarray], length: int) -> np.ndarray:
    """Stacked (n, channels, length), shorter series padded with their last value."""
    return np.stack(
        [np.pad(e, ((0, 0), (0, length - e.shape[1])), mode="edge") for e in examples]
    ).astype(np.float32)


def _val_split(y: np.ndarray, fraction: float, seed: int, stratify: bool) -> tuple:
    """Seeded (train, validation) indices of the official training part; stratified with
    at least one example per class when every class has two or more."""
    from sklearn.model_selection import train_test_split

    index = np.arange(len(y))
    count = max(1, math.ceil(fraction * len(y)))
    if stratify:
        counts = np.bincount(y)
        stratify = counts[counts > 0].min() >= 2 and len(y) - len(counts) >= len(counts)
        count = max(count, len(counts)) if stratify else count
    if count >= len(y):
        raise DataFormatError(f"too few training series ({len(y)}) to carve a validation split")
    return train_test_split(
        index, test_size=count, random_state=seed, stratify=y if stratify else None
    )


def series_task(
    name: str,
    x_train,
    y_train: np.ndarray,
    x_test=None,
    y_test: np.ndarray | None = None,
    *,
    target: str = "classes",
    seed: int = 0,
    val_fraction: float = 0.15,
    test_fraction: float = 0.15,
    metric: str | None = None,
    source: str | None = None,
    split: str = "given",
    label: str | None = None,
) -> Task:
    """A series `Task` from arrays or lists of (channels, length) examples. Without a test
    part one is split off (`test_fraction`, seeded). Unequal lengths are padded with each
    series' last value; inputs are standardised per channel with training statistics.
    `label` names the label column of a CSV, so predicting from one leaves it out."""
    source = source or name
    train_list = as_series(x_train, source)
    y_train = np.asarray(y_train)
    if x_test is None:
        from nasforge.tasks.splits import split_indices

        labels, classes = y_train, ()
        if target == "classes":
            labels, _, classes = encode_labels(y_train, None, source)
        rest, val, test = split_indices(
            labels, seed, val_fraction, test_fraction, source, target == "classes", classes
        )
        keep = np.sort(np.concatenate([rest, val]))  # validation is carved below
        test_list, y_test = [train_list[i] for i in test], y_train[test]
        train_list, y_train, split = [train_list[i] for i in keep], y_train[keep], "seeded"
        val_fraction = val_fraction / (1 - test_fraction)  # of the whole: 70 / 15 / 15
    else:
        test_list, y_test = as_series(x_test, source), np.asarray(y_test)
    channels = {e.shape[0] for e in train_list + test_list}
    if len(channels) != 1:
        raise DataFormatError(f"{source}: series have different channel counts {sorted(channels)}")
    lengths = [e.shape[1] for e in train_list + test_list]
    length = max(lengths)
    x_all, x_te = pad_series(train_list, length), pad_series(test_list, length)
    check_arrays(x_all, y_train, source, "training series")
    check_arrays(x_te, y_test, source, "test series")
    num_classes, class_names, scale = 0, (), (0.0, 1.0)
    if target == "classes":
        y_all, y_te, class_names = encode_labels(y_train, y_test, source)
        num_classes = len(class_names)
    else:
        y_all, y_te = y_train.astype(np.float64), y_test.astype(np.float64)
    train, val = _val_split(y_all, val_fraction, seed, target == "classes")
    if target == "regression":
        mean, std = float(y_all[train].mean()), float(y_all[train].std()) or 1.0
        scale = (mean, std)
        y_all = ((y_all - mean) / std).astype(np.float32)
        y_te = ((y_te - mean) / std).astype(np.float32)
    x_tr = x_all[train]
    standard = Standardiser.fit(x_tr)

    padded = "" if min(lengths) == length else f", lengths {min(lengths)}-{length} padded"
    note = (
        f"series: {train_list[0].shape[0]} channel(s) x {length} steps{padded}; "
        f"{len(train)} train + {len(val)} validation (seeded, from the training part), "
        f"{len(x_te)} test ({split} split); {_word(target)}"
    )
    return Task(
        name, (int(train_list[0].shape[0]), int(length)), num_classes,
        metric or DEFAULT_METRIC[target],
        x_train=standard(x_tr), y_train=y_all[train], x_val=standard(x_all[val]),
        y_val=y_all[val], x_test=standard(x_te), y_test=y_te, class_names=class_names,
        target=target, target_scale=scale, notes=(note,), kind="series",
        preprocessing={"inputs": {"standardise": standard.to_dict(), "label": label}},
    )  # fmt: skip
