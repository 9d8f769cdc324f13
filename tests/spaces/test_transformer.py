"""The transformer space on series and tokens: the conformance suite, exact parameter and
FLOP counts by hand, text form errors, per-position outputs, ONNX export with token ids."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from nasforge.constraints import count_flops, count_params
from nasforge.spaces import get_space
from nasforge.tasks import Task
from nasforge.tasks.base import IGNORE
from nasforge.tasks.tokens import eca_task
from nasforge.testing import check_space

SERIES = Task("series", (3, 20), 4)
TOKENS = Task("tok", (12,), 5, kind="tokens", vocabulary=7)


@pytest.fixture(scope="module")
def space():
    return get_space("transformer")


def test_conformance_on_series_and_tokens(space):
    check_space(space, SERIES, samples=20)
    check_space(space, TOKENS, samples=5)


def test_params_and_flops_match_the_hand_count(space):
    arch = space.parse("transformer:L1-h2-d16-ff2:pos=learned:pool=mean")
    model = space.build(arch, SERIES)
    d, length, f = 16, 20, 32
    layer = 2 * 2 * d + (d * 3 * d + 3 * d) + (d * d + d) + (d * f + f) + (f * d + d)
    params = (3 * d + d) + length * d + layer + 2 * d + (d * 4 + 4)
    assert count_params(model) == params
    per_position = 3 * d + d + 2 * (2 * d) + 3 * d * d + 3 * d + d * d + d + d * f + f + f
    per_position += f * d + d + 2 * d  # second FF layer, final LayerNorm
    flops = length * per_position + 2 * length * length * d + d * 4 + 4
    assert count_flops(model, SERIES.input_shape) == flops


def test_parse_names_the_bad_token(space):
    with pytest.raises(ValueError, match="bad token 'x4'"):
        space.parse("transformer:L2-x4-d32-ff2:pos=learned:pool=mean")
    with pytest.raises(ValueError, match="'rotary' is not a choice for 'positional'"):
        space.parse("transformer:L2-h4-d32-ff2:pos=rotary:pool=mean")
    with pytest.raises(ValueError, match="malformed transformer string"):
        space.parse("transformer:L2-h4-d32-ff2")


def test_per_position_outputs_and_onnx_with_token_ids(space, tmp_path):
    task = eca_task(rules=(30,), width=8, context=2, examples=20)
    assert task.per_position and task.input_shape == (16,) and task.y_train.shape[1] == 16
    arch = space.parse("transformer:L2-h4-d32-ff2:pos=sinusoidal:pool=cls")
    model = space.build(arch, task)
    out = model(torch.from_numpy(task.x_train[:3]))
    assert out.shape == (3, 2, 16)
    probabilities = task.decode(out.detach().numpy())
    assert probabilities.shape == (48, 2) and task.truth(task.y_train[:3]).shape == (48,)
    labels = task.y_train[:3].reshape(-1)
    keep = labels != IGNORE  # only the last state's 8 cells of each sequence are scored
    manual = 100.0 * (probabilities[keep].argmax(1) == labels[keep]).mean()
    assert keep.sum() == 24 and task.scores(probabilities, task.y_train[:3])["val_acc"] == (
        pytest.approx(manual)
    )
    pytest.importorskip("onnxruntime")
    from nasforge.export import export_onnx

    assert export_onnx(model, task.input_shape, tmp_path / "m.onnx", vocabulary=2) < 1e-4


def test_space_refuses_tables_and_draws(space):
    with pytest.raises(ValueError, match="builds for series, tokens tasks, not table"):
        space.build(space.sample(np.random.default_rng(0)), Task("t", (5,), 2))
    arch = space.parse("transformer:L3-h1-d64-ff4:pos=none:pool=max")
    drawing = space.drawing(arch)
    assert len(drawing.layers) == 4 and drawing.layers[-1].kind == "pooling"
