"""Where models run: the one resolver behind every `--device` option (training, proxies,
predictors, one-shot methods). CPU is the default everywhere and the tested path;
`auto` takes the first CUDA device when PyTorch sees one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import torch
from torch import nn

DEVICES_DOC = "auto, cpu, cuda or cuda:N"
_SPEC = re.compile(r"^(auto|cpu|cuda)(?::(\d+))?$")


def resolve_device(spec: str | torch.device | None = "cpu") -> torch.device:
    """The `torch.device` named by `spec` (`auto`, `cpu`, `cuda`, `cuda:N`; None means
    cpu); a ValueError saying what to use instead for a malformed spec or a CUDA device
    this machine does not have."""
    if isinstance(spec, torch.device):
        spec = str(spec)
    text = "cpu" if spec is None else str(spec).strip().lower()
    match = _SPEC.match(text)
    if match is None or (match.group(2) is not None and match.group(1) != "cuda"):
        raise ValueError(f"unknown device {spec!r}; accepted: {DEVICES_DOC}")
    kind, index = match.group(1), match.group(2)
    if kind == "cpu":
        return torch.device("cpu")
    available = torch.cuda.is_available()
    if kind == "auto":
        return torch.device("cuda:0" if available else "cpu")
    if not available:
        raise ValueError(
            f"device {text!r} requested but PyTorch sees no CUDA device here; "
            "use --device cpu (or auto, which falls back to the CPU)"
        )
    number = int(index or 0)
    count = torch.cuda.device_count()
    if number >= count:
        raise ValueError(
            f"device {text!r} requested but this machine has {count} CUDA device(s): "
            f"use cuda:0 .. cuda:{count - 1}"
        )
    return torch.device("cuda", number)


def model_device(model: nn.Module) -> torch.device:
    """The device of the model's first parameter or buffer (cpu for a model with none)."""
    for tensor in model.parameters():
        return tensor.device
    for tensor in model.buffers():
        return tensor.device
    return torch.device("cpu")


def synchronize(device: torch.device) -> None:
    """Wait for the device's queued work (a no-op on the CPU), before reading a clock."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)


__all__ = ["DEVICES_DOC", "model_device", "resolve_device", "synchronize"]


@contextmanager
def torch_threads(count: int | None) -> Iterator[None]:
    """PyTorch's intra-op thread count set to `count` (None or 0: unchanged) inside the
    block and restored after: one setting for training, supernets and selection."""
    previous = torch.get_num_threads()
    if count:
        torch.set_num_threads(count)
    try:
        yield
    finally:
        torch.set_num_threads(previous)
