"""The DARTS cell space: published genotypes round-trip exactly, bad text names its token,
the network builds for images and 1-D inputs at the published size, and the graph forms,
drawings and supernet-facing edges describe the cells the network builds."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ElementTree

import numpy as np
import pytest
import torch

from nasforge.constraints import count_params
from nasforge.report.drawing import layout, to_svg
from nasforge.spaces import create_space, get_space
from nasforge.spaces.darts import DARTS_V2, EDGES, GENOTYPE_OPERATIONS, DartsSpace
from nasforge.spaces.darts_network import OPERATIONS
from nasforge.spaces.drawing import CellsDrawing
from nasforge.tasks import Task
from nasforge.testing import check_space

# Published genotypes (DARTS repository genotypes.py; PC-DARTS, Xu et al. ICLR 2020).
DARTS_V1 = (
    "Genotype(normal=[('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('skip_connect', 0), "
    "('sep_conv_3x3', 1), ('skip_connect', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), "
    "('skip_connect', 2)], normal_concat=[2, 3, 4, 5], reduce=[('max_pool_3x3', 0), "
    "('max_pool_3x3', 1), ('skip_connect', 2), ('max_pool_3x3', 0), ('max_pool_3x3', 0), "
    "('skip_connect', 2), ('skip_connect', 2), ('avg_pool_3x3', 0)], reduce_concat=[2, 3, 4, 5])"
)
PC_DARTS = (
    "Genotype(normal=[('sep_conv_3x3', 1), ('skip_connect', 0), ('sep_conv_3x3', 0), "
    "('dil_conv_3x3', 1), ('sep_conv_5x5', 0), ('sep_conv_3x3', 1), ('avg_pool_3x3', 0), "
    "('dil_conv_3x3', 1)], normal_concat=[2, 3, 4, 5], reduce=[('sep_conv_5x5', 1), "
    "('max_pool_3x3', 0), ('sep_conv_5x5', 1), ('sep_conv_5x5', 2), ('sep_conv_3x3', 0), "
    "('sep_conv_3x3', 3), ('sep_conv_3x3', 1), ('sep_conv_3x3', 2)], reduce_concat=[2, 3, 4, 5])"
)
TINY = Task("tiny", (3, 8, 8), 5)


@pytest.fixture(scope="module")
def space():
    return DartsSpace(channels=4, cells=2)


@pytest.mark.parametrize("task", [TINY, Task("signal", (2, 30), 3), Task("flat", (13,), 4)])
def test_conformance_on_images_and_1d_inputs(space, task):
    check_space(space, task=task, samples=10)


@pytest.mark.parametrize("text", [DARTS_V1, DARTS_V2, PC_DARTS])
def test_published_genotypes_round_trip_exactly(space, text):
    arch = space.parse(text)
    assert space.format(arch) == text
    assert space.parse(space.format(arch)) == arch


def test_the_reference_forms_of_a_genotype_parse_alike(space):
    multiline = PC_DARTS.replace("[2, 3, 4, 5]", "range(2, 6)").replace("), (", "),\n  (")
    assert space.parse(multiline.replace("'", '"')) == space.parse(PC_DARTS)
    cells = space.genotype(space.parse(DARTS_V2))
    by_position = f"Genotype({list(cells['normal'])}, [2, 3, 4, 5], {list(cells['reduce'])}, "
    by_position += "[2, 3, 4, 5])"
    assert space.parse(by_position) == space.parse(DARTS_V2)


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (("'sep_conv_3x3', 0)", "'sep_conv_7x7', 0)"), ["'sep_conv_7x7'", "accepted: max_pool"]),
        (("('dil_conv_3x3', 2)", "('dil_conv_3x3', 5)"), ["('dil_conv_3x3', 5)", "states 0..4"]),
        (("('sep_conv_3x3', 1)", "('sep_conv_3x3', 0)"), ["reads state 0 twice", "must differ"]),
        (("normal_concat=[2, 3, 4, 5]", "normal_concat=[4, 5]"), ["normal_concat '[4, 5]'"]),
        (("('skip_connect', 0), ", ""), ["needs 8 (operation, input) pairs", "got 7"]),
        (("Genotype(", "Genome("), ["expected Genotype("]),
        (("reduce=", "reduction="), ["unknown genotype field 'reduction'"]),
        (("('max_pool_3x3', 0)", "('max_pool_3x3', '0')"), ["('max_pool_3x3', '0')"]),
        (("('max_pool_3x3', 0)", "('max_pool_3x3' 0)"), ["malformed genotype"]),
        (("('sep_conv_3x3', 1)", "('none', 1)"), ["unknown operation 'none'"]),
    ],
)
def test_bad_text_is_a_value_error_naming_the_token(space, change, words):
    old, new = change
    with pytest.raises(ValueError) as error:
        space.parse(DARTS_V2.replace(old, new, 1))
    assert all(w in str(error.value) for w in words), str(error.value)


def test_none_is_a_candidate_but_not_a_default_genotype_operation():
    assert OPERATIONS == (
        "none", "max_pool_3x3", "avg_pool_3x3", "skip_connect",
        "sep_conv_3x3", "sep_conv_5x5", "dil_conv_3x3", "dil_conv_5x5",
    )  # fmt: skip
    assert OPERATIONS[1:] == GENOTYPE_OPERATIONS and DartsSpace().candidate_operations == OPERATIONS
    with_none = DartsSpace(operations=OPERATIONS)
    arch = with_none.parse(DARTS_V2.replace("('sep_conv_3x3', 1)", "('none', 1)", 1))
    out = with_none.build(arch, TINY)(torch.randn(2, 3, 8, 8))
    assert out.shape == (2, 5)


def test_size_counts_distinct_networks(space):
    per_cell = math.comb(2, 2) * math.comb(3, 2) * math.comb(4, 2) * math.comb(5, 2) * 7**8
    assert len(space) == per_cell**2 > 10**18  # NAS-Bench-301's "about 10^18"


def test_canonical_form_orders_inputs_and_keeps_the_network(space):
    pc = space.parse(PC_DARTS)  # node 2 of the normal cell reads 1 then 0
    canonical = space.canonical(pc)
    assert canonical != pc and space.canonical(canonical) == canonical
    assert canonical["normal.2.inputs"] == "0,1" and canonical["normal.2.op0"] == "skip_connect"
    assert count_params(space.build(pc, TINY)) == count_params(space.build(canonical, TINY))
    assert all(np.array_equal(space.encode(pc, k), space.encode(canonical, k)) for k in
               ("onehot", "path", "adjacency"))  # fmt: skip
    rng = np.random.default_rng(1)
    for arch in [space.sample(rng) for _ in range(5)]:
        assert space.canonical(arch) == arch
        assert all(space.canonical(n) == n for n in space.neighbors(arch))


def test_mutation_changes_one_node_of_one_cell(space):
    """One decision: an operation, or the node's pair of inputs (one or both of them)."""
    rng = np.random.default_rng(2)
    for _ in range(30):
        arch = space.sample(rng)
        before, after = space.genotype(arch), space.genotype(space.mutate(arch, rng))
        nodes = [
            (set(before[cell][k : k + 2]), set(after[cell][k : k + 2]))
            for cell in before
            for k in range(0, 8, 2)
        ]
        changed = [len(old - new) for old, new in nodes if old != new]
        assert len(changed) == 1 and changed[0] in (1, 2)


def test_the_published_darts_network_has_the_published_size():
    """DARTS (second order) on CIFAR-10 at evaluation size, C=36 and 20 cells: 3.3M
    parameters in the paper (auxiliary head not counted)."""
    space = DartsSpace(channels=36, cells=20)
    params = count_params(space.build(space.parse(DARTS_V2), Task("cifar10", (3, 32, 32), 10)))
    assert 3.25e6 < params < 3.40e6, params


def test_reduction_cells_halve_the_resolution_and_double_channels():
    space = DartsSpace(channels=4, cells=5)
    model = space.build(space.parse(DARTS_V2), Task("c", (3, 16, 16), 10))
    reductions = [slot for slot in model.slots if slot.reduction]
    assert [s.stride for s in reductions] == [(2, 2), (2, 2)]
    assert [s.channels for s in model.slots] == [4, 8, 8, 16, 16]
    flat = space.build(space.parse(DARTS_V2), Task("f", (1, 40), 2))
    assert [s.stride for s in flat.slots if s.reduction] == [(1, 2), (1, 2)]


def test_supernet_edges_and_derivation_round_trip(space):
    assert len(EDGES) == 14 and EDGES[0] == (2, 0) and EDGES[-1] == (5, 4)
    arch = space.parse(PC_DARTS)
    normal, reduce = space.cell_edges(arch, "normal"), space.cell_edges(arch, "reduce")
    assert normal[0] == (2, 1, "sep_conv_3x3") and all((t, f) in EDGES for t, f, _ in normal)
    assert space.from_edges(normal, reduce) == arch
    assert space.from_edges(reversed(normal), reduce) == space.from_edges(
        [e for node in (5, 4, 3, 2) for e in normal if e[0] == node][::-1], reduce
    )
    with pytest.raises(ValueError, match="two edges per node"):
        space.from_edges(normal[:-1], reduce)


def test_graph_and_path_forms_follow_the_cells(space):
    arch = space.parse(DARTS_V2)
    adjacency, features = space.graph(arch)
    assert adjacency.shape == (22, 22) and features.shape == (22, 2 + 7 + 1)
    normal = adjacency[:11, :11]
    assert normal[:, -1].sum() == 8  # every operation feeds the concatenated output
    # inputs: 7 normal-cell edges read state 0 or 1; node 5's dil_conv reads node 2's two ops
    assert normal[:2].sum() == 7 and normal[2:4, 9].sum() == 2
    assert features[11:, -1].all() and not features[:11, -1].any()
    path = space.encode(arch, "path")
    assert path.shape == (2 * (7 + 7**2 + 7**3 + 7**4),) and path.sum() > 16


def test_drawing_shows_both_cells_with_labelled_edges(space):
    drawing = space.drawing(space.parse(DARTS_V2))
    assert isinstance(drawing, CellsDrawing) and len(drawing.cells) == 2
    assert all(len(cell.edges) == 12 for cell in drawing.cells)
    root = ElementTree.fromstring(to_svg(layout(drawing, title=True)))
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "normal cell" in texts and "reduce cell" in texts and "sep3x3" in texts


def test_space_options_from_text():
    assert create_space("darts", {"channels": "8", "cells": "3"}).cells == 3
    ops = create_space("darts", {"operations": "skip_connect,sep_conv_3x3"}).operations
    assert ops == ("skip_connect", "sep_conv_3x3")
    with pytest.raises(ValueError, match="has no setting 'width'; accepted: channels, cells"):
        create_space("darts", {"width": "8"})
    with pytest.raises(ValueError, match="bad value 'many' for 'cells'"):
        create_space("darts", {"cells": "many"})
    assert get_space("darts").cells == 8


def test_zero_cost_proxies_score_darts_networks(space):
    from nasforge.evaluators.zerocost import DATA_FREE
    from nasforge.evaluators.zerocost.evaluator import ZeroCostEvaluator
    from nasforge.registry import PROXIES

    rng = np.random.default_rng(3)
    archs = [space.sample(rng) for _ in range(3)]
    evaluator = ZeroCostEvaluator(tuple(PROXIES.names()), TINY, space, data="gaussian",
                                  batch_size=16)  # fmt: skip
    scores = [evaluator.scores(arch) for arch in archs]
    for name in PROXIES.names():
        values = [s[name] for s in scores]
        assert all(np.isfinite(values)), (name, values)
        if name in DATA_FREE | {"snip", "grad_norm", "nwot"}:
            assert len(set(values)) > 1, name  # different cells score differently


def test_scaled_down_keeps_the_decisions_and_ranks_cells_as_the_full_network():
    from scipy.stats import spearmanr

    from nasforge.evaluators.zerocost.evaluator import ZeroCostEvaluator

    space = DartsSpace()
    small = space.scaled_down()
    assert (small.channels, small.cells, small.search_channels, small.search_cells) == (8, 5, 8, 5)
    assert small.decisions == space.decisions
    tiny = DartsSpace(channels=4, cells=2).scaled_down()
    assert (tiny.channels, tiny.cells, tiny.search_channels, tiny.search_cells) == (4, 2, 4, 2)
    cells = [space.sample(np.random.default_rng(seed)) for seed in range(12)]
    full, scaled = (ZeroCostEvaluator(("synflow",), TINY, s) for s in (space, small))
    rho = spearmanr([full.score(a) for a in cells], [scaled.score(a) for a in cells]).statistic
    assert rho > 0.8, rho


def test_a_tiny_search_on_digits_from_the_command_line(tmp_path):
    from typer.testing import CliRunner

    from nasforge.cli import app

    args = [
        "search", "--data", "digits", "--space", "darts", "--space-option", "channels=4",
        "--space-option", "cells=2", "--trials", "3", "--epochs", "1", "--confirm-top", "1",
        "--no-progress", "--output", str(tmp_path), "--name", "tiny",
    ]  # fmt: skip
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    best = next(line for line in result.stdout.splitlines() if line.startswith("best: "))
    arch = DartsSpace().parse(best.removeprefix("best: "))
    assert arch.space == "darts" and (tmp_path / "tiny" / "model.onnx").is_file()
    bad = CliRunner().invoke(app, [*args[:5], "--space-option", "cells=many"])
    assert bad.exit_code == 2 and "bad value 'many' for 'cells'" in bad.stderr
