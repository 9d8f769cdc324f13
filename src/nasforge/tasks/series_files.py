"""The user's own series, named `series:<file>`: a `.npz` (x_train (n, length) or (n,
channels, length), y_train, optionally x_test, y_test) or a CSV, either wide (one series
per row: the label column, then one column per time step) or long (an `id` column: one
row per time step, every other numeric column a channel, an optional `time` column to
order by, the label constant per id)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from nasforge.errors import DataFormatError
from nasforge.tasks.base import Task
from nasforge.tasks.files import read_npz
from nasforge.tasks.series import series_task

ID_COLUMNS = ("id", "series_id")
TIME_COLUMNS = ("time", "timestamp", "step", "t")


def _target(y: np.ndarray, task: str | None, source: str) -> str:
    """classes or regression by the table rule (`nasforge.tasks.tables.detect_target`),
    or as `task` says."""
    from nasforge.tasks.tables import TASK_KINDS, detect_target

    if task is not None:
        if task not in TASK_KINDS:
            raise ValueError(f"unknown task {task!r}; accepted: {', '.join(TASK_KINDS)}")
        if task == "regression" and not np.issubdtype(np.asarray(y).dtype, np.number):
            raise DataFormatError(f"{source}: --task regression needs numeric labels")
        return "classes" if task == "classification" else "regression"
    return detect_target(pd.Series(np.asarray(y)))[0]


def load_series_npz(
    path: Path, task: str | None = None, metric: str | None = None, **split
) -> Task:
    """A series task from a `.npz` (see the module docstring)."""
    arrays = read_npz(path)
    if ("x_test" in arrays) != ("y_test" in arrays):
        raise DataFormatError(f"{path}: give both x_test and y_test, or neither")
    y = arrays["y_train"]
    return series_task(
        path.stem, arrays["x_train"], y, arrays.get("x_test"), arrays.get("y_test"),
        target=_target(y, task, str(path)), metric=metric, source=str(path), **split,
    )  # fmt: skip


def long_to_series(
    frame: pd.DataFrame, id_column: str, label: str | None, source: str
) -> tuple[list[np.ndarray], np.ndarray | None, list]:
    """One (channels, steps) array, label (when `label` names a column) and id per id, in
    order of first appearance."""
    time = next((c for c in frame.columns if c.lower() in TIME_COLUMNS), None)
    channels = [c for c in frame.columns if c not in (id_column, label, time)]
    bad = [c for c in channels if not pd.api.types.is_numeric_dtype(frame[c])]
    if bad or not channels:
        named = ", ".join(repr(c) for c in (id_column, label, time) if c)
        raise DataFormatError(
            f"{source}: long format needs numeric channel columns besides {named}; "
            + (f"{', '.join(bad)} hold text" if bad else "found none")
        )
    examples, labels, keys = [], [], []
    for key, rows in frame.groupby(id_column, sort=False):
        if label is not None and rows[label].nunique(dropna=False) != 1:
            raise DataFormatError(f"{source}: series {key!r} has more than one label")
        if time is not None:
            rows = rows.sort_values(time, kind="stable")
        examples.append(rows[channels].to_numpy(np.float32).T)
        labels.append(None if label is None else rows[label].iloc[0])
        keys.append(key)
    return examples, None if label is None else np.asarray(labels), keys


def load_series_csv(
    path: Path,
    label_column: str | None = None,
    task: str | None = None,
    metric: str | None = None,
    **split,
) -> Task:
    """A series task from a wide or long CSV (see the module docstring)."""
    from nasforge.tasks.tables import read_table

    frame = read_table(path).rename(columns=str)
    source = str(path)
    id_column = next((c for c in frame.columns if c.lower() in ID_COLUMNS), None)
    label = label_column or ("label" if "label" in frame.columns else None)
    if label is None:
        label = frame.columns[-1] if id_column else frame.columns[0]
    if label not in frame.columns:
        raise DataFormatError(f"{source}: no label column {label!r}; columns: "
                              f"{', '.join(frame.columns)}")  # fmt: skip
    if frame[label].isna().any():
        row = int(np.flatnonzero(frame[label].isna().to_numpy())[0])
        raise DataFormatError(f"{source}: label column {label!r} is empty in row {row + 1}")
    if id_column is not None:
        x, y, _ = long_to_series(frame, id_column, label, source)
    else:
        values = frame.drop(columns=[label])
        bad = [c for c in values.columns if not pd.api.types.is_numeric_dtype(values[c])]
        if bad:
            raise DataFormatError(
                f"{source}: wide format wants one number per time step; {', '.join(bad)} "
                "hold text (a long table needs an 'id' column)"
            )
        x, y = wide_rows(values), frame[label].to_numpy()
    return series_task(
        path.stem, x, y, target=_target(y, task, source), metric=metric, source=source,
        label=label, **split,
    )  # fmt: skip


def wide_rows(values: pd.DataFrame) -> list[np.ndarray]:
    """One (1, steps) series per row of numeric `values`, without its trailing empty
    cells (a shorter series)."""
    rows = []
    for row in values.to_numpy(np.float32):
        present = np.flatnonzero(~np.isnan(row))
        rows.append((row[: present[-1] + 1] if len(present) else row)[None, :])
    return rows
