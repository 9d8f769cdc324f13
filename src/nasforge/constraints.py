"""Hardware cost of a model (parameters, FLOPs, latency, peak activation memory), hard
constraints on it, and Pareto fronts over several objectives.

FLOPs follow the NAS-Bench-201 reference convention (within 0.1% of its published
figures) so our numbers compare with the benchmark's: convolution (2-D and 1-D) and
linear layers count multiply-accumulates (plus bias adds), average/max pooling k*k (k in
1-D) per output element,
BatchNorm and LayerNorm 2 per element (scale and shift), ReLU 1 per element, attention
2 L^2 d (Q K^T and weights x V; a leaf module with a `count_flops(inputs, output)`
method counts itself). Elementwise sums, softmax and global pooling are not counted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from nasforge.devices import model_device, synchronize


def count_params(model: nn.Module) -> int:
    """Number of trainable and frozen parameters of `model`."""
    return sum(p.numel() for p in model.parameters())


def _layer_flops(module: nn.Module, inputs: tuple, output: torch.Tensor) -> int:
    own = getattr(module, "count_flops", None)  # parameter-free cores (attention) count themselves
    if callable(own):
        return int(own(inputs, output))
    elements = output.numel()
    if isinstance(module, nn.Conv2d | nn.Conv1d):
        taps = int(np.prod(module.kernel_size))
        flops = elements * (module.in_channels // module.groups) * taps
        return flops + (elements if module.bias is not None else 0)
    if isinstance(module, nn.Linear):
        rows = elements // module.out_features
        flops = rows * module.in_features * module.out_features
        return flops + (elements if module.bias is not None else 0)
    if isinstance(module, nn.AvgPool2d | nn.MaxPool2d):
        k = module.kernel_size
        kh, kw = (k, k) if isinstance(k, int) else k
        return elements * kh * kw
    if isinstance(module, nn.AvgPool1d | nn.MaxPool1d):
        k = module.kernel_size
        return elements * (k if isinstance(k, int) else k[0])
    if isinstance(module, nn.BatchNorm2d | nn.BatchNorm1d | nn.LayerNorm):
        return 2 * elements
    if isinstance(module, nn.ReLU):
        return elements
    return 0


def _forward_with_leaf_hook(
    model: nn.Module, input_shape: tuple[int, ...], hook: Callable[..., None]
) -> None:
    """One batch-1 eval-mode forward pass with `hook` on every leaf module; the model's
    mode is restored and the hooks removed afterwards."""
    leaves = [m for m in model.modules() if not list(m.children())]
    handles = [m.register_forward_hook(hook) for m in leaves]
    was_training = model.training
    try:
        model.eval()
        with torch.no_grad():
            model(torch.zeros(1, *input_shape, device=model_device(model)))
    finally:
        model.train(was_training)
        for handle in handles:
            handle.remove()


def count_flops(model: nn.Module, input_shape: tuple[int, ...]) -> int:
    """FLOPs of one forward pass of a single example of `input_shape` (batch dimension added)."""
    total = 0

    def hook(module: nn.Module, inputs: tuple, output: torch.Tensor) -> None:
        nonlocal total
        total += _layer_flops(module, inputs, output)

    _forward_with_leaf_hook(model, input_shape, hook)
    return total


def measure_latency_ms(
    model: nn.Module, input_shape: tuple[int, ...], repeats: int = 20, warmup: int = 3
) -> float:
    """Median wall time (ms) of a batch-1 forward pass on this machine (on the model's
    device, queued GPU work included), warm-up excluded."""
    import time

    was_training = model.training
    model.eval()
    device = model_device(model)
    x = torch.zeros(1, *input_shape, device=device)
    times = []
    with torch.no_grad():
        for i in range(warmup + repeats):
            start = time.perf_counter()
            model(x)
            synchronize(device)
            if i >= warmup:
                times.append(time.perf_counter() - start)
    model.train(was_training)
    return 1000.0 * sorted(times)[len(times) // 2]


def peak_activation_bytes(model: nn.Module, input_shape: tuple[int, ...]) -> int:
    """Largest input + output size (bytes, batch 1) of any single layer: the activation
    memory an inference engine that frees tensors eagerly needs at its peak."""
    peak = 0

    def hook(_module: nn.Module, inputs: tuple, output: torch.Tensor) -> None:
        nonlocal peak
        tensors = [t for t in inputs if isinstance(t, torch.Tensor)]
        if isinstance(output, torch.Tensor):
            tensors.append(output)
        peak = max(peak, sum(t.numel() * t.element_size() for t in tensors))

    _forward_with_leaf_hook(model, input_shape, hook)
    return peak


def parameter_bytes(model: nn.Module) -> int:
    """Bytes of the stored weights: parameters plus floating-point buffers (BatchNorm
    statistics), at their dtypes: what a device keeps in flash."""
    tensors = [*model.parameters(), *(b for b in model.buffers() if b.is_floating_point())]
    return sum(t.numel() * t.element_size() for t in tensors)


_SUFFIXES = {"": 1, "k": 1e3, "m": 1e6, "g": 1e9}
_BYTE_SUFFIXES = {"": 1, "k": 2**10, "m": 2**20, "g": 2**30}


def parse_bytes(text: str | float | int) -> float:
    """Memory sizes in binary units: '64k' / '64KiB' / '64kb' -> 65536, '1M' -> 2**20."""
    if isinstance(text, int | float):
        return float(text)
    raw = text.strip().lower().removesuffix("ib").removesuffix("b")
    number, suffix = (raw[:-1], raw[-1]) if raw and raw[-1] in "kmg" else (raw, "")
    try:
        return float(number) * _BYTE_SUFFIXES[suffix]
    except ValueError:
        raise ValueError(
            f"bad memory size {text!r}; use bytes with an optional k, M or G (KiB, MiB, GiB)"
        ) from None


def parse_quantity(text: str | float | int) -> float:
    """'100k' -> 1e5, '2.5M' -> 2.5e6, '3G' -> 3e9; plain numbers pass through."""
    if isinstance(text, int | float):
        return float(text)
    raw = text.strip().lower()
    number, suffix = (raw[:-1], raw[-1]) if raw and raw[-1] in "kmg" else (raw, "")
    try:
        return float(number) * _SUFFIXES[suffix]
    except ValueError:
        raise ValueError(
            f"bad quantity {text!r}; use a number with an optional k, M or G"
        ) from None


@dataclass(frozen=True)
class Constraints:
    """Hard limits checked on the built model before any training (None: no limit);
    `max_param_bytes` and `max_peak_memory` are bytes (weights; peak activations)."""

    max_params: float | None = None
    max_flops: float | None = None
    max_latency_ms: float | None = None
    max_param_bytes: float | None = None
    max_peak_memory: float | None = None

    def __post_init__(self) -> None:
        for name, limit in vars(self).items():
            if limit is not None and not limit > 0:  # NaN too: it would limit nothing
                raise ValueError(f"{name} must be a positive limit, got {limit:g}")

    def measure(self, model: nn.Module, input_shape: tuple[int, ...]) -> dict[str, float]:
        """params, flops, param_bytes and peak activation memory (peak_memory in bytes,
        peak_activation_kb in KiB) always; latency_ms only when it is constrained or an
        objective (it costs time)."""
        peak = peak_activation_bytes(model, input_shape)
        measures = {
            "params": float(count_params(model)),
            "flops": float(count_flops(model, input_shape)),
            "param_bytes": float(parameter_bytes(model)),
            "peak_memory": float(peak),
            "peak_activation_kb": peak / 1024,
        }
        if self.max_latency_ms is not None:
            measures["latency_ms"] = measure_latency_ms(model, input_shape)
        return measures

    def violations(self, measures: dict[str, float]) -> list[str]:
        """Human-readable reasons the measures break the limits (empty when feasible)."""
        limits = (
            ("params", self.max_params), ("flops", self.max_flops),
            ("latency_ms", self.max_latency_ms), ("param_bytes", self.max_param_bytes),
            ("peak_memory", self.max_peak_memory),
        )  # fmt: skip
        return [
            f"{name} {measures[name]:.4g} > {limit:.4g}"
            for name, limit in limits
            if limit is not None and name in measures and measures[name] > limit
        ]


def pareto_front(values: np.ndarray, maximize: list[bool]) -> np.ndarray:
    """Indices of the non-dominated rows of `values` (one column per objective)."""
    signed = np.asarray(values, dtype=float) * np.where(maximize, 1.0, -1.0)
    front = []
    for i, row in enumerate(signed):
        dominated = np.any(np.all(signed >= row, axis=1) & np.any(signed > row, axis=1))
        if not dominated:
            front.append(i)
    return np.array(front, dtype=int)
