"""Transformer encoder space for series and token sequences (Vaswani et al., "Attention
is all you need", NeurIPS 2017; pre-norm layers after Xiong et al., ICML 2020): encoder
layers, attention heads, model width, feed-forward ratio, positional encoding and the
pooling that turns positions into one prediction are searched. Token tasks with
per-position targets get one prediction per position and ignore the pooling.

Attention and feed-forward blocks are plain `nn.Linear` layers plus a parameter-free
`Attention` core whose FLOPs (2 L^2 d multiply-accumulates) `nasforge.constraints` counts.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from nasforge.architecture import Architecture
from nasforge.spaces.base import CategoricalSpace
from nasforge.spaces.drawing import Layer, LayerDrawing
from nasforge.tasks import Task

POSITIONAL = ("learned", "sinusoidal", "none")
POOLING = ("mean", "max", "cls")
_FIELDS = (("layers", "L"), ("heads", "h"), ("width", "d"), ("ff_ratio", "ff"))


class Attention(nn.Module):
    """Softmax(Q K^T / sqrt(d_head)) V over `heads` heads; (n, L, 3d) -> (n, L, d)."""

    def __init__(self, width: int, heads: int) -> None:
        super().__init__()
        self.width = width
        self.heads = heads

    def forward(self, qkv: torch.Tensor) -> torch.Tensor:
        n, length = qkv.shape[0], qkv.shape[1]
        parts = qkv.reshape(n, length, 3, self.heads, self.width // self.heads)
        q, k, v = parts.permute(2, 0, 3, 1, 4).unbind(0)
        scale = 1.0 / math.sqrt(self.width // self.heads)
        weights = torch.softmax(q @ k.transpose(-2, -1) * scale, dim=-1)
        return (weights @ v).transpose(1, 2).reshape(n, length, self.width)

    def count_flops(self, inputs: tuple, output: torch.Tensor) -> int:
        """Q K^T and weights x V: 2 L^2 d multiply-accumulates per example."""
        n, length, width = output.shape
        return 2 * n * length * length * width


class EncoderLayer(nn.Module):
    """Pre-norm: x + out(Attention(qkv(LN(x)))), then x + W2 ReLU(W1 LN(x))."""

    def __init__(self, width: int, heads: int, ff_ratio: int) -> None:
        super().__init__()
        self.norm_a, self.norm_b = nn.LayerNorm(width), nn.LayerNorm(width)
        self.qkv, self.attention = nn.Linear(width, 3 * width), Attention(width, heads)
        self.out = nn.Linear(width, width)
        self.ff = nn.Sequential(
            nn.Linear(width, ff_ratio * width), nn.ReLU(), nn.Linear(ff_ratio * width, width)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.out(self.attention(self.qkv(self.norm_a(x))))
        return x + self.ff(self.norm_b(x))


def sinusoidal(length: int, width: int) -> torch.Tensor:
    """The fixed sine / cosine position table, (1, length, width)."""
    position = torch.arange(length, dtype=torch.float32)[:, None]
    rate = torch.exp(torch.arange(0, width, 2, dtype=torch.float32) * (-math.log(1e4) / width))
    table = torch.zeros(length, width)
    table[:, 0::2], table[:, 1::2] = torch.sin(position * rate), torch.cos(position * rate)
    return table[None]


class TransformerNetwork(nn.Module):
    """Embedding (token ids, or a linear map of each series step's channels), optional
    class token, positions, encoder layers, final LayerNorm, pooling and a linear head."""

    def __init__(self, arch: Architecture, task: Task) -> None:
        super().__init__()
        width = arch["width"]
        self.tokens = task.kind == "tokens"
        self.per_position = task.per_position
        self.pooling = "none" if self.per_position else arch["pooling"]
        self.embed: nn.Module = (
            nn.Embedding(task.vocabulary, width) if self.tokens
            else nn.Linear(task.input_shape[0], width)
        )  # fmt: skip
        length = task.input_shape[-1] + (self.pooling == "cls")
        self.cls = nn.Parameter(torch.zeros(1, 1, width)) if self.pooling == "cls" else None
        self.learned = None
        if arch["positional"] == "learned":
            self.learned = nn.Parameter(torch.randn(1, length, width) * 0.02)
        elif arch["positional"] == "sinusoidal":
            self.register_buffer("table", sinusoidal(length, width), persistent=False)
        self.positional = arch["positional"]
        self.layers = nn.Sequential(
            *(EncoderLayer(width, arch["heads"], arch["ff_ratio"]) for _ in range(arch["layers"]))
        )
        self.norm = nn.LayerNorm(width)
        self.head = nn.Linear(width, task.outputs)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.embed(x.long()) if self.tokens else self.embed(x.transpose(1, 2))
        if self.cls is not None:
            h = torch.cat([self.cls.expand(h.shape[0], -1, -1), h], dim=1)
        if self.learned is not None:
            h = h + self.learned
        elif self.positional == "sinusoidal":
            h = h + self.table
        h = self.norm(self.layers(h))
        if self.per_position:
            return self.head(h).transpose(1, 2)  # (n, classes, length)
        pooled = {"mean": lambda: h.mean(1), "max": lambda: h.amax(1), "cls": lambda: h[:, 0]}
        return self.head(pooled[self.pooling]())


class TransformerSpace(CategoricalSpace):
    """Encoders of `layers` pre-norm layers over series steps or tokens."""

    name = "transformer"
    kinds = ("series", "tokens")

    def __init__(
        self,
        layers: tuple[int, ...] = (1, 2, 3, 4),
        heads: tuple[int, ...] = (1, 2, 4),
        widths: tuple[int, ...] = (16, 32, 64),
        ff_ratios: tuple[int, ...] = (1, 2, 4),
    ) -> None:
        self.layers = layers
        self.heads = heads
        self.widths = widths
        self.ff_ratios = ff_ratios
        self.decisions = (
            ("layers", tuple(layers)), ("heads", tuple(heads)), ("width", tuple(widths)),
            ("ff_ratio", tuple(ff_ratios)), ("positional", POSITIONAL), ("pooling", POOLING),
        )  # fmt: skip
        super().__init__()

    def format(self, arch: Architecture) -> str:
        sizes = "-".join(f"{short}{arch[label]}" for label, short in _FIELDS)
        return f"transformer:{sizes}:pos={arch['positional']}:pool={arch['pooling']}"

    def parse(self, text: str) -> Architecture:
        parts = text.strip().split(":")
        if len(parts) != 4 or parts[0] != "transformer":
            raise ValueError(
                f"malformed transformer string {text!r}; expected transformer:L<layers>-"
                "h<heads>-d<width>-ff<ratio>:pos=<p>:pool=<p>, e.g. "
                "transformer:L2-h4-d32-ff2:pos=learned:pool=mean"
            )
        sizes = parts[1].split("-")
        choices: dict = {}
        for token, (label, short) in zip(sizes, _FIELDS):
            if not token.startswith(short) or not token[len(short) :].isdigit():
                raise ValueError(f"bad token {token!r} in {text!r}: expected {short}<number>")
            choices[label] = int(token[len(short) :])
        if len(sizes) != len(_FIELDS):
            raise ValueError(f"{parts[1]!r} in {text!r} needs L, h, d and ff, e.g. L2-h4-d32-ff2")
        for token, key, label in ((parts[2], "pos", "positional"), (parts[3], "pool", "pooling")):
            name, sep, value = token.partition("=")
            if name != key or not sep:
                raise ValueError(f"bad token {token!r} in {text!r}: expected {key}=<value>")
            choices[label] = value
        arch = Architecture.from_parts(self.name, self.labels, tuple(choices.values()))
        return self.validate(arch)

    def validate(self, arch: Architecture) -> Architecture:
        super().validate(arch)
        if arch["width"] % arch["heads"]:
            raise ValueError(f"width {arch['width']} is not divisible by {arch['heads']} heads")
        return arch

    def drawing(self, arch: Architecture) -> LayerDrawing:
        """One block per encoder layer, its height by width, plus the pooling head."""
        top = math.log2(max(self.widths)) or 1.0
        size = max(0.15, math.log2(arch["width"]) / top)
        detail = f"h{arch['heads']} ff{arch['ff_ratio']}"
        layers = tuple(
            Layer(f"d{arch['width']}", "encoder", size, "", detail) for _ in range(arch["layers"])
        )
        head = Layer(arch["pooling"], "pooling", 0.3, "", f"pos {arch['positional']}")
        return LayerDrawing((*layers, head), ("encoder", "pooling"), self.format(arch))

    def build(self, arch: Architecture, task: Task) -> nn.Module:
        self.validate(arch)
        self.check_task(task)
        return TransformerNetwork(arch, task)
