"""Series tasks: aeon's bundled archive sets with their official split, the user's .npz
and CSV series (wide and long), and the task kinds that pick a space."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from nasforge.errors import DataFormatError, DataNotFoundError
from nasforge.spaces import default_space, get_space
from nasforge.tasks import Task, load_task

pytest.importorskip("aeon")


@pytest.fixture(scope="module")
def gunpoint() -> Task:
    return load_task("aeon:GunPoint", seed=0)


def test_gunpoint_keeps_the_official_test_split_and_carves_validation(gunpoint):
    assert gunpoint.kind == "series" and gunpoint.input_shape == (1, 150)
    assert gunpoint.split_sizes() == {"train": 42, "val": 8, "test": 150}
    assert set(gunpoint.y_val.tolist()) == {0, 1}  # stratified
    other = load_task("aeon:GunPoint", seed=1)
    assert np.array_equal(other.y_test, gunpoint.y_test)
    assert not np.array_equal(other.x_val, gunpoint.x_val)
    train = np.concatenate([gunpoint.x_train, gunpoint.x_val])
    assert abs(float(gunpoint.x_train.mean())) < 1e-4 and train.dtype == np.float32
    assert "150 test (official split)" in gunpoint.notes[0]


def test_multivariate_unequal_and_regression_sets():
    motions = load_task("aeon:BasicMotions")
    assert motions.input_shape == (6, 100) and motions.num_classes == 4
    vowels = load_task("aeon:JapaneseVowels")
    assert vowels.input_shape == (12, 29) and "lengths 7-29 padded" in vowels.notes[0]
    sentiment = load_task("aeon:CardanoSentiment")
    assert sentiment.target == "regression" and sentiment.metric == "rmse"
    assert sentiment.num_classes == 0 and sentiment.target_scale[1] > 0
    with pytest.raises(ValueError, match="regression set; leave --task out"):
        load_task("aeon:CardanoSentiment", task="classification")


def test_unknown_aeon_name_lists_the_bundled_sets():
    with pytest.raises(DataNotFoundError, match=r"bundled: .*GunPoint.*ItalyPowerDemand"):
        load_task("aeon:GunPoynt")


def test_series_npz_univariate_and_multivariate(tmp_path, gunpoint):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(60, 3, 20)).astype(np.float32)
    y = np.repeat([0, 1, 2], 20)
    np.savez(tmp_path / "three.npz", x_train=x, y_train=y)
    task = load_task(f"series:{tmp_path / 'three.npz'}")
    assert task.kind == "series" and task.input_shape == (3, 20)
    assert sum(task.split_sizes().values()) == 60 and task.num_classes == 3
    np.savez(tmp_path / "uni.npz", x_train=x[:, 0], y_train=y, x_test=x[:9, 0], y_test=y[:9])
    uni = load_task(f"series:{tmp_path / 'uni.npz'}")
    assert uni.input_shape == (1, 20) and uni.split_sizes()["test"] == 9
    np.savez(tmp_path / "reg.npz", x_train=x, y_train=rng.normal(size=60))
    assert load_task(f"series:{tmp_path / 'reg.npz'}").target == "regression"
    np.savez(tmp_path / "bad.npz", x_train=x[:, 0, 0], y_train=y)
    with pytest.raises(DataFormatError, match="series inputs must be"):
        load_task(f"series:{tmp_path / 'bad.npz'}")


def test_wide_and_long_csv_give_the_same_series(tmp_path):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(40, 12)).round(4)
    labels = np.where(x[:, :6].sum(1) > 0, "up", "down")
    wide = pd.DataFrame(x, columns=[f"t{i}" for i in range(12)])
    wide.insert(0, "label", labels)
    wide.to_csv(tmp_path / "wide.csv", index=False)
    rows = [
        {"id": f"s{n}", "time": t, "value": x[n, t], "label": labels[n]}
        for n in range(40) for t in reversed(range(12))  # out of order: sorted by time
    ]  # fmt: skip
    pd.DataFrame(rows).to_csv(tmp_path / "long.csv", index=False)
    a = load_task(f"series:{tmp_path / 'wide.csv'}")
    b = load_task(f"series:{tmp_path / 'long.csv'}")
    assert a.input_shape == b.input_shape == (1, 12) and a.class_names == ("down", "up")
    np.testing.assert_allclose(a.x_test, b.x_test, atol=1e-5)
    assert np.array_equal(a.y_train, b.y_train)
    frame = pd.DataFrame(rows)
    frame.loc[3, "label"] = "up" if frame.loc[3, "label"] == "down" else "down"
    frame.to_csv(tmp_path / "mixed.csv", index=False)
    with pytest.raises(DataFormatError, match="series 's0' has more than one label"):
        load_task(f"series:{tmp_path / 'mixed.csv'}")


def test_kinds_pick_the_default_space_and_a_wrong_space_says_so(gunpoint):
    assert Task("t", (4,), 2).kind == "table" and Task("i", (3, 8, 8), 2).kind == "image"
    assert default_space(gunpoint).name == "conv1d"
    assert default_space(Task("t", (4,), 2)).name == "mlp"
    with pytest.raises(ValueError, match="vocabulary of at least 2"):
        Task("tok", (10,), 2, kind="tokens")
    with pytest.raises(ValueError, match="unknown task kind 'audio'"):
        Task("a", (10,), 2, kind="audio")
    with pytest.raises(
        ValueError,
        match=r"builds for image tasks, not series \(GunPoint\); "
        r"use --space conv1d or darts or mlp",
    ):
        get_space("nb201").check_task(gunpoint)
