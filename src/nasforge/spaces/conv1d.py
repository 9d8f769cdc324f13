"""Temporal convolution space for time series, after the searched 1-D CNNs of MicroNAS
(King et al., "MicroNAS: Memory and latency constrained hardware-aware neural
architecture search for time series classification on microcontrollers", 2023) and the
dilated residual blocks of TCNs (Bai et al., 2018): depth, per-block channels, kernel and
dilation, residual connections, pooling between blocks, normalisation and the global
pooling head are searched. Widths stay small (8-64 channels) so that every member fits a
microcontroller's memory.

Token sequences are embedded first (one vector of the first block's width per id); for
per-position targets (token labelling, as in the dilated TCNs of Bai et al.) blocks keep
the length (no pooling between them) and a 1x1 convolution gives each position's logits.

Blocks beyond the chosen depth are inactive: their decisions are kept at their first
value so that equal networks have one architecture.
"""

from __future__ import annotations

import re

import numpy as np
import torch
from torch import nn

from nasforge.architecture import Architecture
from nasforge.spaces.base import CategoricalSpace
from nasforge.spaces.drawing import Layer, LayerDrawing
from nasforge.tasks import Task

POOLS = ("none", "max", "avg")
NORMS = ("none", "batch")
HEADS = ("avg", "max")
_BLOCK = re.compile(r"^(\d+)k(\d+)d(\d+)$")


class ConvBlock1d(nn.Module):
    """Conv1d ('same' padding, dilated) -> optional BatchNorm -> ReLU, plus an identity or
    1x1-projection shortcut when `residual`."""

    def __init__(
        self, c_in: int, c_out: int, kernel: int, dilation: int, norm: str, residual: bool
    ) -> None:
        super().__init__()
        padding = dilation * (kernel - 1) // 2
        layers: list[nn.Module] = [
            nn.Conv1d(c_in, c_out, kernel, padding=padding, dilation=dilation,
                      bias=norm == "none"),
        ]  # fmt: skip
        if norm == "batch":
            layers.append(nn.BatchNorm1d(c_out))
        layers.append(nn.ReLU())
        self.body = nn.Sequential(*layers)
        self.shortcut: nn.Module | None = None
        if residual:
            same = c_in == c_out
            self.shortcut = nn.Identity() if same else nn.Conv1d(c_in, c_out, 1, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.body(x)
        return out if self.shortcut is None else out + self.shortcut(x)


class GlobalPool1d(nn.Module):
    """Mean or max over the time axis: (n, c, length) -> (n, c)."""

    def __init__(self, how: str) -> None:
        super().__init__()
        self.how = how

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.mean(dim=-1) if self.how == "avg" else x.amax(dim=-1)


class TokenEmbedding1d(nn.Module):
    """Token ids (n, length) -> (n, width, length) learned vectors, channels first."""

    def __init__(self, vocabulary: int, width: int) -> None:
        super().__init__()
        self.embed = nn.Embedding(vocabulary, width)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.embed(x.long()).transpose(1, 2)


class Conv1dSpace(CategoricalSpace):
    """Stacks of `depth` temporal convolution blocks over (channels, length) series or
    embedded token sequences."""

    name = "conv1d"
    kinds = ("series", "tokens")

    def __init__(
        self,
        max_depth: int = 4,
        channels: tuple[int, ...] = (8, 16, 32, 64),
        kernels: tuple[int, ...] = (3, 5, 7, 9),
        dilations: tuple[int, ...] = (1, 2, 4),
    ) -> None:
        self.max_depth = max_depth
        self.channels = channels
        self.kernels = kernels
        self.dilations = dilations
        blocks = []
        for i in range(1, max_depth + 1):
            blocks += [(f"channels_{i}", tuple(channels)), (f"kernel_{i}", tuple(kernels)),
                       (f"dilation_{i}", tuple(dilations))]  # fmt: skip
        self.decisions = (
            ("depth", tuple(range(1, max_depth + 1))),
            *blocks,
            ("pool", POOLS),
            ("residual", (False, True)),
            ("norm", NORMS),
            ("head", HEADS),
        )
        super().__init__()

    def _first(self) -> dict:
        return {"channels": self.channels[0], "kernel": self.kernels[0],
                "dilation": self.dilations[0]}  # fmt: skip

    def canonical(self, arch: Architecture) -> Architecture:
        """`arch` with the decisions of inactive blocks reset to their first value."""
        first = self._first()
        changes = {
            f"{key}_{i}": value
            for i in range(arch["depth"] + 1, self.max_depth + 1)
            for key, value in first.items()
        }
        return arch.replace(**changes) if changes else arch

    def __len__(self) -> int:
        per_block = len(self.channels) * len(self.kernels) * len(self.dilations)
        stacks = sum(per_block**d for d in range(1, self.max_depth + 1))
        return stacks * len(POOLS) * 2 * len(NORMS) * len(HEADS)

    def blocks(self, arch: Architecture) -> list[tuple[int, int, int]]:
        """(channels, kernel, dilation) of each active block."""
        return [
            (arch[f"channels_{i}"], arch[f"kernel_{i}"], arch[f"dilation_{i}"])
            for i in range(1, arch["depth"] + 1)
        ]

    def format(self, arch: Architecture) -> str:
        blocks = "-".join(f"{c}k{k}d{d}" for c, k, d in self.blocks(arch))
        return (
            f"conv1d:{blocks}:pool={arch['pool']}:res={int(arch['residual'])}:"
            f"norm={arch['norm']}:head={arch['head']}"
        )

    def parse(self, text: str) -> Architecture:
        parts = text.strip().split(":")
        if len(parts) != 6 or parts[0] != "conv1d":
            raise ValueError(
                f"malformed conv1d string {text!r}; expected conv1d:<CkKdD-...>:pool=<p>:"
                "res=<0|1>:norm=<n>:head=<h>, e.g. conv1d:16k5d1-32k3d2:pool=max:res=1:"
                "norm=batch:head=avg"
            )
        blocks = []
        for token in parts[1].split("-"):
            match = _BLOCK.match(token)
            if match is None:
                raise ValueError(f"bad block {token!r} in {text!r}: expected e.g. 16k5d1")
            blocks.append(tuple(int(g) for g in match.groups()))
        if not 1 <= len(blocks) <= self.max_depth:
            raise ValueError(f"depth {len(blocks)} in {text!r} outside 1..{self.max_depth}")
        fields = {}
        for token, key in zip(parts[2:], ("pool", "res", "norm", "head")):
            label, sep, value = token.partition("=")
            if label != key or not sep:
                raise ValueError(f"bad token {token!r} in {text!r}: expected {key}=<value>")
            fields[key] = value
        if fields["res"] not in ("0", "1"):
            raise ValueError(f"bad token 'res={fields['res']}' in {text!r}: expected 0 or 1")
        choices: dict = {"depth": len(blocks)}
        first = self._first()
        for i in range(1, self.max_depth + 1):
            c, k, d = blocks[i - 1] if i <= len(blocks) else first.values()
            choices.update({f"channels_{i}": c, f"kernel_{i}": k, f"dilation_{i}": d})
        choices.update(pool=fields["pool"], residual=fields["res"] == "1", norm=fields["norm"],
                       head=fields["head"])  # fmt: skip
        arch = Architecture.from_parts(self.name, self.labels, tuple(choices.values()))
        return self.validate(arch)

    def drawing(self, arch: Architecture) -> LayerDrawing:
        """One bar per block, its height by channels (log scale), colour by kernel size."""
        top = np.log2(max(self.channels)) or 1.0
        pool = "" if arch["pool"] == "none" else f" {arch['pool']}/2"
        res = " +res" if arch["residual"] else ""
        layers = tuple(
            Layer(str(c), f"k{k}", max(0.15, float(np.log2(c) / top)), "",
                  f"k{k} d{d}{pool}{res}")
            for c, k, d in self.blocks(arch)
        )  # fmt: skip
        return LayerDrawing(layers, tuple(f"k{k}" for k in self.kernels), self.format(arch))

    def build(self, arch: Architecture, task: Task) -> nn.Module:
        self.validate(arch)
        self.check_task(task)
        layers: list[nn.Module] = []
        if task.kind == "tokens":
            c_in, length = arch["channels_1"], task.input_shape[0]
            layers.append(TokenEmbedding1d(task.vocabulary, c_in))
        else:
            c_in, length = task.input_shape
        pooling = arch["pool"] != "none" and not task.per_position
        for c, k, d in self.blocks(arch):
            if k % 2 == 0:
                raise ValueError(f"conv1d kernels must be odd ('same' padding), got {k}")
            layers.append(ConvBlock1d(c_in, c, k, d, arch["norm"], arch["residual"]))
            if pooling and length >= 2:
                pool = nn.MaxPool1d if arch["pool"] == "max" else nn.AvgPool1d
                layers.append(pool(2))
                length //= 2
            c_in = c
        if task.per_position:  # (n, classes, length)
            return nn.Sequential(*layers, nn.Conv1d(c_in, task.outputs, 1))
        layers += [GlobalPool1d(arch["head"]), nn.Linear(c_in, task.outputs)]
        return nn.Sequential(*layers)
