"""MLP space for tabular data, after TabNAS (Yang et al., NeurIPS 2022): depth, per-layer
width, activation, dropout and normalisation are searched.

Layers beyond the chosen depth are inactive: their width decisions are kept at the
smallest value so that equal networks have one architecture, not many.
"""

from __future__ import annotations

import numpy as np
from torch import nn

from nasforge.architecture import Architecture
from nasforge.spaces.base import CategoricalSpace
from nasforge.spaces.drawing import Layer, LayerDrawing
from nasforge.tasks import Task

ACTIVATIONS = {"relu": nn.ReLU, "gelu": nn.GELU, "silu": nn.SiLU, "tanh": nn.Tanh}
NORMS = ("none", "batch", "layer")


class MLPSpace(CategoricalSpace):
    """Fully connected networks: `depth` hidden layers of `width_i` units each."""

    name = "mlp"
    kinds = ("table", "series", "image")

    def __init__(
        self,
        max_depth: int = 4,
        widths: tuple[int, ...] = (16, 32, 64, 128, 256),
        dropouts: tuple[float, ...] = (0.0, 0.1, 0.3),
    ) -> None:
        self.max_depth = max_depth
        self.widths = widths
        self.dropouts = dropouts
        self.decisions = (
            ("depth", tuple(range(1, max_depth + 1))),
            *((f"width_{i}", tuple(widths)) for i in range(1, max_depth + 1)),
            ("activation", tuple(ACTIVATIONS)),
            ("dropout", tuple(dropouts)),
            ("norm", NORMS),
        )
        super().__init__()

    def canonical(self, arch: Architecture) -> Architecture:
        """`arch` with the widths of inactive layers reset to the smallest width."""
        depth = arch["depth"]
        changes = {f"width_{i}": self.widths[0] for i in range(depth + 1, self.max_depth + 1)}
        return arch.replace(**changes) if changes else arch

    def __len__(self) -> int:
        per_layer = len(self.widths)
        networks = sum(per_layer**d for d in range(1, self.max_depth + 1))
        return networks * len(ACTIVATIONS) * len(self.dropouts) * len(NORMS)

    def format(self, arch: Architecture) -> str:
        widths = "-".join(str(arch[f"width_{i}"]) for i in range(1, arch["depth"] + 1))
        return f"mlp:{widths}:{arch['activation']}:dropout={arch['dropout']}:norm={arch['norm']}"

    def parse(self, text: str) -> Architecture:
        parts = text.strip().split(":")
        if len(parts) != 5 or parts[0] != "mlp":
            raise ValueError(
                f"malformed MLP string {text!r}; expected mlp:<w1-w2-...>:<activation>:"
                "dropout=<p>:norm=<none|batch|layer>, e.g. mlp:64-32:relu:dropout=0.1:norm=batch"
            )
        try:
            widths = [int(w) for w in parts[1].split("-")]
        except ValueError:
            raise ValueError(f"bad widths {parts[1]!r} in {text!r}: expected integers") from None
        if not 1 <= len(widths) <= self.max_depth:
            raise ValueError(f"depth {len(widths)} in {text!r} outside 1..{self.max_depth}")
        fields = {}
        for token, key in ((parts[3], "dropout"), (parts[4], "norm")):
            label, sep, value = token.partition("=")
            if label != key or not sep:
                raise ValueError(f"bad token {token!r} in {text!r}: expected {key}=<value>")
            fields[key] = value
        try:
            dropout = float(fields["dropout"])
        except ValueError:
            raise ValueError(f"bad token 'dropout={fields['dropout']}' in {text!r}") from None
        choices = {"depth": len(widths)}
        for i in range(1, self.max_depth + 1):
            choices[f"width_{i}"] = widths[i - 1] if i <= len(widths) else self.widths[0]
        choices.update(activation=parts[2], dropout=dropout, norm=fields["norm"])
        arch = Architecture.from_parts(self.name, self.labels, tuple(choices.values()))
        return self.validate(arch)

    def drawing(self, arch: Architecture) -> LayerDrawing:
        """One bar per hidden layer, its height by width (log scale), colour by activation."""
        top = np.log2(max(self.widths)) or 1.0
        detail = arch["norm"] + (f" p{arch['dropout']}" if arch["dropout"] else "")
        layers = tuple(
            Layer(str(arch[f"width_{i}"]), arch["activation"],
                  max(0.15, float(np.log2(arch[f"width_{i}"]) / top)), "", detail)
            for i in range(1, arch["depth"] + 1)
        )  # fmt: skip
        return LayerDrawing(layers, tuple(ACTIVATIONS), self.format(arch))

    def build(self, arch: Architecture, task: Task) -> nn.Module:
        self.validate(arch)
        features = int(np.prod(task.input_shape))
        layers: list[nn.Module] = [nn.Flatten()]
        for i in range(1, arch["depth"] + 1):
            width = arch[f"width_{i}"]
            layers.append(nn.Linear(features, width))
            if arch["norm"] == "batch":
                layers.append(nn.BatchNorm1d(width))
            elif arch["norm"] == "layer":
                layers.append(nn.LayerNorm(width))
            layers.append(ACTIVATIONS[arch["activation"]]())
            if arch["dropout"] > 0:
                layers.append(nn.Dropout(arch["dropout"]))
            features = width
        layers.append(nn.Linear(features, task.outputs))
        return nn.Sequential(*layers)
