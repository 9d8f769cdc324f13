"""Proxies see the task: training-free strategies and the `zc` predictor build networks
for the task's input shape and score them on rows of its training split (issue 19.7)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from nasforge.evaluators.zerocost import nwot, proxy_batch, snip
from nasforge.evaluators.zerocost.evaluator import ZeroCostEvaluator, build_initialised
from nasforge.history import History
from nasforge.predictors import ZeroCostAugmented
from nasforge.predictors import zerocost as zc
from nasforge.run.search import search
from nasforge.spaces import MLPSpace
from nasforge.strategies.options import create_strategy
from nasforge.tasks import benchmark_task, load_task


@pytest.fixture(scope="module")
def wine():
    return load_task("wine")


def _is_training_row(rows: torch.Tensor, task) -> bool:
    train = torch.from_numpy(task.x_train)
    return all(bool((train == row).all(dim=1).any()) for row in rows)


def test_task_batches_are_rows_of_the_training_split(wine):
    inputs, targets = proxy_batch(wine, "task", batch_size=16, seed=0)
    assert inputs.shape == (16, 13) and _is_training_row(inputs, wine)
    assert set(targets.tolist()) <= set(wine.y_train.tolist())
    with pytest.raises(ValueError, match="carries no training data"):
        proxy_batch(benchmark_task("cifar10"), "task", 16, 0)
    scorer = ZeroCostEvaluator(proxies=("nwot",), task=wine, space=MLPSpace()).setup()
    assert _is_training_row(scorer.batch_[0], wine)  # the default for a task with data
    benchmark = ZeroCostEvaluator(proxies=("nwot",), task="cifar10").setup()
    assert benchmark.batch_[0].shape == (64, 3, 32, 32)  # Gaussian: no data to look up


def test_nwot_codes_networks_without_relus_by_their_smooth_activations(wine):
    batch = proxy_batch(wine, "task", batch_size=16, seed=0)
    torch.manual_seed(0)
    scores = [
        nwot(nn.Sequential(nn.Linear(13, width), activation(), nn.Linear(width, 3)), batch)
        for width in (32, 128)
        for activation in (nn.Tanh, nn.GELU, nn.SiLU)
    ]
    assert np.all(np.isfinite(scores)) and len(set(scores)) == len(scores)
    with pytest.raises(ValueError, match="needs activation modules"):
        nwot(nn.Sequential(nn.Linear(13, 3)), batch)


def test_two_stage_in_a_wine_search_scores_wine_mlps_on_wine_rows(wine):
    options = {"pool_size": 8, "proxy": "snip"}
    result = search(
        data="wine", strategy="two-stage", strategy_options=options, trials=3, epochs=1,
        output_dir=None, confirm_top=1, export=False,
    )  # fmt: skip
    proposed = [t.arch for t in sorted(result.history, key=lambda t: t.number)]
    # The same strategy outside the search, given the task: the pool it ranks is the
    # search's, seeded by the first (random) proposal, and scored on wine networks.
    space = result.space
    alone = create_strategy("two-stage", options, task=wine)
    history = History()
    history.add(proposed[0], {"val_acc": 0.0})
    assert alone.propose(space, history, np.random.default_rng(0)) == proposed[1]
    scorer = alone.scorer_
    assert scorer.task_ is wine and _is_training_row(scorer.batch_[0], wine)
    best = alone.pool_.ranked[0]
    model = build_initialised(space, best, wine, scorer.seed)
    assert next(m for m in model.modules() if isinstance(m, nn.Linear)).in_features == 13
    assert scorer.scores(best)["snip"] == snip(model, scorer.batch_)
    # Scored on CIFAR-shaped networks and Gaussian inputs instead, the pool's best differs,
    # so the search above would not have proposed the same without its task.
    cifar = create_strategy("two-stage", options)
    cifar.propose(space, history, np.random.default_rng(0))
    assert cifar.scorer_.task_.input_shape == (3, 32, 32)
    assert cifar.pool_.ranked[0] != alone.pool_.ranked[0] == proposed[1]


def test_naswot_scores_networks_for_the_task(wine):
    naswot = create_strategy("naswot", {"samples": "4"}, task=wine)
    arch = naswot.propose(MLPSpace(), History(), np.random.default_rng(1))
    assert set(naswot.scorer_.cache_) >= {arch}
    assert naswot.scorer_.task_ is wine and naswot.scorer_.batch_[0].shape[1:] == (13,)


def test_zc_predictor_features_come_from_networks_for_the_task(wine):
    space, rng = MLPSpace(), np.random.default_rng(0)
    archs = [space.sample(rng) for _ in range(6)]
    model = ZeroCostAugmented(space, base="gp", proxies=("params", "nwot"), task=wine)
    model.fit(archs, np.arange(6.0))
    features = model.model_.features(archs[:2])
    assert features.shape == (2, space.encode(archs[0]).size + 2)  # one-hot + 2 proxies
    for row, arch in zip(features, archs[:2]):
        network = build_initialised(space, arch, wine, 0)
        params = sum(p.numel() for p in network.parameters())
        assert row[-2] == pytest.approx(np.log10(params), rel=1e-6)
        assert row[-1] == pytest.approx(nwot(network, zc.proxy_batch(wine)), rel=1e-6)
    assert _is_training_row(zc.proxy_batch(wine)[0], wine)


def test_npenas_hands_the_task_to_the_zc_predictor(wine):
    npenas = create_strategy(
        "npenas", {"initial": "3", "batch_size": "2", "predictor": "zc"}, task=wine
    )
    space, history, rng = MLPSpace(), History(), np.random.default_rng(0)
    for i in range(4):
        history.add(npenas.propose(space, history, rng), {"val_acc": float(i)})
    assert npenas.predictor_name_ == "zc" and npenas.predictor_.task is wine
