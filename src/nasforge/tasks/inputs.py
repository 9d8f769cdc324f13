"""How raw inputs become network inputs, kept as plain JSON in a task's `preprocessing`
so a run directory applies the same to new data (`nasforge predict`): standardisation
with training statistics per feature, image channel or series channel, and for images
how an image file's 0-255 pixels map to the raw values the task was built from."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Standardiser:
    """`(x - mean) / std` along axis 1 (feature or channel), statistics of the training
    split; a constant feature keeps std 1."""

    mean: np.ndarray
    std: np.ndarray

    @classmethod
    def fit(cls, x: np.ndarray) -> Standardiser:
        """Statistics of `x` (n, features) or (n, channels, ...) per feature or channel."""
        axes = tuple(a for a in range(x.ndim) if a != 1)
        mean, std = x.mean(axis=axes), x.std(axis=axes)
        std[std == 0] = 1.0
        return cls(mean.astype(np.float32), std.astype(np.float32))

    def __call__(self, x: np.ndarray) -> np.ndarray:
        shape = (1, -1) + (1,) * (x.ndim - 2)
        mean, std = self.mean.reshape(shape), self.std.reshape(shape)
        return ((x.astype(np.float32) - mean) / std).astype(np.float32)

    def to_dict(self) -> dict:
        return {"mean": self.mean.tolist(), "std": self.std.tolist()}

    @classmethod
    def from_dict(cls, data: dict) -> Standardiser:
        return cls(np.asarray(data["mean"], np.float32), np.asarray(data["std"], np.float32))


def pixel_scale(x: np.ndarray) -> float:
    """Raw value of a 0-255 image pixel for images given as arrays: 1 when the arrays
    hold 0-255 values, 1/255 when they hold 0-1 values."""
    return 1.0 if float(np.max(x, initial=0.0)) > 1.5 else 1.0 / 255.0


def image_reading(channels: int, scale: float) -> dict:
    """How an image file becomes a raw input: its mode (L: grey, RGB) and pixel scale."""
    return {"image_mode": "L" if channels == 1 else "RGB", "pixel_scale": scale}
