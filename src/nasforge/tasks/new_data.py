"""New data for a finished run (`nasforge predict`), read as the run's task kind wants
it: a table's rows (.csv, .tsv, .parquet), images (a folder, searched recursively, one
image file, or a `.npz`), series (a `.npz`, a wide or long CSV, aeon's `.ts`) or token
ids (a `.npz`). A `.npz` holds `x` (else `x_test`, else `x_train`) and optionally the
matching `y`. What comes back: the raw inputs, identifiers per example and, when the
data carries them, the true labels."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from nasforge.errors import DataFormatError, DataNotFoundError
from nasforge.tasks.files import IMAGE_SUFFIXES, image_array, read_image, read_npz
from nasforge.tasks.tables import TABLE_SUFFIXES, read_table

NPZ_PAIRS = (("x", "y"), ("x_test", "y_test"), ("x_train", "y_train"))
ACCEPTED = {
    "table": ".csv, .tsv or .parquet table",
    "image": "folder of images, an image file or a .npz",
    "series": ".npz, .csv / .tsv (wide or long) or .ts file",
    "tokens": ".npz of token ids",
}


@dataclass
class NewData:
    """Raw inputs (a frame for tables, an array or a list of (channels, length) series
    otherwise), one row of `ids` per example (None: the run's default, see
    `TrainedRun.predict`), the labels if given, and notes."""

    inputs: pd.DataFrame | np.ndarray | list[np.ndarray]
    ids: pd.DataFrame | None = None
    truth: np.ndarray | None = None
    notes: list[str] = field(default_factory=list)


def read_new_data(path: str | Path, description: dict) -> NewData:
    """The examples in `path` for a run whose `preprocessing.json` is `description`; a
    DataNotFoundError or DataFormatError saying what is wrong."""
    path = Path(path).expanduser()
    kind = description["task"].get("kind") or "table"
    if not path.exists():
        raise DataNotFoundError(f"{path}: no such file or folder; give a {ACCEPTED[kind]}")
    suffix = path.suffix.lower()
    if kind == "image" and (path.is_dir() or suffix in IMAGE_SUFFIXES):
        return _images(path, description)
    if path.is_dir():
        raise DataFormatError(f"{path} is a folder; this {kind} run takes a {ACCEPTED[kind]}")
    if suffix == ".npz" and "table" not in description:  # a table's columns need names
        return _npz(path)
    if kind == "series" and suffix in (".csv", ".tsv"):
        return _series_table(path, description)
    if kind == "series" and suffix == ".ts":
        return _ts(path)
    if kind == "table" and suffix in TABLE_SUFFIXES:
        return _table(path, description)
    raise DataFormatError(f"{path}: unsupported file; this {kind} run takes a {ACCEPTED[kind]}")


def _npz(path: Path) -> NewData:
    arrays = read_npz(path, required=())
    x_key, y_key = next(((x, y) for x, y in NPZ_PAIRS if x in arrays), (None, None))
    if x_key is None:
        raise DataFormatError(
            f"{path}: no array x, x_test or x_train; found {', '.join(arrays) or 'none'}"
        )
    x, truth = arrays[x_key], arrays.get(y_key)
    notes = [] if x_key == "x" else [f"predicting {x_key} of {path.name}"]
    if truth is not None and len(truth) != len(x):
        notes.append(f"{y_key} has {len(truth)} entries for {len(x)} inputs: not scored")
        truth = None
    return NewData(x, None, truth, notes)


def _images(path: Path, description: dict) -> NewData:
    """Image files, converted and resized as the run's images were; labels from
    class-named sub-folders (`path/<class>/...`)."""
    channels, height, width = description["task"]["input_shape"]
    reading = description.get("inputs", {})
    mode = reading.get("image_mode", "L" if channels == 1 else "RGB")
    if channels != (1 if mode == "L" else 3):
        raise DataFormatError(
            f"{path}: this run's images have {channels} channels; image files give 1 or 3 "
            "(give a .npz of arrays instead)"
        )
    if path.is_dir():
        files = sorted(
            p for p in path.rglob("*")
            if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES
            and not any(part.startswith(".") for part in p.relative_to(path).parts)
        )  # fmt: skip
        if not files:
            raise DataFormatError(f"{path}: no image files ({', '.join(IMAGE_SUFFIXES)})")
        names = [p.relative_to(path).as_posix() for p in files]
    else:
        files, names = [path], [path.name]
    pictures = [read_image(file) for file in files]
    notes = []
    resized = sum(p.size != (width, height) for p in pictures)
    if resized:
        notes.append(f"{resized} image(s) resized to {width}x{height} as in training")
    x = image_array(pictures, mode, (width, height)) * reading.get("pixel_scale", 1 / 255)
    folders = [Path(n).parts[0] if len(Path(n).parts) > 1 else None for n in names]
    classes = set(description.get("class_names", ()))
    truth = np.array(folders) if all(f in classes for f in folders) else None
    if truth is not None:
        notes.append("labels taken from the class-named sub-folders")
    return NewData(x, pd.DataFrame({"file": names}), truth, notes)


def _series_table(path: Path, description: dict) -> NewData:
    """A wide CSV (one series per row; text columns kept as identifiers) or a long one
    (an `id` column); the run's label column, when present, gives the labels."""
    from nasforge.tasks.series_files import ID_COLUMNS, long_to_series, wide_rows

    frame = read_table(path).rename(columns=str)
    label = description.get("inputs", {}).get("label")
    label = label if label in frame.columns and frame[label].notna().all() else None
    id_column = next((c for c in frame.columns if c.lower() in ID_COLUMNS), None)
    if id_column is not None:
        series, truth, keys = long_to_series(frame, id_column, label, str(path))
        return NewData(series, pd.DataFrame({id_column: keys}), truth)
    values = frame.drop(columns=[label] if label else [])
    text = [c for c in values.columns if not pd.api.types.is_numeric_dtype(values[c])]
    notes = [f"text column(s) kept as identifiers: {', '.join(text)}"] if text else []
    ids = frame[text].reset_index(drop=True) if text else None
    truth = None if label is None else frame[label].to_numpy()
    return NewData(wide_rows(values.drop(columns=text)), ids, truth, notes)


def _ts(path: Path) -> NewData:
    """A `.ts` file of the UCR / UEA archive format (read by aeon), labels if it has them."""
    from aeon.datasets import load_from_ts_file

    try:
        x, y = load_from_ts_file(str(path))
    except (OSError, ValueError) as err:
        raise DataFormatError(f"{path}: not a readable .ts file ({err})") from None
    series = [np.asarray(e, np.float32) for e in x]
    truth = np.asarray(y) if y is not None and len(y) == len(series) else None
    return NewData(series, None, truth)


def _table(path: Path, description: dict) -> NewData:
    """A table's rows; the run's label column, when present and filled, gives the labels."""
    frame = read_table(path).rename(columns=str)
    label = description.get("label")
    truth = None
    if label in frame.columns and frame[label].notna().all():
        truth = frame[label].to_numpy()
    return NewData(frame, None, truth)
