"""MobileNet-style chain space (ProxylessNAS, Cai et al. ICLR 2019; Once-for-All, ICLR
2020): per stage a depth and squeeze-excitation switch, per block a depthwise kernel size
(3/5/7) and expansion ratio (1/3/6), and a global width multiplier.

Text form, one stage per `|`, blocks separated by spaces, e.g.
`w1.0 | k3e1 | k5e6 k3e3 se | k7e6 k3e3 k3e1 | k5e3 se`.
"""

from __future__ import annotations

import torch
from torch import nn

from nasforge.architecture import Architecture
from nasforge.spaces.base import CategoricalSpace
from nasforge.spaces.drawing import Layer, LayerDrawing
from nasforge.spaces.ops import MBConv
from nasforge.tasks import Task

KERNELS = (3, 5, 7)
EXPANSIONS = (1, 3, 6)


def _scaled(channels: int, multiplier: float) -> int:
    return max(8, round(channels * multiplier / 8) * 8)


class ChainNetwork(nn.Module):
    """Stem, the chosen MBConv blocks stage by stage, global pooling and a linear head."""

    def __init__(self, blocks: list[nn.Module], in_channels: int, stem: int, last: int,
                 num_classes: int) -> None:  # fmt: skip
        super().__init__()
        self.stem = nn.Sequential(
            nn.Conv2d(in_channels, stem, 3, padding=1, bias=False), nn.BatchNorm2d(stem), nn.ReLU6()
        )
        self.blocks = nn.Sequential(*blocks)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(last, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(torch.flatten(self.pool(self.blocks(self.stem(x))), 1))


class ChainSpace(CategoricalSpace):
    """Stages of inverted-residual blocks with searched depth, kernel, expansion and SE."""

    name = "chain"
    kinds = ("image",)

    def __init__(
        self,
        stage_channels: tuple[int, ...] = (16, 24, 40, 80),
        stage_strides: tuple[int, ...] = (1, 2, 2, 2),
        depths: tuple[int, ...] = (1, 2, 3),
        width_multipliers: tuple[float, ...] = (0.5, 0.75, 1.0),
        stem_channels: int = 16,
    ) -> None:
        self.stage_channels = stage_channels
        self.stage_strides = stage_strides
        self.depths = depths
        self.width_multipliers = width_multipliers
        self.stem_channels = stem_channels
        decisions: list[tuple[str, tuple]] = [("width", tuple(width_multipliers))]
        for s in range(1, len(stage_channels) + 1):
            decisions += [(f"s{s}_depth", tuple(depths)), (f"s{s}_se", (False, True))]
            for b in range(1, max(depths) + 1):
                decisions += [(f"s{s}b{b}_kernel", KERNELS), (f"s{s}b{b}_expand", EXPANSIONS)]
        self.decisions = tuple(decisions)
        super().__init__()

    def canonical(self, arch: Architecture) -> Architecture:
        """Blocks beyond a stage's depth are reset to the first kernel and expansion."""
        changes = {}
        for s in range(1, len(self.stage_channels) + 1):
            for b in range(arch[f"s{s}_depth"] + 1, max(self.depths) + 1):
                changes[f"s{s}b{b}_kernel"] = KERNELS[0]
                changes[f"s{s}b{b}_expand"] = EXPANSIONS[0]
        return arch.replace(**changes) if changes else arch

    def __len__(self) -> int:
        per_block = len(KERNELS) * len(EXPANSIONS)
        per_stage = 2 * sum(per_block**d for d in self.depths)
        return len(self.width_multipliers) * per_stage ** len(self.stage_channels)

    def format(self, arch: Architecture) -> str:
        stages = [f"w{arch['width']}"]
        for s in range(1, len(self.stage_channels) + 1):
            blocks = [
                f"k{arch[f's{s}b{b}_kernel']}e{arch[f's{s}b{b}_expand']}"
                for b in range(1, arch[f"s{s}_depth"] + 1)
            ]
            stages.append(" ".join(blocks + (["se"] if arch[f"s{s}_se"] else [])))
        return " | ".join(stages)

    def parse(self, text: str) -> Architecture:
        parts = [p.strip() for p in text.strip().split("|")]
        if len(parts) != len(self.stage_channels) + 1 or not parts[0].startswith("w"):
            raise ValueError(
                f"malformed chain string {text!r}: expected 'w<multiplier>' and "
                f"{len(self.stage_channels)} stages joined by '|', e.g. "
                "w1.0 | k3e1 | k5e6 k3e3 se | k7e6 | k5e3 se"
            )
        try:
            choices: dict[str, object] = {"width": float(parts[0][1:])}
        except ValueError:
            raise ValueError(f"bad width token {parts[0]!r} in {text!r}") from None
        for s, stage in enumerate(parts[1:], start=1):
            tokens = stage.split()
            se = bool(tokens) and tokens[-1] == "se"
            blocks = tokens[:-1] if se else tokens
            choices[f"s{s}_depth"], choices[f"s{s}_se"] = len(blocks), se
            for b, token in enumerate(blocks, start=1):
                kernel, sep, expand = token.removeprefix("k").partition("e")
                if not token.startswith("k") or not sep or not (kernel + expand).isdigit():
                    raise ValueError(
                        f"bad block token {token!r} in {text!r}: expected k<3|5|7>e<1|3|6>"
                    )
                choices[f"s{s}b{b}_kernel"], choices[f"s{s}b{b}_expand"] = int(kernel), int(expand)
            for b in range(len(blocks) + 1, max(self.depths) + 1):
                choices[f"s{s}b{b}_kernel"], choices[f"s{s}b{b}_expand"] = KERNELS[0], EXPANSIONS[0]
        arch = Architecture.from_parts(
            self.name, self.labels, tuple(choices.get(label) for label in self.labels)
        )
        return self.validate(arch)

    def drawing(self, arch: Architecture) -> LayerDrawing:
        """A strip of MBConv blocks, stage by stage: colour by kernel, height by expansion."""
        layers = []
        for s in range(1, len(self.stage_channels) + 1):
            group = f"stage {s}" + (" +SE" if arch[f"s{s}_se"] else "")
            for b in range(1, arch[f"s{s}_depth"] + 1):
                kernel, expand = arch[f"s{s}b{b}_kernel"], arch[f"s{s}b{b}_expand"]
                layers.append(Layer(f"k{kernel}", f"k{kernel}", expand / max(EXPANSIONS),
                                    group, f"e{expand}"))  # fmt: skip
        kinds = tuple(f"k{k}" for k in KERNELS)
        return LayerDrawing(tuple(layers), kinds, self.format(arch))

    def build(self, arch: Architecture, task: Task) -> nn.Module:
        self.validate(arch)
        if len(task.input_shape) != 3:
            raise ValueError(
                f"the chain space needs image input (channels, height, width); task "
                f"{task.name!r} has input shape {task.input_shape}"
            )
        width = arch["width"]
        stem = _scaled(self.stem_channels, width)
        blocks, c_in = [], stem
        for s, (channels, stride) in enumerate(zip(self.stage_channels, self.stage_strides), 1):
            c_out = _scaled(channels, width)
            for b in range(1, arch[f"s{s}_depth"] + 1):
                blocks.append(MBConv(
                    c_in, c_out, arch[f"s{s}b{b}_kernel"], arch[f"s{s}b{b}_expand"],
                    stride if b == 1 else 1, arch[f"s{s}_se"],
                ))  # fmt: skip
                c_in = c_out
        return ChainNetwork(blocks, task.input_shape[0], stem, c_in, task.outputs)
