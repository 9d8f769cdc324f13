"""Export a trained model: PyTorch state_dict and ONNX (checked against PyTorch with
onnxruntime)."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import torch
from torch import nn


def save_state_dict(model: nn.Module, path: str | Path) -> Path:
    path = Path(path)
    torch.save(model.state_dict(), path)
    return path


def export_onnx(
    model: nn.Module,
    input_shape: tuple[int, ...],
    path: str | Path,
    tolerance: float = 1e-4,
    vocabulary: int = 0,
) -> float:
    """Write `model` as ONNX with a dynamic batch axis; returns the largest absolute
    difference between onnxruntime's and PyTorch's outputs on a random batch (int64 ids
    below `vocabulary` when it is set: token models), and raises `RuntimeError` when it
    exceeds `tolerance`."""
    try:
        import onnxruntime
    except ImportError:
        raise ImportError(
            "ONNX export needs onnx, onnxscript and onnxruntime: pip install 'nasforge[export]'"
        ) from None
    path = Path(path)
    model.eval()
    generator = torch.Generator().manual_seed(0)
    if vocabulary:
        example = torch.randint(0, vocabulary, (2, *input_shape), generator=generator)
    else:
        example = torch.randn(2, *input_shape, generator=generator)
    # The TorchScript exporter: fast and quiet for these plain convolutional/MLP models
    # (the torch.export-based one takes seconds per model); its deprecation is muted, and
    # so is its note that strided slices (DARTS' reducing edges) are not constant-folded.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.filterwarnings("ignore", "Constant folding", UserWarning)
        torch.onnx.export(
            model, (example,), str(path), input_names=["input"], output_names=["logits"],
            dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}}, dynamo=False,
        )  # fmt: skip
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    with torch.no_grad():
        expected = model(example).numpy()
    actual = session.run(None, {"input": example.numpy()})[0]
    difference = float(np.abs(actual - expected).max())
    if difference > tolerance:
        raise RuntimeError(f"ONNX output differs from PyTorch by {difference:.2e} (> {tolerance})")
    return difference
