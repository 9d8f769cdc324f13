"""SynFlow on one shared untrained supernet: the same number as the stand-alone network
carrying the path's weights, and the same ranking as a fresh network per cell."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from scipy.stats import spearmanr

from nasforge.evaluators.zerocost import proxy_batch, synflow
from nasforge.evaluators.zerocost.evaluator import ZeroCostEvaluator
from nasforge.oneshot.shared_synflow import SharedSynflow
from nasforge.spaces import NB201Space
from nasforge.strategies.training_free import default_scorer
from nasforge.tasks import Task

TINY = Task("tiny-images", (3, 8, 8), 10)


def _path_network(scorer: SharedSynflow, space: NB201Space, arch) -> torch.nn.Module:
    """The stand-alone network of `arch` holding the supernet's weights of its path."""
    shared = scorer.supernet_.network.state_dict()
    model = space.build(arch, TINY)
    state = {}
    for name in model.state_dict():
        parts = name.split(".")
        if parts[0] == "cells" and parts[2] == "edges":  # cells.k.edges.j_i.<op module>...
            j, i = parts[3].split("_")
            index = scorer.supernet_.edges[f"{j}<-{i}"].index(arch[f"{j}<-{i}"])
            parts = [*parts[:4], "ops", str(index), *parts[4:]]
        state[name] = shared[".".join(parts)].float()
    model.load_state_dict(state)
    return model


def test_shared_synflow_is_the_path_networks_synflow():
    space = NB201Space(channels=4, cells=1)
    scorer = SharedSynflow(space, TINY, seed=3).setup()
    batch = proxy_batch(TINY, "gaussian", 2, 0)
    for seed in range(6):
        arch = space.sample(np.random.default_rng(seed))
        alone = synflow(_path_network(scorer, space, arch), batch)
        assert scorer.score(arch) == pytest.approx(alone, rel=1e-6)
        assert scorer.evaluate(arch).metrics["proxy_synflow"] == scorer.score(arch)


def test_shared_synflow_ranks_cells_as_fresh_networks_do(space):
    small = space.scaled_down()
    cells = [space.sample(np.random.default_rng(seed)) for seed in range(40)]
    shared = SharedSynflow(small, "imagenet16-120")
    fresh = ZeroCostEvaluator(("synflow",), "imagenet16-120", small)
    rho = spearmanr([shared.score(a) for a in cells], [fresh.score(a) for a in cells]).statistic
    assert rho > 0.97, rho
    assert all(math.isfinite(shared.score(a)) for a in cells)


def test_shared_synflow_follows_its_seed_and_caches():
    space = NB201Space(channels=4, cells=1)
    arch = space.sample(np.random.default_rng(0))
    first, again, other = (SharedSynflow(space, TINY, seed=s) for s in (0, 0, 1))
    assert first.score(arch) == again.score(arch) != other.score(arch)
    assert first.score(arch) == first.cache_[arch]


def test_default_scorer_shares_weights_only_for_synflow_on_an_edge_space(space):
    from nasforge.registry import SPACES

    assert isinstance(default_scorer("synflow", None, space, shared_weights=True), SharedSynflow)
    for proxy, target in (("nwot", space), ("synflow", SPACES.create("mlp"))):
        scorer = default_scorer(proxy, None, target, shared_weights=True)
        assert isinstance(scorer, ZeroCostEvaluator)
    assert isinstance(default_scorer("synflow", None, space), ZeroCostEvaluator)
