"""Ensemble of feed-forward networks on an encoding (the path encoding where the space has
it), the predictor of BANANAS (White, Neiswanger & Savani, "BANANAS: Bayesian
optimization with neural architectures for neural architecture search", AAAI 2021).

The members differ by initialisation and are trained together, full-batch with Adam, as
one batched network written in NumPy (one matrix product per layer for all members, the
backward pass by hand). Networks this small gain nothing from a deep-learning framework:
its per-operation overhead and thread start-up cost more than the arithmetic. The first
layer multiplies a sparse matrix where the encoding is mostly zeros (the NB201 path
encoding has at most 4 non-zeros in 84). BLAS runs on one thread during a fit, which is
fastest for these sizes and keeps parallel benchmark workers from oversubscribing the
cores. The ensemble's spread is the predictive uncertainty.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

import numpy as np
from scipy import sparse

from nasforge.architecture import Architecture
from nasforge.predictors.base import Predictor, standardize
from nasforge.spaces.base import SearchSpace

_BETAS, _EPS = (0.9, 0.999), 1e-8


def _input_matrix(x: np.ndarray) -> np.ndarray | sparse.csr_array:
    """`x` as a CSR matrix when at most a quarter of it is non-zero, else as it is."""
    return sparse.csr_array(x) if np.count_nonzero(x) <= x.size / 4 else x


class _Adam:
    """Adam (Kingma & Ba, 2015) on one flat parameter vector, with L2 weight decay added to
    the gradient as torch's `Adam(weight_decay=...)` does."""

    def __init__(self, params: np.ndarray, weight_decay: float) -> None:
        self.params = params
        self.weight_decay = weight_decay
        self.first = np.zeros_like(params)
        self.second = np.zeros_like(params)
        self.steps = 0

    def step(self, grad: np.ndarray, lr: float) -> None:
        self.steps += 1
        beta1, beta2 = _BETAS
        if self.weight_decay:
            grad += self.weight_decay * self.params
        self.first *= beta1
        self.first += (1 - beta1) * grad
        self.second *= beta2
        self.second += (1 - beta2) * grad * grad
        denominator = np.sqrt(self.second / (1 - beta2**self.steps))
        denominator += _EPS
        self.params -= (lr / (1 - beta1**self.steps)) * self.first / denominator


class _BatchedMLP:
    """`members` independent ReLU MLPs with one output. The first layer's weights of all
    members sit side by side in one `(inputs, members * width)` matrix, so it is a single
    (possibly sparse) product; deeper layers are `(members, n, width)` batched products.
    All weights and biases are views into the flat vector `params`."""

    def __init__(
        self,
        members: int,
        inputs: int,
        hidden: Sequence[int],
        rng: np.random.Generator,
        dtype: type = np.float32,
    ) -> None:
        if not hidden:
            raise ValueError("hidden needs at least one layer width")
        self.members, self.width = members, hidden[0]
        sizes = [inputs, *hidden, 1]
        shapes = [(inputs, members * hidden[0])]
        shapes += [(members, i, o) for i, o in itertools.pairwise(sizes[1:])]
        shapes += [(1, members * hidden[0])] + [(members, 1, o) for o in sizes[2:]]
        self.params = np.empty(sum(math.prod(shape) for shape in shapes), dtype=dtype)
        views, offset = [], 0
        for shape in shapes:
            size = math.prod(shape)
            views.append(self.params[offset : offset + size].reshape(shape))
            offset += size
        depth = len(sizes) - 1
        self.weights, self.biases = views[:depth], views[depth:]
        fan_ins = sizes[:-1]
        for fan_in, weight, bias in zip(fan_ins, self.weights, self.biases):
            bound = 1.0 / math.sqrt(fan_in)  # torch.nn.Linear's default initialisation
            weight[...] = rng.uniform(-bound, bound, weight.shape)
            bias[...] = rng.uniform(-bound, bound, bias.shape)

    def forward(self, x) -> list[np.ndarray]:
        """Activations of every layer, `(members, n, width)`; the last is `(members, n, 1)`."""
        n = x.shape[0]
        h = np.maximum(x @ self.weights[0] + self.biases[0], 0)
        h = h.reshape(n, self.members, self.width).transpose(1, 0, 2)
        activations = [h]
        last = len(self.weights) - 1
        for i in range(1, len(self.weights)):
            h = h @ self.weights[i] + self.biases[i]
            if i < last:
                np.maximum(h, 0, out=h)
            activations.append(h)
        return activations

    def backward(self, x_t, activations: list[np.ndarray], grad: np.ndarray) -> np.ndarray:
        """The flat gradient of `params`, given `x` transposed and the loss gradient with
        respect to the outputs, `(members, n)`."""
        n = grad.shape[1]
        depth = len(self.weights)
        weight_grads: list[np.ndarray] = [np.empty(0)] * depth
        bias_grads: list[np.ndarray] = [np.empty(0)] * depth
        g = grad[..., None]
        for i in range(depth - 1, 0, -1):
            below = activations[i - 1]
            bias_grads[i] = g.sum(axis=1, keepdims=True)
            weight_grads[i] = below.transpose(0, 2, 1) @ g
            g = (g @ self.weights[i].transpose(0, 2, 1)) * (below > 0)
        g = g.transpose(1, 0, 2).reshape(n, -1)
        bias_grads[0] = g.sum(axis=0, keepdims=True)
        weight_grads[0] = np.asarray(x_t @ g)
        return np.concatenate([part.ravel() for part in (*weight_grads, *bias_grads)])

    def __call__(self, x) -> np.ndarray:
        return self.forward(x)[-1][..., 0]


class MLPEnsemble(Predictor):
    """`members` MLPs (`hidden` units per layer) trained full-batch for `epochs` Adam steps
    with a cosine learning rate, on the standardized targets; `loss` is "l1" (as in
    BANANAS) or "mse". By default on the path encoding where the space has it, else the
    adjacency encoding, else one-hot."""

    has_uncertainty = True
    preferred_encodings = ("path", "adjacency", "onehot")
    preferred_encodings = ("path", "adjacency", "onehot")

    def __init__(
        self,
        space: SearchSpace,
        encoding: str | None = None,
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
        from threadpoolctl import threadpool_limits

        targets = self._check_fit_data(archs, y)
        if self.loss not in ("l1", "mse"):
            raise ValueError(f"unknown loss {self.loss!r}; accepted: l1, mse")
        if self.members < 1 or self.epochs < 1:
            raise ValueError("members and epochs must be at least 1")
        scaled, self.y_mean_, self.y_std_ = standardize(targets)
        target = scaled.astype(np.float32)
        x = _input_matrix(self.features(archs))
        x_t = x.T.tocsr() if sparse.issparse(x) else np.ascontiguousarray(x.T)
        rng = np.random.default_rng(int(self.seed))
        self.model_ = model = _BatchedMLP(self.members, x.shape[1], self.hidden, rng)
        optimizer = _Adam(model.params, self.weight_decay)
        n = len(target)
        with threadpool_limits(1, user_api="blas"):
            for epoch in range(self.epochs):
                activations = model.forward(x)
                error = activations[-1][..., 0] - target
                grad = np.sign(error) / n if self.loss == "l1" else 2.0 * error / n
                lr = self.lr * 0.5 * (1 + math.cos(math.pi * epoch / self.epochs))
                optimizer.step(model.backward(x_t, activations, grad.astype(np.float32)), lr)
        return self

    def member_predictions(self, archs: Sequence[Architecture]) -> np.ndarray:
        """Each member's prediction, shape `(members, len(archs))`, in target units."""
        self._check_fitted()
        out = self.model_(_input_matrix(self.features(archs)))
        return out.astype(np.float64) * self.y_std_ + self.y_mean_

    def predict(self, archs: Sequence[Architecture]) -> np.ndarray:
        return self.member_predictions(archs).mean(axis=0)

    def predict_dist(self, archs: Sequence[Architecture]) -> tuple[np.ndarray, np.ndarray]:
        members = self.member_predictions(archs)
        return members.mean(axis=0), members.std(axis=0)
