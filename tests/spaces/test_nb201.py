from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

from nasforge.constraints import count_flops, count_params
from nasforge.tasks import Task, benchmark_task
from nasforge.testing import check_space

EXAMPLE = (
    "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|"
    "skip_connect~2|"
)


def test_conformance(space):
    check_space(space, task=Task("tiny", (3, 8, 8), 5))


def test_all_15625_members_are_distinct_and_indexed(space):
    members = list(space)
    assert len(space) == 15625 == len(set(members))
    rng = np.random.default_rng(0)
    for i in rng.integers(0, len(space), 50).tolist():
        assert space.index(space.from_index(i)) == i
    assert [space.index(a) for a in members[:100]] == list(range(100))


def test_official_strings_round_trip_for_the_whole_table(space, table_path):
    strings = pd.read_csv(table_path, usecols=["arch"])["arch"]
    parsed = {space.parse(s) for s in strings}
    assert len(parsed) == 15625
    assert all(space.format(space.parse(s)) == s for s in strings[:2000])


@pytest.mark.parametrize(
    ("text", "token"),
    [
        (EXAMPLE.replace("avg_pool_3x3~1", "max_pool_3x3~1"), "max_pool_3x3"),
        (EXAMPLE.replace("skip_connect~2", "skip_connect~5"), "skip_connect~5"),
        (EXAMPLE.replace("|+|skip", "|+skip"), "+skip_connect~0"),
        ("|nor_conv_3x3~0|", "expected 3 nodes"),
        (EXAMPLE.replace("|nor_conv_3x3~0|avg_pool_3x3~1|", "|nor_conv_3x3~0|"), "needs 2 inputs"),
    ],
)
def test_parse_errors_name_the_bad_token(space, text, token):
    with pytest.raises(ValueError, match=token.replace("|", r"\|").replace("+", r"\+")):
        space.parse(text)


def test_mutation_changes_one_edge_and_neighbors_are_24(space):
    rng = np.random.default_rng(1)
    arch = space.parse(EXAMPLE)
    for _ in range(20):
        child = space.mutate(arch, rng)
        assert sum(a != b for a, b in zip(arch.choice_values, child.choice_values)) == 1
    assert len(space.neighbors(arch)) == 24
    assert space.format(arch) == EXAMPLE


def test_encodings(space):
    arch = space.parse(EXAMPLE)
    onehot = space.encode(arch, "onehot")
    assert onehot.shape == (30,) and onehot.sum() == 6
    assert space.encode(arch, "ordinal").tolist() == [3, 3, 4, 1, 3, 1]
    with pytest.raises(ValueError, match="unknown encoding 'path2'"):
        space.encode(arch, "path2")


@pytest.mark.parametrize(
    "shape", [(1, 20, 12), (1, 28, 28), (3, 7, 7), (2, 5, 13), (1, 1, 64), (3, 2, 2), (1, 1, 1)]
)
def test_build_adapts_to_any_image_shape_and_class_count(space, shape):
    """Odd sizes (MNIST's 28 -> 14 -> 7), flat 1xN signals and tiny images all build and
    run, for every operation on every edge."""
    for op in ("nor_conv_3x3", "avg_pool_3x3", "skip_connect", "none"):
        arch = space.parse("+".join("|" + "|".join(f"{op}~{i}" for i in range(j)) + "|"
                                    for j in (1, 2, 3)))  # fmt: skip
        model = space.build(arch, Task("img", shape, 7)).eval()
        assert model(torch.randn(3, *shape)).shape == (3, 7)


def test_small_and_flat_inputs_keep_a_spatial_extent(space):
    from nasforge.spaces.nb201 import reduction_stride

    assert reduction_stride(32, 32) == (2, 2)  # the benchmark's own network
    assert reduction_stride(2, 2) == (1, 1) and reduction_stride(1, 64) == (1, 2)


def test_build_rejects_tabular_input(space):
    with pytest.raises(ValueError, match="image input"):
        space.build(space.parse(EXAMPLE), Task("tabular", (13,), 3))


def _check_costs(space, rows, dataset):
    task = benchmark_task(dataset)
    for row in rows:
        model = space.build(space.parse(row["arch"]), task)
        assert count_params(model) == round(row["params_M"] * 1e6), row["arch"]
        flops = count_flops(model, task.input_shape)
        assert abs(flops / 1e6 - row["flops_M"]) <= 0.03 * row["flops_M"], row["arch"]


@pytest.mark.parametrize("dataset", ["cifar10", "cifar100", "imagenet16-120"])
def test_params_and_flops_match_the_benchmark(space, zc_reference, dataset):
    _check_costs(space, zc_reference[dataset][::25], dataset)


@pytest.mark.slow
@pytest.mark.parametrize("dataset", ["cifar10", "cifar100", "imagenet16-120"])
def test_params_and_flops_match_the_benchmark_for_every_reference_arch(
    space, zc_reference, dataset
):
    _check_costs(space, zc_reference[dataset], dataset)
