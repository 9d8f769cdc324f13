"""One-shot methods on the DARTS cell space: every method trains a real supernet on digits
and derives a valid DARTS genotype; the derivation follows the alphas (two strongest
non-`none` inputs per node, per cell kind); a path through the supernet is the stand-alone
network; DARTS-PT keeps two inputs per node; the command searches it."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import torch
from typer.testing import CliRunner

from nasforge.cli import app
from nasforge.oneshot import (
    METHODS,
    PCDARTS,
    Supernet,
    SupernetEvaluator,
    argmax_selection,
    perturbation_selection,
)
from nasforge.oneshot.supernet import EdgeSpace
from nasforge.spaces.darts import DARTS_V2, GENOTYPE_OPERATIONS
from nasforge.spaces.darts_genotype import CELLS
from nasforge.spaces.darts_network import NODES, OPERATIONS


def assert_valid_darts(space, arch) -> None:
    assert arch.space == "darts" and space.validate(arch) is arch
    assert space.parse(space.format(arch)) == arch
    for cell in CELLS:
        edges = space.cell_edges(arch, cell)
        assert all(op != "none" for _, _, op in edges)
        for node in NODES:
            sources = [s for to, s, _ in edges if to == node]
            assert len(set(sources)) == 2 and all(s < node for s in sources)


@pytest.mark.parametrize("name", ["darts", "gdas", "pcdarts", "drnas", "spos"])
def test_each_method_trains_on_darts_cells_and_derives_a_genotype(name, small_digits, tiny_darts):
    method = METHODS.create(name, epochs=2, batch_size=64, seed=0)
    fit = method.fit(tiny_darts, small_digits)
    reports = fit.epochs
    assert all(np.isfinite([r.train_loss, r.val_loss]).all() for r in reports)
    assert len(fit.supernet.alpha) == 2 * 14 and set(fit.supernet.edges["normal.2<-0"]) == set(
        OPERATIONS
    )
    arch = argmax_selection(fit)
    assert_valid_darts(tiny_darts, arch)
    normal = torch.cat([a.detach() for e, a in fit.supernet.alpha.items() if e.startswith("n")])
    reduce = torch.cat([a.detach() for e, a in fit.supernet.alpha.items() if e.startswith("r")])
    if name == "spos":
        assert reports[-1].arch is None
        path = tiny_darts.edge_ops(arch)
        assert sum(op is not None for op in path.values()) == 16  # two inputs x 4 nodes x 2
        acc = SupernetEvaluator(fit.supernet, 64).evaluate(arch).metrics["val_acc"]
        assert 0 <= acc <= 100
    else:
        assert reports[-1].arch == arch
        # one set of weights per cell kind, both trained, not tied to each other
        assert normal.abs().max() > 0.01 and reduce.abs().max() > 0.01
        assert not torch.allclose(normal, reduce)


def _alphas_for(supernet: Supernet, arch, space) -> None:
    """alpha by hand: the kept edges strong on their op; the others strong on none and weak
    elsewhere, so only the non-`none` comparison across edges selects the inputs."""
    ops = supernet.edges["normal.2<-0"]
    with torch.no_grad():
        for edge, op in space.edge_ops(arch).items():
            alpha = supernet.alpha[edge]
            alpha.fill_(0.0)
            if op is None:
                alpha[ops.index("none")] = 5.0
            else:
                alpha[ops.index(op)] = 2.0


def test_the_derived_cell_follows_the_alphas(small_digits, tiny_darts):
    supernet = Supernet(tiny_darts, small_digits, seed=0)
    wanted = tiny_darts.canonical(tiny_darts.parse(DARTS_V2))
    _alphas_for(supernet, wanted, tiny_darts)
    mixture = {e: torch.softmax(a, 0) for e, a in supernet.alpha.items()}
    assert supernet.derive(mixture) == wanted
    # a strong `none` never makes an edge: the weakest non-none ops still count
    with torch.no_grad():
        supernet.alpha["normal.5<-4"][OPERATIONS.index("none")] = 50.0
    assert supernet.derive({e: torch.softmax(a, 0) for e, a in supernet.alpha.items()}) == wanted
    other = tiny_darts.sample(np.random.default_rng(3))
    _alphas_for(supernet, other, tiny_darts)
    assert supernet.derive({e: torch.softmax(a, 0) for e, a in supernet.alpha.items()}) == (
        tiny_darts.canonical(other)
    )


def test_edge_normalisation_decides_the_inputs_of_a_node(small_digits, tiny_darts):
    """PC-DARTS: equal alphas, the betas of node 3 favour inputs 0 and 2."""
    supernet = PCDARTS(partial=4).make_supernet(tiny_darts, small_digits)
    with torch.no_grad():
        for edge in ("normal.3<-0", "normal.3<-2"):
            supernet.beta[edge].fill_(3.0)
    arch = supernet.derive({e: torch.softmax(a, 0) for e, a in supernet.alpha.items()})
    assert sorted(s for to, s, _ in tiny_darts.cell_edges(arch, "normal") if to == 3) == [0, 2]
    scales = supernet.edge_scales()
    assert abs(sum(float(scales[f"normal.3<-{i}"].detach()) for i in range(3)) - 1) < 1e-6


def _path_state(supernet: Supernet, space, arch) -> dict[str, torch.Tensor]:
    """The supernet's weights along `arch`'s path, under the stand-alone network's keys."""
    kept = {cell: space.cell_edges(arch, cell) for cell in CELLS}
    ops = supernet.edges["normal.2<-0"]
    state = {}
    for key, value in supernet.network.state_dict().items():
        parts = key.split(".")
        if "edges" not in parts:
            state[key] = value
            continue
        at = parts.index("edges")
        cell = "reduce" if supernet.network.slots[int(parts[at - 1])].reduction else "normal"
        node, source = (int(v) for v in parts[at + 1].split("_"))
        for position, (to, src, op) in enumerate(kept[cell]):
            if (to, src) == (node, source) and ops[int(parts[at + 3])] == op:
                state[".".join([*parts[:at], "ops", str(position), *parts[at + 4 :]])] = value
    return state


def test_a_path_through_the_darts_supernet_is_the_stand_alone_network(small_digits, tiny_darts):
    assert isinstance(tiny_darts, EdgeSpace)
    supernet = Supernet(tiny_darts, small_digits, seed=3)
    x = torch.from_numpy(small_digits.x_val[:16])
    for seed in range(2):
        arch = tiny_darts.sample(np.random.default_rng(seed))
        model = tiny_darts.build(arch, small_digits)
        missing, unexpected = model.load_state_dict(_path_state(supernet, tiny_darts, arch), False)
        assert not unexpected
        # only the affine BatchNorm parameters the supernet lacks (1 and 0 at init)
        assert missing and all(k.endswith((".weight", ".bias")) for k in missing)
        assert all("bn" in k or k.split(".")[-2].isdigit() for k in missing)
        supernet.network.eval()
        model.eval()
        with torch.no_grad(), supernet.single_path(tiny_darts.edge_ops(arch)):
            assert torch.allclose(supernet(x), model(x), atol=1e-5)


def test_darts_pt_keeps_two_inputs_per_node(small_digits, tiny_darts):
    task = dataclasses.replace(small_digits, x_val=small_digits.x_val[:32],
                               y_val=small_digits.y_val[:32])  # fmt: skip
    # pcdarts: partial channels and a removed edge's bypass in the topology phase
    fit = METHODS.create("pcdarts", epochs=1, batch_size=64).fit(tiny_darts, task)
    decided, nodes = [], {}
    arch = perturbation_selection(
        fit, tune_steps=1, on_edge=lambda *d: decided.append(d),
        on_node=lambda node, kept: nodes.update({node: kept}),
    )  # fmt: skip
    assert_valid_darts(tiny_darts, arch)
    assert len(decided) == 28 and sorted(nodes) == [f"{c}.{k}" for c in CELLS for k in (3, 4, 5)]
    assert all(len(kept) == 2 for kept in nodes.values())  # node 2 has only its two inputs
    path = tiny_darts.edge_ops(arch)
    kept = {e for edges in nodes.values() for e in edges} | {
        f"{c}.2<-{i}" for c in CELLS for i in (0, 1)
    }
    assert kept == {e for e, op in path.items() if op}
    chosen = {edge: op for edge, op, _ in decided}
    for edge, op in path.items():  # the kept edge's decided op, unless it was `none`
        if op is not None and chosen[edge] != "none":
            assert op == chosen[edge]


def test_oneshot_command_searches_darts_cells(tmp_path):
    runner = CliRunner()
    result = runner.invoke(app, [
        "oneshot", "--method", "gdas", "--space", "darts", "--space-option", "search_cells=3",
        "--space-option", "search_channels=4", "--space-option", "cells=3",
        "--space-option", "channels=4", "--data", "digits", "--epochs", "1", "--retrain",
        "--final-epochs", "1", "--output", str(tmp_path), "--name", "run", "--no-export",
    ])  # fmt: skip
    assert result.exit_code == 0, result.output
    text = (tmp_path / "run" / "best_arch.txt").read_text().strip()
    assert text.startswith("Genotype(normal=[(") and text in result.output
    assert "none" not in text and "test accuracy after retraining" in result.output
    shown = runner.invoke(app, ["show", str(tmp_path / "run")])
    assert shown.exit_code == 0 and text in shown.output, shown.output
    assert set(GENOTYPE_OPERATIONS) >= {op for op in GENOTYPE_OPERATIONS if op in text}
