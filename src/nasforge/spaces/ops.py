"""Primitive layers shared by the search spaces."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import torch
from torch import nn

MakeOperation = Callable[[str, int], nn.Module]  # (operation, channels) -> its module
# (edge label, make_operation, channels) -> a one-shot supernet's mixed edge
MixedEdgeFactory = Callable[[str, MakeOperation, int], nn.Module]


class ReLUConvBN(nn.Sequential):
    """ReLU -> Conv2d (no bias) -> BatchNorm, the NAS-Bench-201 / DARTS convolution unit."""

    def __init__(
        self, c_in: int, c_out: int, kernel_size: int, stride: int = 1, padding: int = 0,
        affine: bool = True,
    ) -> None:  # fmt: skip
        super().__init__(
            nn.ReLU(inplace=False),
            nn.Conv2d(c_in, c_out, kernel_size, stride=stride, padding=padding, bias=False),
            nn.BatchNorm2d(c_out, affine=affine),
        )


class Zero(nn.Module):
    """The `none` operation: an all-zero output of the input's shape, subsampled by
    `stride` (per axis) on a reducing edge."""

    def __init__(self, stride: int | tuple[int, int] = 1) -> None:
        super().__init__()
        self.stride = _pair(stride)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.stride == (1, 1):
            return x.mul(0.0)
        return x[:, :, :: self.stride[0], :: self.stride[1]].mul(0.0)


def node_sums(
    edges: nn.ModuleDict, states: list[torch.Tensor], nodes: Iterable[int]
) -> list[torch.Tensor]:
    """A cell DAG's forward: each node j in `nodes` appends the sum of `edges[f"{j}_{i}"]`
    applied to every earlier state i (NAS-Bench-201 cells, DARTS supernet cells)."""
    for j in nodes:
        states.append(sum(edges[f"{j}_{i}"](states[i]) for i in range(j)))
    return states


def _pair(value: int | tuple[int, int]) -> tuple[int, int]:
    return (value, value) if isinstance(value, int) else (int(value[0]), int(value[1]))


def reduction_stride(height: int, width: int) -> tuple[int, int]:
    """Halve an axis only while it is at least 4 pixels: small or flat inputs (8x8 digits,
    1xN signals) keep a spatial extent instead of collapsing to nothing."""
    return (2 if height >= 4 else 1, 2 if width >= 4 else 1)


class SepConv(nn.Sequential):
    """DARTS separable convolution (Liu et al., ICLR 2019): twice ReLU -> depthwise kxk ->
    pointwise 1x1 -> BatchNorm, the first depthwise convolution carrying the stride."""

    def __init__(
        self, c_in: int, c_out: int, kernel: int, stride: int | tuple[int, int] = 1,
        affine: bool = True,
    ) -> None:  # fmt: skip
        pad = kernel // 2
        super().__init__(
            nn.ReLU(inplace=False),
            nn.Conv2d(c_in, c_in, kernel, _pair(stride), pad, groups=c_in, bias=False),
            nn.Conv2d(c_in, c_in, 1, bias=False),
            nn.BatchNorm2d(c_in, affine=affine),
            nn.ReLU(inplace=False),
            nn.Conv2d(c_in, c_in, kernel, 1, pad, groups=c_in, bias=False),
            nn.Conv2d(c_in, c_out, 1, bias=False),
            nn.BatchNorm2d(c_out, affine=affine),
        )


class DilConv(nn.Sequential):
    """DARTS dilated separable convolution: ReLU -> depthwise kxk with dilation 2 ->
    pointwise 1x1 -> BatchNorm (receptive field 5x5 for k=3, 9x9 for k=5)."""

    def __init__(
        self, c_in: int, c_out: int, kernel: int, stride: int | tuple[int, int] = 1,
        affine: bool = True,
    ) -> None:  # fmt: skip
        super().__init__(
            nn.ReLU(inplace=False),
            nn.Conv2d(
                c_in, c_in, kernel, _pair(stride), kernel - 1, dilation=2, groups=c_in, bias=False
            ),
            nn.Conv2d(c_in, c_out, 1, bias=False),
            nn.BatchNorm2d(c_out, affine=affine),
        )


class FactorizedReduce(nn.Module):
    """DARTS' strided skip: ReLU, two 1x1 convolutions with `stride` on the input and on
    it shifted by one pixel, concatenated (half the channels each), BatchNorm. Any input
    size works: the shifted copy is zero-padded, so both halves have ceil(size / stride)."""

    def __init__(
        self, c_in: int, c_out: int, stride: int | tuple[int, int] = 2, affine: bool = True
    ) -> None:
        super().__init__()
        self.relu = nn.ReLU(inplace=False)
        self.conv_a = nn.Conv2d(c_in, c_out // 2, 1, _pair(stride), bias=False)
        self.conv_b = nn.Conv2d(c_in, c_out - c_out // 2, 1, _pair(stride), bias=False)
        self.bn = nn.BatchNorm2d(c_out, affine=affine)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.relu(x)
        shifted = nn.functional.pad(x, (0, 1, 0, 1))[:, :, 1:, 1:]
        return self.bn(torch.cat([self.conv_a(x), self.conv_b(shifted)], dim=1))


class ResNetBasicBlock(nn.Module):
    """Two 3x3 ReLUConvBN units plus a (strided) shortcut: NAS-Bench-201's reduction block.
    `stride` may differ per axis; the shortcut's pooling rounds up, so odd sizes (7x7)
    match the strided convolution's output."""

    def __init__(self, c_in: int, c_out: int, stride: int | tuple[int, int]) -> None:
        super().__init__()
        stride = (stride, stride) if isinstance(stride, int) else tuple(stride)
        self.conv_a = ReLUConvBN(c_in, c_out, 3, stride, 1)
        self.conv_b = ReLUConvBN(c_out, c_out, 3, 1, 1)
        if stride != (1, 1):
            self.shortcut: nn.Module = nn.Sequential(
                nn.AvgPool2d(kernel_size=stride, stride=stride, ceil_mode=True),
                nn.Conv2d(c_in, c_out, 1, bias=False),
            )
        elif c_in != c_out:
            self.shortcut = ReLUConvBN(c_in, c_out, 1)
        else:
            self.shortcut = nn.Identity()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.shortcut(x) + self.conv_b(self.conv_a(x))


class SqueezeExcite(nn.Module):
    """Channel attention from globally pooled features (Hu et al., CVPR 2018)."""

    def __init__(self, channels: int, reduction: int = 4) -> None:
        super().__init__()
        hidden = max(8, channels // reduction)
        self.gate = nn.Sequential(
            nn.AdaptiveAvgPool2d(1),
            nn.Conv2d(channels, hidden, 1),
            nn.ReLU(inplace=True),
            nn.Conv2d(hidden, channels, 1),
            nn.Hardsigmoid(),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * self.gate(x)


class MBConv(nn.Module):
    """Inverted residual block (MobileNetV2): 1x1 expand, kxk depthwise, optional SE,
    1x1 project; a residual connection when shape allows."""

    def __init__(
        self, c_in: int, c_out: int, kernel: int, expand: int, stride: int, se: bool
    ) -> None:
        super().__init__()
        hidden = c_in * expand
        layers: list[nn.Module] = []
        if expand != 1:
            layers += [nn.Conv2d(c_in, hidden, 1, bias=False), nn.BatchNorm2d(hidden), nn.ReLU6()]
        layers += [
            nn.Conv2d(hidden, hidden, kernel, stride, kernel // 2, groups=hidden, bias=False),
            nn.BatchNorm2d(hidden),
            nn.ReLU6(),
        ]
        if se:
            layers.append(SqueezeExcite(hidden))
        layers += [nn.Conv2d(hidden, c_out, 1, bias=False), nn.BatchNorm2d(c_out)]
        self.body = nn.Sequential(*layers)
        self.residual = stride == 1 and c_in == c_out

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.body(x)
        return x + out if self.residual else out
