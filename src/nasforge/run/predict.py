"""Apply a finished search to new data: `load_run(RUN).predict(data)` and `nasforge
predict RUN DATA -o predictions.csv`, for every task kind (tables, images, series,
tokens; see `nasforge.tasks.new_data` for the files each reads).

Everything comes from the run directory: `preprocessing.json` (plain JSON: the task,
the space and its settings, how raw data became inputs), `best_arch.json` (or
`ensemble.json`: the members of an ensemble) and `model.pt` (read with
`torch.load(weights_only=True)`, so no pickled code runs).
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from torch import nn

from nasforge.architecture import Architecture
from nasforge.errors import DataFormatError, DataNotFoundError
from nasforge.evaluators.training import network_outputs
from nasforge.registry import SPACES
from nasforge.run.directory import PREPROCESSING_FILE
from nasforge.run.ensemble import ENSEMBLE_FILE, build_ensemble, read_ensemble
from nasforge.tasks import Task
from nasforge.tasks.files import as_images
from nasforge.tasks.inputs import Standardiser
from nasforge.tasks.metrics import test_text
from nasforge.tasks.preprocess import TablePreprocessor

OUTPUT_SUFFIXES = (".csv", ".tsv", ".parquet")


class TrainedRun:
    """A run directory's trained model with what turns raw data into its inputs."""

    def __init__(self, directory: Path, description: dict, model: nn.Module) -> None:
        self.directory = directory
        self.description = description
        self.model = model
        self.task = _task(description)
        table = description.get("table")
        self.preprocessor = None if table is None else TablePreprocessor.from_dict(table)
        scaling = description.get("inputs", {}).get("standardise")
        self.standardise = None if scaling is None else Standardiser.from_dict(scaling)

    def predict(
        self,
        data: pd.DataFrame | np.ndarray | list[np.ndarray],
        source: str = "new data",
        ids: pd.DataFrame | None = None,
        truth: np.ndarray | None = None,
    ) -> pd.DataFrame:
        """One row per example (per position for per-position tokens): its `ids` (a
        table's ID-like columns by default, else `index`), `prediction` and, for classes,
        `probability_<class>`. `data` is a table's rows, or raw images (n, [channels,]
        height, width), series (n, [channels,] length) or token ids (n, length). Notes on
        what was ignored or imputed are in `attrs["notes"]`; with `truth` (labels in the
        task's own terms), the task's test metrics are in `attrs["scores"]`."""
        x, notes = self.network_inputs(data, source)
        decoded = self.task.decode(network_outputs(self.model, torch.from_numpy(x)))
        if ids is None:
            ids = self._default_ids(data, len(x))
        result = ids.reset_index(drop=True)
        if self.task.per_position:
            length = self.task.input_shape[0]
            result = result.loc[result.index.repeat(length)].reset_index(drop=True)
            result["position"] = np.tile(np.arange(length), len(x))
        if self.task.target == "classes":
            names = np.array(self.task.class_names)
            result["prediction"] = names[decoded.argmax(1)]
            for i, name in enumerate(names):
                result[f"probability_{name}"] = decoded[:, i]
        else:
            result["prediction"] = decoded
        result.attrs["notes"] = notes
        if truth is not None:
            stored, why = self._stored_truth(np.asarray(truth), len(x))
            if stored is None:
                notes.append(f"labels not scored: {why}")
            else:
                result.attrs["scores"] = self.task.scores(decoded, stored, "test_")
        return result

    def network_inputs(self, data, source: str = "new data") -> tuple[np.ndarray, list[str]]:
        """`data` as the network's inputs, transformed as the training data was, with
        notes on what was ignored or imputed; a DataFormatError on a mismatch."""
        if isinstance(data, pd.DataFrame) and self.preprocessor is not None:
            return self._table_inputs(data, source)
        kind, shape = self.task.kind, self.task.input_shape
        if isinstance(data, pd.DataFrame):  # a table run made from arrays: its numbers
            data = data.select_dtypes("number").to_numpy(np.float32)
        if kind == "series":
            x = _series_inputs(data, shape, source)
        else:
            x = as_images(np.asarray(data)) if kind == "image" else np.asarray(data)
            if x.ndim < 1 or len(x) == 0:
                raise DataFormatError(f"{source}: no examples to predict")
            if tuple(x.shape[1:]) != tuple(shape):
                raise DataFormatError(
                    f"{source}: inputs of shape {tuple(x.shape[1:])}; this {kind} run takes "
                    f"{tuple(shape)}"
                )
        if kind == "tokens":
            if not np.issubdtype(x.dtype, np.integer) or x.min() < 0:
                raise DataFormatError(f"{source}: token ids must be non-negative integers")
            if x.max() >= self.task.vocabulary:
                raise DataFormatError(
                    f"{source}: token id {int(x.max())} outside the run's vocabulary "
                    f"(0..{self.task.vocabulary - 1})"
                )
            return x.astype(np.int64), []
        if not np.issubdtype(x.dtype, np.number) or not np.isfinite(x).all():
            raise DataFormatError(f"{source}: inputs must be finite numbers")
        return (x.astype(np.float32) if self.standardise is None else self.standardise(x)), []

    def _table_inputs(self, frame: pd.DataFrame, source: str) -> tuple[np.ndarray, list[str]]:
        if len(frame) == 0:
            raise DataFormatError(f"{source}: no rows to predict")
        frame = frame.rename(columns=str)
        x, notes = self.preprocessor.transform(frame, source)
        used = {step["name"] for step in self.preprocessor.columns_}
        dropped = [c for cols in self.preprocessor.dropped_.values() for c in cols]
        extra = [c for c in frame.columns if c not in used and c not in dropped]
        extra = [c for c in extra if c != self.description["label"]]
        if extra:
            notes.insert(0, f"ignored column(s) the run does not use: {', '.join(extra)}")
        empty = int(sum(frame[c].isna().sum() for c in used if c in frame.columns))
        if empty:
            notes.append(f"{empty} empty cell(s) imputed as in training")
        return x, notes

    def _default_ids(self, data, count: int) -> pd.DataFrame:
        if isinstance(data, pd.DataFrame) and self.preprocessor is not None:
            present = [c for c in self.preprocessor.dropped_.get("id_like", []) if c in data]
            return data.rename(columns=str)[present]
        return pd.DataFrame({"index": np.arange(count)})

    def _stored_truth(self, truth: np.ndarray, count: int) -> tuple[np.ndarray | None, str]:
        """Labels as the task stores them (class indices, standardised targets), or None
        and why they cannot be scored."""
        if len(truth) != count:
            return None, f"{len(truth)} labels for {count} examples"
        if self.task.target == "regression":
            try:
                values = truth.astype(np.float64)
            except (TypeError, ValueError):
                return None, "regression labels must be numbers"
            mean, std = self.task.target_scale
            return ((values - mean) / std).astype(np.float32), ""
        if self.task.per_position:
            ok = np.issubdtype(truth.dtype, np.integer) and truth.shape[1:] == (
                self.task.input_shape[0],)  # fmt: skip
            return (truth.astype(np.int64), "") if ok else (None, "not per-position class ids")
        lookup = {name: i for i, name in enumerate(self.task.class_names)}
        indices = [_class_index(value, lookup) for value in truth.tolist()]
        unknown = sorted({str(v) for v, i in zip(truth.tolist(), indices) if i is None})
        if unknown:
            return None, f"label(s) {', '.join(unknown[:5])} are not among the run's classes"
        return np.array(indices, dtype=np.int64), ""


def _class_index(value, lookup: dict[str, int]) -> int | None:
    """The class index of a label as written in new data (`3`, `3.0` and `"3"` alike)."""
    candidates = [str(value)]
    if isinstance(value, float) and value.is_integer():
        candidates.append(str(int(value)))
    if isinstance(value, (int, np.integer)):
        candidates.append(str(float(value)))
    return next((lookup[c] for c in candidates if c in lookup), None)


def _series_inputs(data, shape: tuple[int, ...], source: str) -> np.ndarray:
    """Series padded to the run's length with their last value, as in training."""
    from nasforge.tasks.series import as_series, pad_series

    series = as_series(data, source)
    if not series:
        raise DataFormatError(f"{source}: no series to predict")
    channels, length = shape
    found = sorted({e.shape[0] for e in series})
    if found != [channels]:
        raise DataFormatError(
            f"{source}: series with {', '.join(map(str, found))} channel(s); this run takes "
            f"{channels}"
        )
    longest = max(e.shape[1] for e in series)
    if longest > length:
        raise DataFormatError(
            f"{source}: a series of {longest} steps; this run was trained on {length} (shorter "
            "ones are padded with their last value, longer ones are not cut)"
        )
    return pad_series(series, length)


def _task(description: dict) -> Task:
    task = description["task"]
    return Task(
        task["name"], tuple(task["input_shape"]), task["num_classes"], task["metric"],
        class_names=tuple(description["class_names"]), target=description["target"],
        target_scale=tuple(description["target_scale"]), kind=task.get("kind", "table"),
        vocabulary=task.get("vocabulary", 0), per_position=task.get("per_position", False),
    )  # fmt: skip


def load_run(directory: str | Path) -> TrainedRun:
    """The trained model of a search's run directory, ready to `predict`; a
    DataNotFoundError naming what is missing."""
    directory = Path(directory)
    files = [directory / n for n in (PREPROCESSING_FILE, "best_arch.json", "model.pt")]
    missing = [f.name for f in files if not f.is_file()]
    if not directory.is_dir() or missing:
        what = "no such run directory" if not directory.is_dir() else "lacks " + ", ".join(missing)
        raise DataNotFoundError(
            f"{directory}: {what}; predict needs the run directory of a search that trained "
            "its model on data (a one-shot search: with --retrain)"
        )
    try:
        description = json.loads(files[0].read_text())
        space_info = description["space"]
        settings = {
            k: tuple(v) if isinstance(v, list) else v for k, v in space_info["settings"].items()
        }
        space = SPACES.create(space_info["name"], **settings)
        members = directory / ENSEMBLE_FILE
        archs = (
            read_ensemble(members.read_text())
            if members.is_file()
            else [Architecture.from_json(files[1].read_text())]
        )
        run = TrainedRun(directory, description, nn.Identity())
    except (json.JSONDecodeError, KeyError, TypeError, ValueError) as err:
        raise DataFormatError(f"{files[0]}: not a nasforge run description ({err})") from None
    model = build_ensemble(space, archs, run.task)
    model.load_state_dict(torch.load(files[2], weights_only=True))
    model.eval()
    run.model = model
    return run


def check_output(path: str | Path) -> Path:
    """`path` if predictions can be written there (a known suffix, an existing folder);
    a ValueError or OSError saying what is wrong otherwise."""
    path = Path(path)
    if path.suffix.lower() not in OUTPUT_SUFFIXES:
        raise ValueError(f"{path}: unsupported output; accepted: {', '.join(OUTPUT_SUFFIXES)}")
    folder = path.absolute().parent
    if not folder.is_dir():
        raise NotADirectoryError(f"cannot write {path}: {folder} is not an existing folder")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise PermissionError(f"cannot write {path}: no permission to write into {folder}")
    return path


def write_predictions(frame: pd.DataFrame, path: Path) -> None:
    """Write `frame` to `path` through a temporary file, so a failure leaves nothing."""
    suffix = path.suffix.lower()
    handle, temporary = tempfile.mkstemp(suffix=suffix, dir=path.absolute().parent)
    os.close(handle)
    try:
        if suffix == ".parquet":
            frame.to_parquet(temporary, index=False)
        else:
            frame.to_csv(temporary, index=False, sep="\t" if suffix == ".tsv" else ",")
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def predict_file(
    run: str | Path, data: str | Path, output: str | Path
) -> tuple[Path, pd.DataFrame]:
    """Predict the examples in `data` (see `nasforge.tasks.new_data`) with the run `run`
    and write them to `output`; returns the path and the predictions (notes in
    `attrs["notes"]`, scores against labels the data carries in `attrs["scores"]`)."""
    from nasforge.tasks.new_data import read_new_data

    output = check_output(output)
    trained = load_run(run)
    new = read_new_data(data, trained.description)
    predictions = trained.predict(new.inputs, str(data), ids=new.ids, truth=new.truth)
    predictions.attrs["notes"][:0] = new.notes
    write_predictions(predictions, output)
    return output, predictions


def scores_line(predictions: pd.DataFrame) -> str | None:
    """`test accuracy 97.10%`-style text of the scores `predict` attached, if any."""
    scores = predictions.attrs.get("scores")
    return test_text(scores).replace("test ", "") if scores else None
