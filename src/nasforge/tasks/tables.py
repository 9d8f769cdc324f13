"""Tabular tasks from the user's files (CSV, TSV, Parquet) or DataFrames: read the table,
refuse bad input with one line naming the file, column or row, choose classification or
regression from the label, split, and preprocess on the training rows only.

Target rule: a label holding text or booleans is a class label; a numeric label is a
class label when all its values are whole numbers and there are at most
`MAX_CLASS_VALUES` distinct values, otherwise a regression target. `task=` overrides it.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd

from nasforge.errors import DataFormatError
from nasforge.tasks.base import Task
from nasforge.tasks.metrics import DEFAULT_METRIC
from nasforge.tasks.preprocess import TablePreprocessor, as_text, is_text
from nasforge.tasks.splits import check_fractions, encode_labels, split_indices

TEXT_SUFFIXES = {".csv": ",", ".tsv": "\t", ".tab": "\t"}
PARQUET_SUFFIXES = (".parquet", ".pq")
TABLE_SUFFIXES = (*TEXT_SUFFIXES, *PARQUET_SUFFIXES)
TASK_KINDS = ("classification", "regression")
MAX_CLASS_VALUES = 20


def _check_text_file(path: Path, separator: str) -> None:
    """A DataFormatError for binary content or rows whose field count differs from the
    header's."""
    with open(path, "rb") as handle:
        if b"\x00" in handle.read(65536):
            raise DataFormatError(
                f"{path}: not a text file (binary content); give a CSV, TSV or Parquet table"
            )
    try:
        with open(path, newline="", encoding="utf-8") as handle:
            rows = csv.reader(handle, delimiter=separator)
            header = next(rows, None)
            if header is None:
                raise DataFormatError(f"{path}: the file is empty")
            for number, row in enumerate(rows, start=1):
                if row and len(row) != len(header):
                    raise DataFormatError(
                        f"{path}: row {number} has {len(row)} fields, the header has "
                        f"{len(header)} (rows counted from 1 after the header)"
                    )
    except UnicodeDecodeError as err:
        raise DataFormatError(
            f"{path}: not UTF-8 text ({err.reason} at byte {err.start})"
        ) from None
    except csv.Error as err:
        raise DataFormatError(f"{path}: not a readable table ({err})") from None


def read_table(path: str | Path) -> pd.DataFrame:
    """The table at `path` (.csv, .tsv / .tab, .parquet / .pq) as a DataFrame; a
    DataFormatError naming the file for anything unreadable."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in PARQUET_SUFFIXES:
        try:
            return pd.read_parquet(path)
        except ImportError:
            raise ImportError(
                "reading Parquet needs pyarrow: pip install 'nasforge[tables]'"
            ) from None
        except (OSError, ValueError) as err:
            raise DataFormatError(f"{path}: not a readable Parquet file ({err})") from None
    if suffix not in TEXT_SUFFIXES:
        raise DataFormatError(f"{path}: unsupported table; accepted: {', '.join(TABLE_SUFFIXES)}")
    _check_text_file(path, TEXT_SUFFIXES[suffix])
    try:
        frame = pd.read_csv(path, sep=TEXT_SUFFIXES[suffix], skipinitialspace=True)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as err:
        raise DataFormatError(f"{path}: not a readable table ({err})") from None
    if frame.empty:
        raise DataFormatError(f"{path}: the table has no rows")
    return frame


def check_columns(frame: pd.DataFrame, source: str) -> None:
    """A DataFormatError for an all-empty column, a number column holding text (or text
    holding mostly numbers), or an infinite value, naming the column and first row."""
    for name in frame.columns:
        series = frame[name]
        if series.isna().all():
            raise DataFormatError(f"{source}: column {name!r} is empty in every row")
        if not is_text(series):
            values = series.to_numpy(np.float64, na_value=np.nan)
            infinite = np.isinf(values)
            if infinite.any():
                row = int(np.flatnonzero(infinite)[0])
                raise DataFormatError(
                    f"{source}: column {name!r} row {row + 1} is infinite ({values[row]})"
                )
            continue
        present = series.dropna()
        if pd.api.types.is_bool_dtype(present) or len(present) == 0:
            continue
        numbers = pd.to_numeric(as_text(present), errors="coerce")
        share = float(numbers.notna().mean())
        if 0.5 <= share < 1.0:
            position = int(np.flatnonzero(numbers.isna().to_numpy())[0])
            row = frame.index.get_loc(present.index[position])
            raise DataFormatError(
                f"{source}: column {name!r} mixes numbers and text: row {row + 1} holds "
                f"{present.iloc[position]!r} among numbers; fix the cell or leave it empty"
            )


def detect_target(label: pd.Series) -> tuple[str, str]:
    """`("classes" | "regression", why)` by the module's target rule."""
    if is_text(label):
        return "classes", "holds text"
    values = label.to_numpy(np.float64)
    distinct = len(np.unique(values))
    whole = bool(np.all(values == np.round(values)))
    if whole and distinct <= MAX_CLASS_VALUES:
        return "classes", f"holds {distinct} distinct whole numbers (at most {MAX_CLASS_VALUES})"
    if not whole:
        return "regression", "holds numbers that are not whole"
    return "regression", f"holds {distinct} distinct numbers (more than {MAX_CLASS_VALUES})"


def table_task(
    frame: pd.DataFrame,
    name: str,
    label_column: str | None = None,
    task: str | None = None,
    metric: str | None = None,
    seed: int = 0,
    val_fraction: float = 0.15,
    test_fraction: float = 0.15,
    source: str | None = None,
) -> Task:
    """A tabular `Task` from `frame`: the label is `label_column` (default `label`, else
    the last column); `task` ("classification" / "regression") overrides the target
    rule; the preprocessing is fitted on the training split and kept as plain JSON."""
    source = source or name
    check_fractions(val_fraction, test_fraction)
    frame = frame.rename(columns=str)
    if frame.shape[1] < 2:
        raise DataFormatError(f"{source}: needs at least one feature column and a label column")
    label = label_column or ("label" if "label" in frame.columns else frame.columns[-1])
    if label not in frame.columns:
        raise DataFormatError(
            f"{source}: no label column {label!r}; columns: {', '.join(frame.columns)}"
        )
    if task is not None and task not in TASK_KINDS:
        raise ValueError(f"unknown task {task!r}; accepted: {', '.join(TASK_KINDS)}")
    check_columns(frame, source)
    y_raw = frame[label]
    if y_raw.isna().any():
        row = int(np.flatnonzero(y_raw.isna().to_numpy())[0])
        raise DataFormatError(f"{source}: label column {label!r} is empty in row {row + 1}")
    target, why = detect_target(y_raw)
    rule = f"label {label!r} {why}"
    if task is not None:
        wanted = "classes" if task == "classification" else "regression"
        if wanted == "regression" and is_text(y_raw):
            raise DataFormatError(
                f"{source}: --task regression needs a numeric label; {label!r} holds text"
            )
        rule = f"chosen with task={task}; by the rule it would be {_kind(target)} ({rule})"
        target = wanted
    else:
        other = "regression" if target == "classes" else "classification"
        rule += f"; --task {other} overrides"
    features = frame.drop(columns=[label])
    if target == "classes":
        # numeric classes sort by value, text ones alphabetically
        values = as_text(y_raw).to_numpy() if is_text(y_raw) else y_raw.to_numpy()
        y, _, class_names = encode_labels(values, None, source)
        num_classes = len(class_names)
    else:
        y, class_names, num_classes = y_raw.to_numpy(np.float64), (), 0
    train, val, test = split_indices(
        y, seed, val_fraction, test_fraction, source, target == "classes", class_names
    )
    prep = TablePreprocessor().fit(features.iloc[train], source)
    inputs = [prep.transform(features.iloc[rows], source)[0] for rows in (train, val, test)]
    scale = (0.0, 1.0)
    if target == "regression":
        mean, std = float(y[train].mean()), float(y[train].std()) or 1.0
        scale, y = (mean, std), ((y - mean) / std).astype(np.float32)
    summary = prep.summary(len(train))
    description = {
        "label": label, "target_rule": rule, "features": prep.features_,
        "table": prep.to_dict(), "summary": summary,
    }  # fmt: skip
    return Task(
        name, (inputs[0].shape[1],), num_classes, metric or DEFAULT_METRIC[target],
        x_train=inputs[0], y_train=y[train], x_val=inputs[1], y_val=y[val],
        x_test=inputs[2], y_test=y[test], class_names=class_names, target=target,
        target_scale=scale, preprocessing=description,
        notes=(f"task: {_kind(target)} ({rule})", f"table: {summary}"),
    )  # fmt: skip


def _kind(target: str) -> str:
    return "classification" if target == "classes" else "regression"


def load_table(path: Path, label_column: str | None = None, **options) -> Task:
    """A tabular task from a CSV, TSV or Parquet file (see `table_task`)."""
    return table_task(read_table(path), path.stem, label_column, source=str(path), **options)
