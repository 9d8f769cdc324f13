from __future__ import annotations

import numpy as np
import pytest

from nasforge.predictors.encodings import encode_many, graph_batch

CELL = "|nor_conv_3x3~0|+|nor_conv_3x3~0|skip_connect~1|+|none~0|none~1|nor_conv_1x1~2|"


def test_path_encoding_counts_the_input_output_paths(space):
    vector = space.encode(space.parse(CELL), "path")
    # Vocabulary skip(0) conv1x1(1) conv3x3(2) pool(3); offsets 0, 4, 20 by path length.
    expected = np.zeros(84, dtype=np.float32)
    expected[4 + 2 * 4 + 1] = 1  # conv3x3 -> conv1x1 (0->2->3)
    expected[20 + 2 * 16 + 0 * 4 + 1] = 1  # conv3x3 -> skip -> conv1x1 (0->1->2->3)
    np.testing.assert_array_equal(vector, expected)


def test_disconnected_cell_has_no_paths(space):
    dead = space.parse("|none~0|+|none~0|none~1|+|none~0|none~1|none~2|")
    assert space.encode(dead, "path").sum() == 0
    adjacency, features = space.graph(dead)
    assert adjacency.sum() == 0 and features.shape == (8, 7)


def test_graph_form_follows_the_cell(space):
    adjacency, features = space.graph(space.parse(CELL))
    # Nodes: input, edges 1<-0 2<-0 2<-1 3<-0 3<-1 3<-2, output.
    assert adjacency[0, 1] == adjacency[0, 2] == 1  # input feeds the edges out of node 0
    assert adjacency[1, 3] == 1  # 1<-0 feeds 2<-1
    assert adjacency[2, 6] == adjacency[3, 6] == 1  # both inputs of node 2 feed 3<-2
    assert adjacency[6, 7] == 1 and adjacency[:, 4].sum() == adjacency[4].sum() == 0
    assert adjacency.sum() == 6
    assert features[0, 0] == 1 and features[7, 1] == 1 and features.sum() == 8


def test_adjacency_encoding_is_upper_triangle_plus_ops(space):
    arch = space.parse(CELL)
    vector = space.encode(arch, "adjacency")
    adjacency, _ = space.graph(arch)
    assert vector.shape == (28 + 6 * 5,)
    assert vector[:28].sum() == adjacency.sum()
    assert vector[28:].reshape(6, 5).sum(axis=1).tolist() == [1.0] * 6


def test_every_encoding_has_fixed_length_and_distinguishes_archs(space):
    rng = np.random.default_rng(0)
    archs = [space.sample(rng) for _ in range(50)]
    for kind, width in (("onehot", 30), ("ordinal", 6), ("adjacency", 58), ("path", 84)):
        matrix = encode_many(space.encode, archs, kind)
        assert matrix.shape == (50, width) and matrix.dtype == np.float32
        assert len({row.tobytes() for row in matrix}) > 40, kind
    adjacency, features = graph_batch(space.graph, archs)
    assert adjacency.shape == (50, 8, 8) and features.shape == (50, 8, 7)


def test_unknown_encoding_lists_accepted_kinds(space):
    with pytest.raises(ValueError, match=r"accepted: onehot.*path"):
        space.encode(space.sample(np.random.default_rng(0)), "zcp")


def test_encodings_do_not_change_when_callers_mutate_results(space):
    arch = space.parse(CELL)
    vector = space.encode(arch, "path")
    vector[:] = 5.0
    assert space.encode(arch, "path").max() == 1.0
    adjacency, _ = space.graph(arch)
    adjacency[0, 0] = 9.0
    assert space.graph(arch)[0][0, 0] == 0
