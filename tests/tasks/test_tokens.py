"""Token tasks: the elementary-cellular-automaton generator (rules checked against their
definitions, held-out rules, multi-step targets), its text settings, and token .npz."""

from __future__ import annotations

import numpy as np
import pytest

from nasforge.errors import DataFormatError
from nasforge.tasks import load_task
from nasforge.tasks.base import IGNORE
from nasforge.tasks.tokens import eca_step, eca_task


def test_rules_follow_their_definitions():
    state = np.array([[0, 0, 0, 1, 0, 0, 0]])
    assert eca_step(state, 90).tolist() == [[0, 0, 1, 0, 1, 0, 0]]  # left XOR right
    assert eca_step(state, 30).tolist() == [[0, 0, 1, 1, 1, 0, 0]]
    rng = np.random.default_rng(0)
    cells = rng.integers(0, 2, size=(50, 11))
    left, right = np.roll(cells, 1, 1), np.roll(cells, -1, 1)
    assert np.array_equal(eca_step(cells, 30), left ^ (cells | right))
    assert np.array_equal(eca_step(cells, 204), cells)  # identity rule


def test_targets_are_the_state_steps_ahead_and_held_out_rules_are_only_tested():
    task = eca_task(rules=(30, 110), held_out=(90,), width=10, steps=2, context=3,
                    examples=40, seed=3)  # fmt: skip
    x, y = task.x_test[:5], task.y_test[:5]
    states = [x[:, :10], x[:, 10:20], x[:, 20:]]
    after = eca_step(eca_step(states[2], 90), 90)
    assert np.array_equal(y[:, 20:], after) and (y[:, :20] == IGNORE).all()
    assert len(task.x_test) == 40 and len(task.x_train) + len(task.x_val) == 80
    assert task.kind == "tokens" and task.vocabulary == 2 and "held-out rules 90" in task.notes[0]
    again = eca_task(rules=(30, 110), held_out=(90,), width=10, steps=2, context=3,
                     examples=40, seed=3)  # fmt: skip
    assert np.array_equal(again.x_train, task.x_train)


def test_text_settings_and_their_errors():
    task = load_task("eca:rules=30+54:held-out=110:width=8:context=2:examples=30")
    assert task.input_shape == (16,) and len(task.x_test) == 30
    with pytest.raises(ValueError, match="bad part 'widht=8'"):
        load_task("eca:widht=8")
    with pytest.raises(ValueError, match=r"ECA rule 300 outside 0\.\.255"):
        load_task("eca:rules=300")


def test_token_npz_sequence_and_per_position_labels(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.integers(0, 9, size=(80, 12))
    np.savez(tmp_path / "seq.npz", x_train=x, y_train=(x.sum(1) > 48).astype(int))
    task = load_task(f"tokens:{tmp_path / 'seq.npz'}")
    assert task.kind == "tokens" and task.vocabulary == 9 and not task.per_position
    np.savez(tmp_path / "pos.npz", x_train=x, y_train=x % 3, vocabulary=10)
    tagged = load_task(f"tokens:{tmp_path / 'pos.npz'}")
    assert tagged.per_position and tagged.num_classes == 3 and tagged.vocabulary == 10
    np.savez(tmp_path / "bad.npz", x_train=x - 1, y_train=x % 3)
    with pytest.raises(DataFormatError, match="non-negative integer ids"):
        load_task(f"tokens:{tmp_path / 'bad.npz'}")
