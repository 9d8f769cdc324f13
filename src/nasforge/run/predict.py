"""Apply a finished table search to new rows: `load_run(RUN).predict(frame)` and
`nasforge predict RUN new.csv -o predictions.csv`.

Everything comes from the run directory: `preprocessing.json` (plain JSON: the task,
the space and its settings, the fitted column steps), `best_arch.json` (or
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
from nasforge.tasks.preprocess import TablePreprocessor
from nasforge.tasks.tables import read_table

OUTPUT_SUFFIXES = (".csv", ".tsv", ".parquet")


class TrainedRun:
    """A run directory's retrained best network with its table preprocessing."""

    def __init__(self, directory: Path, description: dict, model: nn.Module) -> None:
        self.directory = directory
        self.description = description
        self.model = model
        self.task = _task(description)
        self.preprocessor = TablePreprocessor.from_dict(description["table"])

    def predict(self, frame: pd.DataFrame, source: str = "new rows") -> pd.DataFrame:
        """One row per row of `frame`: ID-like columns it carries, `prediction` and, for
        classes, `probability_<class>`. Columns the run does not use are ignored; a
        missing column or an unseen category is imputed as missing. What was ignored or
        imputed is listed in the result's `attrs["notes"]`."""
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
        with torch.no_grad():
            decoded = self.task.decode(network_outputs(self.model, torch.from_numpy(x)))
        ids = self.preprocessor.dropped_.get("id_like", [])
        result = frame[[c for c in ids if c in frame.columns]].reset_index(drop=True)
        if self.task.target == "classes":
            names = np.array(self.task.class_names)
            result["prediction"] = names[decoded.argmax(1)]
            for i, name in enumerate(names):
                result[f"probability_{name}"] = decoded[:, i]
        else:
            result["prediction"] = decoded
        result.attrs["notes"] = notes
        return result


def _task(description: dict) -> Task:
    task = description["task"]
    return Task(
        task["name"], tuple(task["input_shape"]), task["num_classes"], task["metric"],
        class_names=tuple(description["class_names"]), target=description["target"],
        target_scale=tuple(description["target_scale"]),
    )  # fmt: skip


def load_run(directory: str | Path) -> TrainedRun:
    """The trained model of a table search's run directory, ready to `predict`; a
    DataNotFoundError naming what is missing."""
    directory = Path(directory)
    files = [directory / n for n in (PREPROCESSING_FILE, "best_arch.json", "model.pt")]
    missing = [f.name for f in files if not f.is_file()]
    if not directory.is_dir() or missing:
        what = "no such run directory" if not directory.is_dir() else "lacks " + ", ".join(missing)
        raise DataNotFoundError(
            f"{directory}: {what}; predict needs the run directory of a finished search on a "
            "table (images are not supported)"
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
    except (json.JSONDecodeError, KeyError, TypeError) as err:
        raise DataFormatError(f"{files[0]}: not a nasforge run description ({err})") from None
    run = TrainedRun(directory, description, nn.Identity())
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
    """Predict the rows of table `data` with the run `run` and write them to `output`;
    returns the path and the predictions (notes in `attrs["notes"]`)."""
    output = check_output(output)
    trained = load_run(run)
    data = Path(data)
    if not data.is_file():
        raise DataNotFoundError(f"{data}: no such file")
    predictions = trained.predict(read_table(data), str(data))
    write_predictions(predictions, output)
    return output, predictions
