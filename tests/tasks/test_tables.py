"""Tables as they come: target rule, column preprocessing fitted on training rows only,
CSV / TSV / Parquet, and one-line errors naming file, column or row."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from nasforge.errors import DataFormatError
from nasforge.tasks import load_task
from nasforge.tasks.preprocess import TablePreprocessor
from nasforge.tasks.tables import detect_target, table_task
from nasforge.testing.tables import messy_table


@pytest.fixture(scope="module")
def messy():
    return messy_table("breast_cancer", rows=300, seed=0)


def test_messy_table_has_what_the_tests_need(messy):
    assert messy.columns[0] == "diagnosis" and len(messy) == 300
    text = [c for c in messy.columns if c.endswith(("_grade", "_band"))]
    assert len(text) == 2
    features = messy.drop(columns=["diagnosis", "sample_id", "site"])
    assert 0.03 < features.isna().to_numpy().mean() < 0.07


def test_target_rule():
    assert detect_target(pd.Series(["a", "b"]))[0] == "classes"
    assert detect_target(pd.Series([0, 1, 2, 1]))[0] == "classes"
    assert detect_target(pd.Series([0.5, 1.0, 2.0]))[0] == "regression"
    many, why = detect_target(pd.Series(range(21)))
    assert many == "regression" and "more than 20" in why


def test_messy_csv_becomes_a_task_with_its_preprocessing(tmp_path, messy):
    path = tmp_path / "clinic.csv"
    messy.to_csv(path, index=False)
    task = load_task(path, label_column="diagnosis", seed=1)
    assert task.target == "classes" and task.class_names == ("benign", "malignant")
    assert task.kind == "table" and load_task("digits").kind == "image"
    assert task.notes[0].startswith("task: classification (label 'diagnosis' holds text")
    assert "dropped constant: site" in task.notes[1] and "ID-like: sample_id" in task.notes[1]
    info = json.loads(json.dumps(task.preprocessing))  # plain JSON
    kinds = {c["name"]: c["kind"] for c in info["table"]["columns"]}
    grade = next(c for c in messy.columns if c.endswith("_grade"))
    band = next(c for c in messy.columns if c.endswith("_band"))
    assert kinds[grade] == "onehot" and kinds[band] == "ordinal"  # 4 levels, 15 levels
    assert "sample_id" not in kinds and "site" not in kinds
    assert task.input_shape == (len(info["features"]),)
    for x in (task.x_train, task.x_val, task.x_test):
        assert x.dtype == np.float32 and np.isfinite(x).all()
    assert np.allclose(task.x_train.mean(axis=0), 0, atol=1e-5)  # training statistics


def test_preprocessing_is_fitted_on_the_training_rows_only():
    train = pd.DataFrame({"n": [1.0, 2.0, np.nan, 4.0], "c": ["x", "y", "x", None]})
    prep = TablePreprocessor().fit(train)
    steps = {s["name"]: s for s in prep.columns_}
    assert steps["n"]["fill"] == 2.0 and steps["n"]["indicator"]
    assert steps["c"]["levels"] == ["x", "y"] and steps["c"]["indicator"]
    new = pd.DataFrame({"n": [100.0], "c": ["z"], "other": [1]})
    x, notes = prep.transform(new)
    again, _ = TablePreprocessor.from_dict(json.loads(json.dumps(prep.to_dict()))).transform(new)
    assert np.array_equal(x, again) and any("not seen in training (z)" in n for n in notes)
    assert prep.features_ == ["n", "n_missing", "c=x", "c=y", "c_missing"]


def test_regression_target_is_standardised_and_metric_directions_follow(tmp_path):
    task = load_task("diabetes")
    assert task.target == "regression" and task.num_classes == 0 and task.outputs == 1
    assert task.metric == "rmse" and not task.objective.maximize
    assert abs(float(task.y_train.mean())) < 1e-5
    assert task.truth(task.y_test).min() >= 25  # back in the target's units
    frame = pd.DataFrame({"a": np.arange(40.0), "y": np.arange(40) % 3})
    assert table_task(frame, "t", "y").target == "classes"
    forced = table_task(frame, "t", "y", task="regression", metric="mae")
    assert forced.target == "regression" and "chosen with task=regression" in forced.notes[0]


def test_tsv_and_parquet_read_like_csv(tmp_path, messy):
    messy.to_csv(tmp_path / "t.tsv", sep="\t", index=False)
    messy.to_parquet(tmp_path / "t.parquet", index=False)
    a = load_task(tmp_path / "t.tsv", label_column="diagnosis")
    b = load_task(tmp_path / "t.parquet", label_column="diagnosis")
    assert a.input_shape == b.input_shape and np.allclose(a.x_train, b.x_train, atol=1e-5)


def _write(tmp_path, text: str, name: str = "bad.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("text", "options", "message"),
    [
        ("a,b,y\n1,2,x\n3,4,z\n", {"label_column": "kind"}, "no label column 'kind'; columns: a"),
        ("a,b,y\n1,2,x\n3,4,x\n5,6,x\n", {}, "at least 2 classes"),
        ("a,b,y\n1,,x\n3,,z\n5,,x\n", {}, "column 'b' is empty in every row"),
        ("a,b,y\n1,2,x\n3,oops,z\n5,6,x\n", {}, "column 'b' mixes numbers and text: row 2"),
        ("a,b,y\n1,2,x\n3,4,z,9\n5,6,x\n", {}, "row 2 has 4 fields, the header has 3"),
        ("a,b,y\n1,2,x\n3,4\n5,6,x\n", {}, "row 2 has 2 fields"),
        ("a,b,y\n1,2,x\n3,4,\n5,6,z\n", {}, "label column 'y' is empty in row 2"),
        ("a,b,y\n1,2,x\n3,4,z\n", {"task": "regression"}, "needs a numeric label"),
        ("a,b,y\n1,2,x\n3,4,x\n5,6,z\n", {}, "class 'z' has a single example"),
    ],
)
def test_bad_tables_name_file_column_or_row(tmp_path, text, options, message):
    path = _write(tmp_path, text)
    with pytest.raises(DataFormatError, match=message) as info:
        load_task(path, **options)
    assert str(path) in str(info.value) and "\n" not in str(info.value)


def test_binary_file_is_refused(tmp_path):
    path = tmp_path / "data.csv"
    path.write_bytes(b"PK\x03\x04\x00\x00binary")
    with pytest.raises(DataFormatError, match="not a text file"):
        load_task(path)
    path = tmp_path / "data.parquet"
    path.write_bytes(b"not parquet at all")
    with pytest.raises(DataFormatError, match="not a readable Parquet file"):
        load_task(path)


def test_metric_must_fit_the_target():
    with pytest.raises(ValueError, match="metric 'rmse' does not apply to classes"):
        load_task("wine", metric="rmse")
    assert load_task("wine", metric="f1_macro").objective_key == "val_f1_macro"
