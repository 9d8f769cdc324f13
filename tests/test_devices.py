"""`--device`: one resolver, one-line errors, CPU by default; the CUDA comparisons run
only where PyTorch sees a GPU."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from typer.testing import CliRunner

from nasforge.cli import app
from nasforge.devices import model_device, resolve_device
from nasforge.evaluators.training import TrainingEvaluator
from nasforge.evaluators.zerocost.evaluator import ZeroCostEvaluator
from nasforge.predictors import create_predictor
from nasforge.spaces import MLPSpace, NB201Space
from nasforge.tasks import load_task

CUDA = torch.cuda.is_available()
needs_cuda = pytest.mark.skipif(not CUDA, reason="needs a CUDA device")
runner = CliRunner()


def test_cpu_and_none_are_the_cpu():
    assert resolve_device("cpu") == resolve_device(None) == torch.device("cpu")
    assert resolve_device(torch.device("cpu")) == torch.device("cpu")
    assert resolve_device(" CPU ") == torch.device("cpu")


def test_auto_takes_cuda_only_when_present():
    assert resolve_device("auto") == torch.device("cuda:0" if CUDA else "cpu")


@pytest.mark.parametrize("spec", ["gpu", "cpu:1", "cuda:x", "cuda:", "auto:0", ""])
def test_a_malformed_spec_names_what_is_accepted(spec):
    with pytest.raises(ValueError, match=r"unknown device .*accepted: auto, cpu, cuda or cuda:N"):
        resolve_device(spec)


@pytest.mark.skipif(CUDA, reason="checks the message of a machine without CUDA")
@pytest.mark.parametrize("spec", ["cuda", "cuda:0", "cuda:3"])
def test_cuda_without_a_gpu_says_to_use_the_cpu(spec):
    with pytest.raises(ValueError, match="sees no CUDA device here; use --device cpu"):
        resolve_device(spec)


@needs_cuda
def test_a_cuda_index_beyond_the_machine_lists_the_devices():
    count = torch.cuda.device_count()
    with pytest.raises(ValueError, match=f"has {count} CUDA device"):
        resolve_device(f"cuda:{count}")


def test_model_device_of_a_model_without_parameters_is_the_cpu():
    assert model_device(torch.nn.ReLU()) == torch.device("cpu")


def _one_line(result, *words: str) -> None:
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    assert all(word in lines[0] for word in words), lines[0]


@pytest.mark.parametrize(
    "command",
    [
        ["search", "--data", "/nonexistent/data.csv"],
        ["proxies", "eval", "--n", "4"],
        ["predictors", "eval", "--seeds", "1"],
    ],
)
def test_every_device_option_fails_in_one_line_before_work(tmp_path, command):
    result = runner.invoke(app, [*command, "--output", str(tmp_path / "o"), "--device", "tpu"])
    _one_line(result, "unknown device 'tpu'", "accepted: auto, cpu, cuda or cuda:N")
    assert not (tmp_path / "o").exists() or not any((tmp_path / "o").iterdir())


@pytest.mark.skipif(CUDA, reason="checks the message of a machine without CUDA")
def test_search_on_a_missing_gpu_fails_in_one_line(tmp_path):
    result = runner.invoke(
        app, ["search", "--data", "/nonexistent/data.csv", "--output", str(tmp_path),
              "--device", "cuda:0"],
    )  # fmt: skip
    _one_line(result, "no CUDA device", "--device cpu")


def test_the_trainer_checks_its_device_before_training():
    wine = load_task("wine")
    trainer = TrainingEvaluator(MLPSpace(), wine, epochs=1, device="cuda:99" if CUDA else "cuda")
    with pytest.raises(ValueError, match="CUDA device"):
        trainer.evaluate(MLPSpace().parse("mlp:32:relu:dropout=0.0:norm=none"))


def test_the_graph_predictor_takes_the_device_others_ignore_it():
    space = NB201Space()
    assert create_predictor("gin", space, 0, device="auto").device == "auto"
    assert "device" not in vars(create_predictor("mlp_ensemble", space, 0, device="auto"))


@needs_cuda
def test_training_on_cuda_matches_the_cpu():
    wine = load_task("wine")
    space = MLPSpace()
    arch = space.parse("mlp:32:relu:dropout=0.0:norm=batch")
    curves = {
        device: TrainingEvaluator(space, wine, epochs=3, device=device).evaluate(arch)
        for device in ("cpu", "cuda")
    }
    assert np.allclose(curves["cpu"].curve, curves["cuda"].curve, atol=3.0)
    assert curves["cpu"].metrics["flops"] == curves["cuda"].metrics["flops"]


@needs_cuda
def test_proxies_on_cuda_match_the_cpu():
    space = NB201Space(channels=8, cells=1)
    arch = space.sample(np.random.default_rng(0))
    scores = {
        device: ZeroCostEvaluator(
            ("synflow", "snip", "nwot", "jacov", "zen", "flops"), "cifar10", space,
            data="gaussian", batch_size=16, device=device,
        ).scores(arch)
        for device in ("cpu", "cuda")
    }  # fmt: skip
    for name, value in scores["cpu"].items():
        assert np.isclose(value, scores["cuda"][name], rtol=1e-2, atol=1e-3), name
