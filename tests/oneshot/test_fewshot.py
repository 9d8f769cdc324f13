"""Few-shot SPOS (Zhao et al., ICML 2021) on real digits: the split gives one sub-supernet
per operation of the split edge, inheriting the parent's weights; each trains only paths
with its operation there, and an architecture is judged by its operation's sub-supernet."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from typer.testing import CliRunner

from nasforge.cli import app
from nasforge.oneshot import SPOS, FewShotSPOS, SupernetEvaluator, split_supernet
from nasforge.oneshot.fewshot import sample_with
from nasforge.oneshot.spos import inherited_scores
from nasforge.oneshot.supernet import MixedEdge, Supernet
from nasforge.run.oneshot import oneshot
from nasforge.study import load_study

EDGE = "2<-1"
OPS = ("none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3")


def _state(supernet: Supernet) -> dict[str, torch.Tensor]:
    return supernet.network.state_dict()


@pytest.fixture(scope="module")
def few_shot_fit(small_digits, tiny_space):
    method = FewShotSPOS(EDGE, split_epoch=2, epochs=4, batch_size=32, seed=0)
    reports = []
    fit = method.fit(tiny_space, small_digits, reports.append)
    return fit, reports


def test_split_copies_the_trained_supernet_once_per_operation(small_digits, tiny_space):
    parent = SPOS(epochs=2, batch_size=32, seed=0).fit(tiny_space, small_digits).supernet
    split = split_supernet(parent, EDGE)
    assert tuple(split.children) == OPS and split.parent is parent
    x, y = parent.tensors(small_digits.x_val, small_digits.y_val)
    (calibration,) = parent.tensors(small_digits.x_train[:128])
    for child in split.children.values():
        assert child.task is parent.task and child.space is parent.space
        for key, value in _state(parent).items():
            assert torch.equal(_state(child)[key], value), key  # weights and BN statistics
            assert _state(child)[key].data_ptr() != value.data_ptr()  # copies, not shared
    arch = tiny_space.sample(np.random.default_rng(3))
    expected = inherited_scores(parent, arch, calibration, x, y)  # recalibrates the parent
    for child in split.children.values():
        assert inherited_scores(child, arch, calibration, x, y) == pytest.approx(expected)
        assert all(edge.state is child.state for edge in child.network.modules()
                   if isinstance(edge, MixedEdge))  # fmt: skip
    with pytest.raises(ValueError, match=r"unknown split edge 'nope'.*1<-0"):
        split_supernet(parent, "nope")


def test_sub_supernets_train_only_paths_with_their_operation(few_shot_fit, tiny_space):
    fit, reports = few_shot_fit
    split = fit.supernet
    assert [r.epoch for r in reports] == [1, 2, 3, 4] and tuple(split.children) == OPS
    assert reports[-1].train_loss < reports[0].train_loss
    for op, child in split.children.items():
        parent_edges = [m for m in split.parent.network.modules() if isinstance(m, MixedEdge)]
        child_edges = [m for m in child.network.modules() if isinstance(m, MixedEdge)]
        for before, after in zip(parent_edges, child_edges):
            for name, a, b in zip(after.names, after.ops, before.ops):
                same = all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))
                if after.edge == EDGE and name != op:
                    assert same, (op, name)  # never on a path of this sub-supernet
                elif after.edge == EDGE and name == "nor_conv_3x3":
                    assert not same, op  # its own operation trained after the split
    rng = np.random.default_rng(0)
    assert {sample_with(tiny_space, EDGE, "skip_connect", rng)[EDGE] for _ in range(20)} == {
        "skip_connect"
    }


def test_children_inherit_the_warm_up_weights(few_shot_fit, small_digits, tiny_space):
    split = few_shot_fit[0].supernet
    fresh = Supernet(tiny_space, small_digits, seed=1)

    def distance(a: Supernet, b: Supernet) -> float:
        return sum(float((p - q).detach().norm()) for p, q in
                   zip(a.network.parameters(), b.network.parameters()))  # fmt: skip

    for child in split.children.values():  # two epochs after the split stay near the parent
        assert distance(child, split.parent) < 0.1 * distance(fresh, split.parent)


def test_evaluator_routes_each_arch_to_its_operation(few_shot_fit, small_digits, tiny_space):
    split = few_shot_fit[0].supernet
    evaluator = SupernetEvaluator(split)
    x, y = split.tensors(small_digits.x_val, small_digits.y_val)
    (calibration,) = split.tensors(small_digits.x_train[:512])
    rng = np.random.default_rng(5)
    seen = set()
    for _ in range(12):
        arch = tiny_space.sample(rng)
        op = arch[EDGE]
        seen.add(op)
        assert split.route(arch) is split.children[op]
        got = evaluator.evaluate(arch).metrics["val_acc"]
        assert got == pytest.approx(
            inherited_scores(split.children[op], arch, calibration, x, y)[1]
        )
    assert len(seen) >= 3


def test_split_keys_are_what_the_sampler_puts_on_the_edge():
    from nasforge.oneshot.fewshot import split_ops
    from nasforge.registry import SPACES

    darts = SPACES.create("darts")  # its sampler never picks none; later nodes skip inputs
    ops = darts.supernet_edges()["normal.2<-0"]
    assert split_ops(darts, "normal.2<-0") == tuple(op for op in ops if op != "none")
    later = split_ops(darts, "normal.5<-0")
    assert later[-1] is None and "none" not in later and len(later) == len(ops)
    arch = sample_with(darts, "normal.5<-0", None, np.random.default_rng(0))
    assert darts.edge_ops(arch)["normal.5<-0"] is None


def test_bad_split_settings(small_digits, tiny_space):
    with pytest.raises(ValueError, match="split_epoch must be from 0 to epochs - 1 = 1"):
        FewShotSPOS(EDGE, split_epoch=2, epochs=2).fit(tiny_space, small_digits)
    with pytest.raises(ValueError, match="few_shot applies to spos only"):
        oneshot(small_digits, method="darts", space=tiny_space, few_shot=EDGE, output_dir=None)


def test_cli_few_shot_spos_runs(small_digits, tmp_path):
    x = np.concatenate([small_digits.x_train, small_digits.x_val])
    np.savez(tmp_path / "digits.npz", x_train=x,
             y_train=np.concatenate([small_digits.y_train, small_digits.y_val]))  # fmt: skip
    result = CliRunner().invoke(app, [
        "oneshot", "--method", "spos", "--few-shot", EDGE, "--split-epoch", "1", "--epochs", "2",
        "--data", str(tmp_path / "digits.npz"), "--strategy", "random", "--trials", "4",
        "--output", str(tmp_path / "runs"), "--name", "few",
    ])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "split on edge 2<-1 after epoch 1 into 5 sub-supernets" in result.output
    assert "chosen (spos, strategy)" in result.output
    assert len(load_study(tmp_path / "runs" / "few").history()) == 4
    settings = json.loads((tmp_path / "runs" / "few" / "oneshot.json").read_text())["settings"]
    assert settings["split_edge"] == EDGE and settings["split_epoch"] == 1
    assert settings["strategy"] == "random" and settings["trials"] == 4
    bad = CliRunner().invoke(app, ["oneshot", "--method", "spos", "--few-shot", "9<-9",
                                   "--output", str(tmp_path / "bad")])  # fmt: skip
    assert bad.exit_code == 2 and "unknown split edge '9<-9'" in bad.stderr
