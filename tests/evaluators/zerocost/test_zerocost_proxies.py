"""Proxies against NAS-Bench-Suite-Zero's published scores, on CNNs and MLPs."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from scipy.stats import spearmanr
from torch import nn

from nasforge.evaluators.zerocost import DATA_FREE, needs_data, proxy_batch, synflow
from nasforge.evaluators.zerocost.evaluator import build_initialised
from nasforge.registry import PROXIES
from nasforge.spaces import NB201Space
from nasforge.tasks import Task, benchmark_task

TINY = Task("tiny-images", (3, 8, 8), 10)
FEATURES = Task("tiny-features", (12,), 5)
REQUIRED = [
    "synflow",
    "snip",
    "grasp",
    "fisher",
    "grad_norm",
    "jacov",
    "nwot",
    "zen",
    "epe_nas",
    "l2_norm",
    "plain",
    "params",
    "flops",
]


def _mlp() -> nn.Module:
    with torch.random.fork_rng():
        torch.manual_seed(0)
        return nn.Sequential(
            nn.Linear(12, 32), nn.BatchNorm1d(32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(),
            nn.Linear(32, 5),
        )  # fmt: skip


def _tiny_cnn(space) -> nn.Module:
    arch = space.parse(
        "|nor_conv_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|avg_pool_3x3~0|nor_conv_3x3~1|none~2|"
    )
    return build_initialised(NB201Space(channels=4, cells=1), arch, TINY, seed=0)


def test_every_issue_proxy_is_registered_with_a_recent_one():
    names = PROXIES.names()
    assert set(REQUIRED) <= set(names)
    assert {"zico", "meco"} <= set(names)
    assert not needs_data("synflow") and needs_data("nwot") and set(names) >= DATA_FREE
    with pytest.raises(ValueError, match="unknown zero-cost proxy 'snap'"):
        needs_data("snap")


@pytest.mark.parametrize("kind", ["cnn", "mlp"])
def test_every_proxy_is_finite_deterministic_and_leaves_the_model_alone(kind, space):
    model = _tiny_cnn(space) if kind == "cnn" else _mlp()
    task = TINY if kind == "cnn" else FEATURES
    batch = proxy_batch(task, "gaussian", batch_size=8, seed=1)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    for name in PROXIES.names():
        first = PROXIES.get(name)(model, batch)
        assert isinstance(first, float) and math.isfinite(first), (name, first)
        assert PROXIES.get(name)(model, batch) == first, f"{name} is not deterministic"
        assert model.training, f"{name} changed the model's mode"
        for key, value in model.state_dict().items():
            assert torch.equal(value, before[key]), f"{name} changed {key}"
        assert all(p.grad is None for p in model.parameters()), f"{name} left gradients"


def test_synflow_and_nwot_rank_like_the_published_scores(zc_reference):
    rows = zc_reference["cifar10"][:24]
    space, task = NB201Space(), benchmark_task("cifar10")
    batch = proxy_batch(task, "gaussian", batch_size=8, seed=0)
    ours: dict[str, list[float]] = {"synflow": [], "nwot": [], "params": []}
    for row in rows:
        model = build_initialised(space, space.parse(row["arch"]), task, seed=0)
        for name in ours:
            ours[name].append(PROXIES.get(name)(model, batch))
    assert spearmanr(ours["synflow"], [r["proxies"]["synflow"] for r in rows])[0] > 0.97
    assert spearmanr(ours["nwot"], [r["proxies"]["nwot"] for r in rows])[0] > 0.85
    assert np.allclose(np.array(ours["params"]) / 1e6, [r["params_M"] for r in rows], rtol=1e-3)


def test_synflow_runs_in_float64_past_the_float32_range():
    with torch.random.fork_rng():
        torch.manual_seed(0)
        deep = nn.Sequential(*[nn.Linear(256, 256, bias=False) for _ in range(50)])
    batch = (torch.zeros(1, 256), torch.zeros(1, dtype=torch.long))
    value = synflow(deep, batch)
    assert math.isfinite(value) and value > torch.finfo(torch.float32).max


def test_synflow_ignores_batchnorm_statistics(space):
    model = _tiny_cnn(space)
    batch = proxy_batch(TINY, "gaussian", batch_size=4, seed=0)
    before = synflow(model, batch)
    for module in model.modules():
        if isinstance(module, nn.BatchNorm2d):
            module.running_var.fill_(9.0)
    assert synflow(model, batch) == before


def test_initialisation_and_batch_follow_the_seed(space):
    arch = space.sample(np.random.default_rng(3))
    small = NB201Space(channels=4, cells=1)
    scores = [
        synflow(build_initialised(small, arch, TINY, seed), proxy_batch(TINY, "gaussian", 4, 0))
        for seed in (0, 0, 1)
    ]
    assert scores[0] == scores[1] != scores[2]
    a, b = proxy_batch(TINY, "gaussian", 4, 0), proxy_batch(TINY, "gaussian", 4, 1)
    assert torch.equal(a[0], proxy_batch(TINY, "gaussian", 4, 0)[0])
    assert not torch.equal(a[0], b[0])


def test_digits_batch_holds_real_images_shaped_for_the_task():
    pytest.importorskip("sklearn")
    inputs, targets = proxy_batch(benchmark_task("cifar10"), "digits", batch_size=16, seed=0)
    assert inputs.shape == (16, 3, 32, 32) and targets.max() < 10
    assert torch.equal(inputs[:, 0], inputs[:, 2])  # grey images copied to every channel
    assert inputs.std() > 0.3 and len(set(targets.tolist())) > 3


def test_bad_batches_and_sources_say_what_to_do():
    with pytest.raises(ValueError, match="accepted: gaussian, digits"):
        proxy_batch(TINY, "cifar", 4, 0)
    with pytest.raises(ValueError, match="at least 2"):
        proxy_batch(TINY, "gaussian", 1, 0)
    with pytest.raises(ValueError, match="batch=\\(inputs, targets\\)"):
        PROXIES.get("snip")(_mlp(), torch.zeros(4, 12))


@pytest.mark.parametrize("name", ["nb201", "chain", "mlp"])
def test_every_proxy_scores_models_of_every_space(name):
    from nasforge.registry import SPACES

    space = SPACES.create(name)
    if name == "nb201":
        space = NB201Space(channels=4, cells=1)
    task = FEATURES if name == "mlp" else Task("small-images", (3, 16, 16), 10)
    model = build_initialised(space, space.sample(np.random.default_rng(0)), task, seed=0)
    batch = proxy_batch(task, "gaussian", batch_size=8, seed=0)
    for proxy in PROXIES.names():
        value = PROXIES.get(proxy)(model, batch)
        assert math.isfinite(value), (name, proxy, value)
