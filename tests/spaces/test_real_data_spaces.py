from __future__ import annotations

import numpy as np
import pytest
import torch

from nasforge.spaces import ChainSpace, MLPSpace
from nasforge.tasks import Task
from nasforge.testing import check_space

IMAGE = Task("img", (1, 8, 8), 10)
TABULAR = Task("tab", (13,), 3)


def test_mlp_conformance_and_canonical_form():
    space = MLPSpace()
    check_space(space, task=TABULAR)
    arch = space.parse("mlp:64-32:gelu:dropout=0.1:norm=layer")
    assert (
        arch["depth"] == 2
        and arch["width_3"] == 16
        and space.format(arch) == ("mlp:64-32:gelu:dropout=0.1:norm=layer")
    )
    assert all(space.canonical(n) == n for n in space.neighbors(arch))
    assert len(set(space.neighbors(arch))) == len(space.neighbors(arch))


def test_mlp_len_counts_distinct_networks():
    space = MLPSpace(max_depth=2, widths=(8, 16), dropouts=(0.0,))
    assert len(space) == len(list(space)) == (2 + 4) * 4 * 1 * 3


def test_mlp_build_matches_the_string():
    space = MLPSpace()
    model = space.build(space.parse("mlp:128-64-32:relu:dropout=0.3:norm=batch"), TABULAR)
    linear = [m for m in model if isinstance(m, torch.nn.Linear)]
    assert [m.out_features for m in linear] == [128, 64, 32, 3]
    assert model(torch.randn(5, 13)).shape == (5, 3)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("mlp:64-x:relu:dropout=0:norm=none", "bad widths"),
        ("mlp:64:swish:dropout=0.0:norm=none", "'swish' is not a choice"),
        ("mlp:64:relu:drop=0.1:norm=none", "bad token 'drop=0.1'"),
        ("mlp:8-8-8-8-8:relu:dropout=0.0:norm=none", "depth 5"),
        ("cnn:64", "malformed MLP string"),
    ],
)
def test_mlp_parse_errors(text, message):
    with pytest.raises(ValueError, match=message):
        MLPSpace().parse(text)


def test_chain_conformance_and_text_form():
    space = ChainSpace()
    check_space(space, task=IMAGE)
    text = "w0.75 | k3e1 | k5e6 k3e3 se | k7e6 k3e3 k3e1 | k5e3 se"
    arch = space.parse(text)
    assert space.format(arch) == text
    assert arch["s3_depth"] == 3 and arch["s4_se"] is True and arch["s1b2_kernel"] == 3


def test_chain_build_follows_the_decisions():
    space = ChainSpace()
    arch = space.parse("w1.0 | k3e1 | k5e6 | k7e3 se | k3e6 k3e6")
    model = space.build(arch, Task("rgb", (3, 32, 32), 100))
    assert model(torch.randn(2, 3, 32, 32)).shape == (2, 100)
    depthwise = [m for m in model.modules() if isinstance(m, torch.nn.Conv2d) and m.groups > 1]
    assert [m.kernel_size[0] for m in depthwise] == [3, 5, 7, 3, 3]
    smaller = space.build(arch.replace(width=0.5), Task("rgb", (3, 32, 32), 100))
    assert sum(p.numel() for p in smaller.parameters()) < sum(p.numel() for p in model.parameters())


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("w1.0 | k3e1 | k9e6 | k7e3 | k3e6", "9 is not a choice"),
        ("w1.0 | k3e1 | conv | k7e3 | k3e6", "bad block token 'conv'"),
        ("w1.0 | k3e1", "malformed chain string"),
        ("wide | k3e1 | k3e1 | k3e1 | k3e1", "bad width token"),
    ],
)
def test_chain_parse_errors(text, message):
    with pytest.raises(ValueError, match=message):
        ChainSpace().parse(text)


def test_mutation_never_returns_an_equivalent_network():
    rng = np.random.default_rng(0)
    for space in (MLPSpace(), ChainSpace()):
        arch = space.sample(rng)
        for _ in range(50):
            child = space.mutate(arch, rng)
            assert child != arch and space.canonical(child) == child
            arch = child
