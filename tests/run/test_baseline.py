"""The image baseline: NAS-Bench-201's residual cell, in the searched skeleton, trained
with the search's own settings and reported beside the searched network; the token
baselines (gradient boosting per position, TF-IDF for whole sequences)."""

from __future__ import annotations

import numpy as np
import pytest

from nasforge.constraints import count_params
from nasforge.evaluators.training import TrainingEvaluator
from nasforge.run.baseline import baseline_for, relative_views, resnet_baseline
from nasforge.run.search import search
from nasforge.spaces import MLPSpace, default_space
from nasforge.spaces.nb201 import RESNET_CELL, NB201Space
from nasforge.tasks import load_task


@pytest.fixture(scope="module")
def digits():
    return load_task("digits", seed=0)


def test_the_resnet_is_trained_exactly_like_a_searched_network(digits):
    space = NB201Space(channels=8, cells=1)
    trainer = TrainingEvaluator(space, digits, epochs=2, batch_size=32, learning_rate=0.02,
                                seed=3, threads=1)  # fmt: skip
    found = resnet_baseline(trainer, epochs=2)
    resnet = space.parse(RESNET_CELL)
    model, _, failure = trainer.train(resnet, *digits.train_and_val(), 2)
    assert failure is None and found["model"].startswith("ResNet")
    assert found["params"] == count_params(model)  # the searched skeleton: 8 channels
    assert (
        found["test_acc"]
        == trainer.measure(model, (digits.x_test, digits.y_test), "test_")["test_acc"]
    )


def test_another_space_gets_the_default_skeleton(digits):
    trainer = TrainingEvaluator(MLPSpace(), digits, epochs=1, seed=0, threads=1)
    found = resnet_baseline(trainer, epochs=1)
    default = default_space(digits)
    assert found["params"] == count_params(default.build(default.parse(RESNET_CELL), digits))


def test_an_image_search_reports_the_resnet(digits):
    result = search(digits, trials=2, epochs=1, confirm_top=1, output_dir=None, threads=1,
                    space="nb201", space_options={"channels": "8", "cells": "1"})  # fmt: skip
    assert result.baseline["model"] == "ResNet (NAS-Bench-201 cell)"
    assert 10.0 < result.baseline["test_acc"] <= 100.0 and result.baseline["seconds"] > 0


def test_relative_views_put_each_position_first_and_name_it():
    x = np.array([[5, 6, 7]])
    assert relative_views(x).tolist() == [[5, 6, 7, 0], [6, 7, 5, 1], [7, 5, 6, 2]]


def test_token_baselines_learn_a_rule_and_a_keyword(tmp_path):
    automata = load_task("eca", seed=0)  # rules 30, 54, 90, 110; per-cell next state
    found = baseline_for(automata, seed=0)
    assert found["model"] == "HistGradientBoostingClassifier" and found["test_acc"] > 90.0
    rng = np.random.default_rng(0)
    ids = rng.integers(0, 40, size=(500, 20))
    np.savez(tmp_path / "ids.npz", x_train=ids, y_train=(ids == 3).any(axis=1))
    keyword = baseline_for(load_task(f"tokens:{tmp_path / 'ids.npz'}", seed=0), seed=0)
    assert keyword["model"] == "TF-IDF + LogisticRegression" and keyword["test_acc"] > 70.0
