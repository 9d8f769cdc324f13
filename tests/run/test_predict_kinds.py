"""`nasforge predict` / `load_run(...).predict` beyond tables: images (a .npz, a folder of
image files), series (aeon's .ts, a wide CSV) and tokens (a .npz); predicting a run's own
test data reproduces the test metrics the search reported, and bad data is one line."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from PIL import Image
from sklearn.datasets import load_digits
from typer.testing import CliRunner

import nasforge
from nasforge.cli import app
from nasforge.run.predict import predict_file
from nasforge.run.search import search

FAST = {"trials": 2, "epochs": 1, "threads": 1, "progress": False, "export": False}


def _close(scores: dict, reported: dict) -> None:
    assert scores.keys() == reported.keys()
    for key, value in reported.items():
        assert scores[key] == pytest.approx(value, abs=1e-6), key


@pytest.fixture(scope="module")
def digits_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("digits")
    raw = load_digits()
    x, y = np.round(raw.images * 255 / 16).astype(np.uint8), raw.target  # 8-bit pixels
    path = root / "digits.npz"
    np.savez(path, x_train=x[:900], y_train=y[:900], x_test=x[900:1100], y_test=y[900:1100])
    result = search(path, output_dir=root / "runs", confirm_top=2, confirm_folds=2, **FAST)
    return path, result


def test_image_run_predicts_its_test_arrays_and_image_files(digits_run, tmp_path):
    path, result = digits_run
    out = tmp_path / "arrays.csv"
    _, predictions = predict_file(result.run_dir, path, out)
    assert len(result.members) == 2  # an ensemble, rebuilt from the run directory
    assert "predicting x_test of digits.npz" in predictions.attrs["notes"]
    _close(predictions.attrs["scores"], result.test_metrics)
    written = pd.read_csv(out)
    assert list(written.columns[:2]) == ["index", "prediction"] and len(written) == 200
    # the same digits as PNG files in class folders
    folder = tmp_path / "pictures"
    with np.load(path) as arrays:
        x, y = arrays["x_test"][:40], arrays["y_test"][:40]
    for i in range(40):
        (folder / str(y[i])).mkdir(parents=True, exist_ok=True)
        Image.fromarray(x[i]).save(folder / str(y[i]) / f"{i}.png")
    ran = CliRunner().invoke(
        app, ["predict", str(result.run_dir), str(folder), "-o", str(tmp_path / "files.csv")]
    )
    assert ran.exit_code == 0, ran.output
    assert "labels taken from the class-named sub-folders" in ran.output
    assert "scored against the labels in" in ran.output and "accuracy" in ran.output
    files = pd.read_csv(tmp_path / "files.csv")
    assert files["file"].tolist() == sorted(f"{y[i]}/{i}.png" for i in range(40))
    index = [int(name.split("/")[1][:-4]) for name in files["file"]]
    same = written.iloc[index].reset_index(drop=True)
    assert np.allclose(files.iloc[:, 1:].drop(columns="prediction"), same.iloc[:, 2:], atol=1e-6)
    assert (files["prediction"] == same["prediction"]).all()
    big = tmp_path / "big.png"  # one image file, larger than the run's images
    Image.fromarray(x[0]).resize((32, 32)).save(big)
    _, one = predict_file(result.run_dir, big, tmp_path / "one.csv")
    assert one["file"].tolist() == ["big.png"]
    assert one.attrs["notes"] == ["1 image(s) resized to 8x8 as in training"]


def test_series_run_predicts_aeon_ts_and_a_wide_csv(tmp_path):
    pytest.importorskip("aeon")
    from nasforge.tasks.series import _aeon_data_dir

    result = search("aeon:GunPoint", output_dir=tmp_path, confirm_top=1, **FAST)
    test_file = _aeon_data_dir() / "GunPoint" / "GunPoint_TEST.ts"
    _, predictions = predict_file(result.run_dir, test_file, tmp_path / "p.csv")
    _close(predictions.attrs["scores"], result.test_metrics)
    # a wide CSV: a text name column kept, the series a few steps shorter (padded)
    steps = pd.DataFrame(result.task.x_test[:5, 0, :140] * 2.0 + 1.0)
    steps.insert(0, "name", [f"s{i}" for i in range(5)])
    steps.to_csv(tmp_path / "wide.csv", index=False)
    trained = nasforge.load_run(result.run_dir)
    _, wide = predict_file(result.run_dir, tmp_path / "wide.csv", tmp_path / "w.csv")
    assert wide["name"].tolist() == [f"s{i}" for i in range(5)]
    assert "text column(s) kept as identifiers: name" in wide.attrs["notes"]
    assert set(wide["prediction"]) <= set(trained.task.class_names)
    assert "scores" not in wide.attrs


def test_token_run_predicts_ids_per_position(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.integers(0, 5, size=(240, 12))
    y = (x >= 2).astype(np.int64)  # per position: is the id 2 or more
    path = tmp_path / "ids.npz"
    np.savez(path, x_train=x[:200], y_train=y[:200], x_test=x[200:], y_test=y[200:])
    result = search(f"tokens:{path}", output_dir=tmp_path / "runs", confirm_top=1, **FAST)
    _, predictions = predict_file(result.run_dir, path, tmp_path / "p.csv")
    _close(predictions.attrs["scores"], result.test_metrics)
    assert list(predictions.columns[:3]) == ["index", "position", "prediction"]
    assert len(predictions) == 40 * 12


def test_bad_new_data_is_one_line_and_writes_nothing(digits_run, tmp_path):
    _, result = digits_run
    wrong = tmp_path / "wrong.npz"
    np.savez(wrong, x=np.zeros((3, 7, 7), np.float32))
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    no_x = tmp_path / "no_x.npz"
    np.savez(no_x, pixels=np.zeros((3, 8, 8)))
    cases = {
        str(wrong): "inputs of shape (1, 7, 7); this image run takes (1, 8, 8)",
        str(text): "unsupported file; this image run takes a folder of images",
        str(no_x): "no array x, x_test or x_train; found pixels",
        str(tmp_path / "missing"): "no such file or folder",
    }
    out = tmp_path / "out.csv"
    for data, message in cases.items():
        ran = CliRunner().invoke(app, ["predict", str(result.run_dir), data, "-o", str(out)])
        assert ran.exit_code == 2, ran.output
        assert message in ran.output and len(ran.output.strip().splitlines()) == 1, ran.output
        assert not out.exists()
