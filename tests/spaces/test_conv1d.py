"""The conv1d space: the conformance suite, exact parameter and FLOP counts by hand,
text form errors, ONNX export, drawing, its microcontroller-sized extremes, and token
sequences (embedded; per-position logits that keep the length)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from nasforge.constraints import count_flops, count_params, peak_activation_bytes
from nasforge.spaces import default_space, get_space
from nasforge.tasks import Task
from nasforge.tasks.tokens import eca_task
from nasforge.testing import check_space

SERIES = Task("series", (6, 100), 4)


@pytest.fixture(scope="module")
def space():
    return get_space("conv1d")


def test_conformance(space):
    check_space(space, SERIES, samples=30)


def test_params_and_flops_match_the_hand_count(space):
    arch = space.parse("conv1d:16k5d1-32k3d2:pool=none:res=1:norm=batch:head=avg")
    model = space.build(arch, SERIES)
    # conv 6*16*5, BN 2*16, 1x1 shortcut 6*16; conv 16*32*3, BN 2*32, shortcut 16*32; head
    assert count_params(model) == 480 + 32 + 96 + 1536 + 64 + 512 + 32 * 4 + 4
    # per output element: MACs; BN 2; ReLU 1 (sums and the global mean are not counted)
    flops = 1600 * 30 + 3200 + 1600 + 1600 * 6 + 3200 * 48 + 6400 + 3200 + 3200 * 16 + 132
    assert count_flops(model, SERIES.input_shape) == flops
    pooled = space.build(space.parse("conv1d:8k3d1:pool=max:res=0:norm=none:head=max"), SERIES)
    # conv with bias 800*(18+1), ReLU 800, max pool 400*2, linear 8*4+4
    assert count_flops(pooled, SERIES.input_shape) == 800 * 19 + 800 + 800 + 36


def test_parse_names_the_bad_token(space):
    with pytest.raises(ValueError, match="bad block '16x5d1'"):
        space.parse("conv1d:16x5d1:pool=max:res=1:norm=batch:head=avg")
    with pytest.raises(ValueError, match="bad token 'res=2'"):
        space.parse("conv1d:16k5d1:pool=max:res=2:norm=batch:head=avg")
    with pytest.raises(ValueError, match="12 is not a choice for 'channels_1'"):
        space.parse("conv1d:12k5d1:pool=max:res=1:norm=batch:head=avg")
    with pytest.raises(ValueError, match="malformed conv1d string"):
        space.parse("mlp:16:relu:dropout=0:norm=none")


def test_inactive_blocks_are_one_architecture(space):
    arch = space.parse("conv1d:16k5d1:pool=avg:res=0:norm=none:head=avg")
    assert space.canonical(arch.replace(kernel_3=9)) == arch
    assert arch not in space.neighbors(arch)


def test_short_series_skip_pooling_and_every_model_fits_a_microcontroller(space):
    tiny = Task("tiny", (1, 3), 2)
    arch = space.parse("conv1d:8k3d1-8k3d1-8k3d1-8k3d1:pool=max:res=1:norm=batch:head=max")
    assert space.build(arch, tiny)(torch.randn(2, 1, 3)).shape == (2, 2)
    largest = space.parse("conv1d:64k9d4-64k9d4-64k9d4-64k9d4:pool=none:res=1:norm=none:head=avg")
    model = space.build(largest, SERIES)
    assert count_params(model) < 120_000  # under 480 kB as float32
    assert peak_activation_bytes(model, SERIES.input_shape) == 2 * 64 * 100 * 4


def test_onnx_export_and_drawing(space, tmp_path):
    pytest.importorskip("onnxruntime")
    from nasforge.export import export_onnx

    arch = space.sample(np.random.default_rng(3))
    model = space.build(arch, SERIES)
    assert export_onnx(model, SERIES.input_shape, tmp_path / "m.onnx") < 1e-4
    drawing = space.drawing(arch)
    assert len(drawing.layers) == arch["depth"] and drawing.title == space.format(arch)
    assert {layer.kind for layer in drawing.layers} <= set(drawing.kinds)


def test_tokens_are_embedded_and_per_position_targets_keep_the_length(space, tmp_path):
    tokens = Task("tok", (12,), 5, kind="tokens", vocabulary=7)
    check_space(space, tokens, samples=5)
    arch = space.parse("conv1d:16k3d1-8k5d2:pool=max:res=1:norm=batch:head=avg")
    ids = torch.randint(0, 7, (4, 12))
    assert space.build(arch, tokens)(ids).shape == (4, 5)
    cells = eca_task(rules=(30,), width=8, context=2, examples=20)
    assert default_space(cells).name == "conv1d" and default_space(tokens).name == "transformer"
    model = space.build(arch, cells)
    assert not any(isinstance(m, torch.nn.MaxPool1d) for m in model.modules())
    # embedding 2*16; conv 16*16*3, BN 2*16; conv 16*8*5, BN 2*8, 1x1 shortcut 16*8; head
    assert count_params(model) == 32 + 768 + 32 + 640 + 16 + 128 + 8 * 2 + 2
    out = model(torch.from_numpy(cells.x_train[:3]))
    assert out.shape == (3, 2, 16) and cells.decode(out.detach().numpy()).shape == (48, 2)
    pytest.importorskip("onnxruntime")
    from nasforge.export import export_onnx

    assert export_onnx(model, cells.input_shape, tmp_path / "m.onnx", vocabulary=2) < 1e-4
