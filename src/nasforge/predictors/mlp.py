"""Ensemble of feed-forward networks on the path encoding, the predictor of BANANAS
(White, Neiswanger & Savani, "BANANAS: Bayesian optimization with neural architectures
for neural architecture search", AAAI 2021).

The members differ by initialisation and are trained together as one batched network
(one matrix product per layer for all members), which keeps a refit well under a second.
The ensemble's spread is the predictive uncertainty.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
import torch
from torch import nn

from nasforge.architecture import Architecture
from nasforge.predictors.base import Predictor, standardize
from nasforge.spaces.base import SearchSpace


class _BatchedMLP(nn.Module):
    """`members` independent MLPs evaluated with batched matrix products."""

    def __init__(
        self, members: int, inputs: int, hidden: Sequence[int], generator: torch.Generator
    ) -> None:
        super().__init__()
        sizes = [inputs, *hidden, 1]
        self.weights = nn.ParameterList()
        self.biases = nn.ParameterList()
        for fan_in, fan_out in itertools.pairwise(sizes):
            bound = 1.0 / fan_in**0.5
            weight = (torch.rand(members, fan_in, fan_out, generator=generator) * 2 - 1) * bound
            bias = (torch.rand(members, 1, fan_out, generator=generator) * 2 - 1) * bound
            self.weights.append(nn.Parameter(weight))
            self.biases.append(nn.Parameter(bias))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = x.unsqueeze(0).expand(self.weights[0].shape[0], -1, -1)
        last = len(self.weights) - 1
        for i, (weight, bias) in enumerate(zip(self.weights, self.biases)):
            h = torch.baddbmm(bias, h, weight)
            if i < last:
                h = torch.relu(h)
        return h.squeeze(-1)  # (members, n)


class MLPEnsemble(Predictor):
    """`members` MLPs (`hidden` units per layer) trained full-batch with Adam on the
    standardized targets; `loss` is "l1" (as in BANANAS) or "mse"."""

    has_uncertainty = True

    def __init__(
        self,
        space: SearchSpace,
        encoding: str = "path",
        members: int = 5,
        hidden: Sequence[int] = (64, 64),
        epochs: int = 300,
        lr: float = 0.01,
        weight_decay: float = 1e-4,
        loss: str = "l1",
        seed: int = 0,
    ) -> None:
        self.space = space
        self.encoding = encoding
        self.members = members
        self.hidden = hidden
        self.epochs = epochs
        self.lr = lr
        self.weight_decay = weight_decay
        self.loss = loss
        self.seed = seed

    def fit(self, archs: Sequence[Architecture], y: Sequence[float]) -> MLPEnsemble:
        targets = self._check_fit_data(archs, y)
        if self.loss not in ("l1", "mse"):
            raise ValueError(f"unknown loss {self.loss!r}; accepted: l1, mse")
        if self.members < 1 or self.epochs < 1:
            raise ValueError("members and epochs must be at least 1")
        scaled, self.y_mean_, self.y_std_ = standardize(targets)
        x = torch.from_numpy(self.features(archs))
        target = torch.from_numpy(scaled.astype(np.float32)).expand(self.members, -1)
        generator = torch.Generator().manual_seed(int(self.seed))
        self.model_ = _BatchedMLP(self.members, x.shape[1], self.hidden, generator)
        optimizer = torch.optim.Adam(
            self.model_.parameters(), lr=self.lr, weight_decay=self.weight_decay, fused=True
        )
        loss_fn = nn.functional.l1_loss if self.loss == "l1" else nn.functional.mse_loss
        schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, self.epochs)
        for _ in range(self.epochs):
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(self.model_(x), target)
            loss.backward()
            optimizer.step()
            schedule.step()
        return self

    def member_predictions(self, archs: Sequence[Architecture]) -> np.ndarray:
        """Each member's prediction, shape `(members, len(archs))`, in target units."""
        self._check_fitted()
        with torch.no_grad():
            out = self.model_(torch.from_numpy(self.features(archs))).numpy()
        return out.astype(np.float64) * self.y_std_ + self.y_mean_

    def predict(self, archs: Sequence[Architecture]) -> np.ndarray:
        return self.member_predictions(archs).mean(axis=0)

    def predict_dist(self, archs: Sequence[Architecture]) -> tuple[np.ndarray, np.ndarray]:
        members = self.member_predictions(archs)
        return members.mean(axis=0), members.std(axis=0)
