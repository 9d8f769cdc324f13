"""The image baseline: NAS-Bench-201's residual cell, in the searched skeleton, trained
with the search's own settings and reported beside the searched network."""

from __future__ import annotations

import pytest

from nasforge.constraints import count_params
from nasforge.evaluators.training import TrainingEvaluator
from nasforge.run.baseline import resnet_baseline
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
