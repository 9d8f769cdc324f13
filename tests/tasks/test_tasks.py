from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from nasforge.errors import DataFormatError, DataNotFoundError
from nasforge.tasks import load_task


def test_digits_is_the_default_and_splits_are_seeded_and_stratified():
    a, b, c = load_task(), load_task(seed=0), load_task(seed=1)
    assert a.name == "digits" and a.input_shape == (1, 8, 8) and a.num_classes == 10
    assert np.array_equal(a.x_train, b.x_train) and not np.array_equal(a.x_train, c.x_train)
    assert sum(a.split_sizes().values()) == 1797
    train = np.bincount(a.y_train) / len(a.y_train)
    test = np.bincount(a.y_test) / len(a.y_test)
    assert np.abs(train - test).max() < 0.02
    assert abs(float(a.x_train.mean())) < 1e-4  # standardised with training statistics


@pytest.mark.parametrize(
    ("name", "shape", "classes"), [("breast_cancer", (30,), 2), ("wine", (13,), 3)]
)
def test_bundled_tabular_tasks(name, shape, classes):
    task = load_task(name)
    assert task.input_shape == shape and task.num_classes == classes
    assert task.x_val.dtype == np.float32 and task.y_val.dtype == np.int64


def _table(n=60, seed=0):
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(rng.normal(size=(n, 4)), columns=list("abcd"))
    frame["species"] = np.where(frame["a"] > 0, "cat", "dog")
    return frame


def test_csv_with_string_labels_and_named_column(tmp_path):
    path = tmp_path / "pets.csv"
    _table().to_csv(path, index=False)
    task = load_task(path, label_column="species")
    assert task.input_shape == (4,) and task.class_names == ("cat", "dog")
    task = load_task(path)  # last column is the label by default
    assert task.num_classes == 2


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda f: f.assign(b=np.where(f.index == 3, np.inf, f["b"])), "'b' row 4 is infinite"),
        (lambda f: f.assign(species="cat"), "at least 2 classes"),
        (
            lambda f: f.assign(c=f["c"].astype(object).where(f.index != 5, "oops")),
            "column 'c' mixes numbers and text: row 6 holds 'oops'",
        ),
        (lambda f: f.iloc[:, :1], "at least one feature column"),
    ],
)
def test_bad_csv_names_file_and_problem(tmp_path, mutate, message):
    path = tmp_path / "bad.csv"
    mutate(_table()).to_csv(path, index=False)
    with pytest.raises(DataFormatError, match=message) as info:
        load_task(path)
    assert "bad.csv" in str(info.value)


def test_csv_unknown_label_column(tmp_path):
    path = tmp_path / "pets.csv"
    _table().to_csv(path, index=False)
    with pytest.raises(DataFormatError, match="no label column 'kind'"):
        load_task(path, label_column="kind")


def test_npz_channels_last_images_with_test_split(tmp_path):
    rng = np.random.default_rng(0)
    path = tmp_path / "imgs.npz"
    np.savez(
        path,
        x_train=rng.random((40, 6, 6, 3)),
        y_train=np.arange(40) % 4,
        x_test=rng.random((8, 6, 6, 3)),
        y_test=np.arange(8) % 4,
    )
    task = load_task(path)
    assert task.input_shape == (3, 6, 6) and task.split_sizes() == {
        "train": 34,
        "val": 6,
        "test": 8,
    }


@pytest.mark.parametrize(
    ("arrays", "message"),
    [
        ({"x_train": np.zeros((10, 3)), "y_train": np.arange(9) % 2}, "10 inputs but 9 labels"),
        ({"x_train": np.zeros((10, 3))}, "missing array"),
        (
            {
                "x_train": np.zeros((10, 3)),
                "y_train": np.arange(10) % 2,
                "x_test": np.zeros((4, 3)),
                "y_test": np.array([0, 1, 2, 1]),
            },
            "do not occur",
        ),
        (
            {
                "x_train": np.zeros((10, 3)),
                "y_train": np.arange(10) % 2,
                "x_test": np.zeros((4, 5)),
                "y_test": np.array([0, 1, 0, 1]),
            },
            "test inputs have shape",
        ),
        ({"x_train": np.full((10, 3), np.inf), "y_train": np.arange(10) % 2}, "NaN or infinite"),
    ],
)
def test_bad_npz(tmp_path, arrays, message):
    path = tmp_path / "bad.npz"
    np.savez(path, **arrays)
    with pytest.raises(DataFormatError, match=message):
        load_task(path)


def _image_folder(root, classes=("circle", "square"), per_class=6, size=(10, 12)):
    rng = np.random.default_rng(0)
    for name in classes:
        (root / name).mkdir(parents=True)
        for i in range(per_class):
            pixels = (rng.random((*size[::-1], 3)) * 255).astype(np.uint8)
            Image.fromarray(pixels).save(root / name / f"{i}.png")
    return root


def test_image_folder(tmp_path):
    task = load_task(_image_folder(tmp_path / "shapes"))
    assert task.input_shape == (3, 12, 10) and task.class_names == ("circle", "square")


def test_image_folder_errors(tmp_path):
    root = _image_folder(tmp_path / "shapes")
    (root / "notes.txt").write_text("a file beside the class folders is ignored")
    (root / "square" / "readme.txt").write_text("not an image")
    with pytest.raises(DataFormatError, match=r"readme\.txt: not an image"):
        load_task(root)
    (root / "square" / "readme.txt").unlink()
    (root / "triangle").mkdir()
    with pytest.raises(DataFormatError, match="triangle: empty class folder"):
        load_task(root)
    with pytest.raises(DataFormatError, match="no class sub-folders"):
        load_task(tmp_path / "shapes" / "circle")


def _cifar10(root, n=20):
    root.mkdir()
    rng = np.random.default_rng(0)
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        batch = {b"data": rng.integers(0, 256, (n, 3072), dtype=np.uint8),
                 b"labels": (np.arange(n) % 10).tolist()}  # fmt: skip
        with open(root / name, "wb") as handle:
            pickle.dump(batch, handle)
    return root


def test_cifar_python_batches(tmp_path):
    task = load_task(_cifar10(tmp_path / "cifar-10-batches-py"))
    assert task.name == "cifar10" and task.input_shape == (3, 32, 32)
    assert task.split_sizes()["test"] == 20 and task.num_classes == 10


class _Exploit:
    def __reduce__(self):
        import os

        return (os.system, ("echo pwned",))


def test_cifar_loader_refuses_arbitrary_objects(tmp_path):
    root = _cifar10(tmp_path / "cifar-10-batches-py")
    with open(root / "data_batch_3", "wb") as handle:
        pickle.dump({b"data": _Exploit(), b"labels": []}, handle)
    with pytest.raises(DataFormatError, match=r"data_batch_3.*refusing to load"):
        load_task(root)


def test_missing_source_says_what_is_accepted(tmp_path):
    with pytest.raises(DataNotFoundError, match="digits, breast_cancer, wine"):
        load_task(tmp_path / "nothing.csv")
    (tmp_path / "data.json").write_text("{}")
    with pytest.raises(ValueError, match="unsupported data file"):
        load_task(tmp_path / "data.json")
