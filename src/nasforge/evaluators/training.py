"""Real training: build the architecture for the task, train it for a budget of epochs
(SGD or AdamW, cosine schedule; cross-entropy with optional label smoothing and class
weights for classes, MSE or Huber for regression) and report the task's validation
metric after every epoch, so multi-fidelity strategies can stop a run early. Training runs
on `device` (`nasforge.devices`: cpu by default, auto, cuda[:N]); the splits are copied
there once per run, never per batch.
"""

from __future__ import annotations

import copy
import math
import time

import numpy as np
import torch
from torch import nn

from nasforge.architecture import Architecture
from nasforge.constraints import count_flops, count_params
from nasforge.devices import model_device, resolve_device, torch_threads
from nasforge.evaluators.base import EvaluationContext, Evaluator, Result
from nasforge.spaces.base import SearchSpace
from nasforge.tasks import Task
from nasforge.tasks.base import IGNORE

OPTIMIZERS = ("sgd", "adamw")
LOSSES = {"classes": ("cross_entropy",), "regression": ("mse", "huber")}


def accuracy(model: nn.Module, x: torch.Tensor, y: torch.Tensor, batch_size: int = 512) -> float:
    """Top-1 accuracy (%) of `model` in eval mode (`x`, `y` moved to its device once)."""
    model.eval()
    device = model_device(model)
    x, y = x.to(device), y.to(device)
    correct = 0
    with torch.no_grad():
        for start in range(0, len(x), batch_size):
            logits = model(x[start : start + batch_size])
            labels = y[start : start + batch_size]
            correct += int(((logits.argmax(1) == labels) & (labels != IGNORE)).sum())
    return 100.0 * correct / max(int((y != IGNORE).sum()), 1)


def mean_cross_entropy(
    model: nn.Module, x: torch.Tensor, y: torch.Tensor, batch_size: int = 512
) -> float:
    """Mean cross-entropy of `model` in eval mode: a finer signal than accuracy when
    several architectures reach the same number of correct answers."""
    model.eval()
    device = model_device(model)
    x, y = x.to(device), y.to(device)
    total = 0.0
    with torch.no_grad():
        for start in range(0, len(x), batch_size):
            logits = model(x[start : start + batch_size])
            total += float(
                nn.functional.cross_entropy(logits, y[start : start + batch_size], reduction="sum")
            )
    return total / max(int((y != IGNORE).sum()), 1)


def network_outputs(model: nn.Module, x: torch.Tensor, batch_size: int = 512) -> np.ndarray:
    """The raw outputs (logits, or one standardised value) of `model` in eval mode, as a
    NumPy array on the host."""
    model.eval()
    x = x.to(model_device(model))
    with torch.no_grad():
        parts = [model(x[start : start + batch_size]) for start in range(0, len(x), batch_size)]
    return torch.cat(parts).cpu().numpy() if parts else np.zeros((0, 1), np.float32)


def balanced_class_weights(y: np.ndarray, num_classes: int) -> np.ndarray:
    """`n / (K * count)` per class (scikit-learn's "balanced"); 1 for an absent class."""
    counts = np.bincount(y, minlength=num_classes).astype(np.float64)
    return np.where(counts > 0, len(y) / (num_classes * np.maximum(counts, 1)), 1.0)


class TrainingEvaluator(Evaluator):
    """Trains `space.build(arch, task)` on the task's training split for `epochs` epochs.

    Deterministic given `seed` (the model's initialisation and the batch order come from
    it); `threads` caps PyTorch's CPU threads during the run. A loss that turns NaN or
    infinite ends the run as a failed trial with the reason recorded. `loss` is
    cross_entropy for classes (`class_weights=True`: balanced by the training labels),
    mse (default) or huber for regression; the curve and `val_<metric>` follow the
    task's metric (`task.objective_key`). `device` is where the model trains (see
    `nasforge.devices.resolve_device`); models returned by `train` stay there.
    """

    def __init__(
        self,
        space: SearchSpace,
        task: Task,
        epochs: int = 10,
        batch_size: int = 64,
        optimizer: str = "sgd",
        learning_rate: float = 0.05,
        weight_decay: float = 5e-4,
        momentum: float = 0.9,
        label_smoothing: float = 0.0,
        seed: int = 0,
        threads: int | None = None,
        loss: str | None = None,
        class_weights: bool = False,
        device: str = "cpu",
    ) -> None:
        self.space = space
        self.task = task
        self.epochs = epochs
        self.batch_size = batch_size
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.weight_decay = weight_decay
        self.momentum = momentum
        self.label_smoothing = label_smoothing
        self.seed = seed
        self.threads = threads
        self.loss = loss
        self.class_weights = class_weights
        self.device = device
        self.objective = task.objective_key
        self.maximize = task.objective.maximize

    def _check(self) -> None:
        if not self.task.has_data:
            raise ValueError(f"task {self.task.name!r} carries no data to train on")
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(
                f"unknown optimizer {self.optimizer!r}; accepted: {', '.join(OPTIMIZERS)}"
            )
        if self.epochs < 1 or self.batch_size < 1:
            raise ValueError("epochs and batch_size must be at least 1")
        if not self.learning_rate > 0:  # NaN too
            raise ValueError(f"learning_rate must be positive, got {self.learning_rate}")
        accepted = LOSSES[self.task.target]
        if self.loss is not None and self.loss not in accepted:
            raise ValueError(
                f"loss {self.loss!r} does not fit a {self.task.target} task; accepted: "
                + ", ".join(accepted)
            )
        if self.class_weights and self.task.target != "classes":
            raise ValueError("class weights apply to classification tasks only")
        resolve_device(self.device)  # a bad spec or a missing GPU, before any work

    def _loss_function(self) -> nn.Module:
        task = self.task
        if task.target == "regression":
            return nn.HuberLoss() if self.loss == "huber" else nn.MSELoss()
        weight = None
        if self.class_weights:
            labels = task.y_train.reshape(-1)
            weights = balanced_class_weights(labels[labels != IGNORE], task.num_classes)
            weight = torch.tensor(weights, dtype=torch.float32)
        return nn.CrossEntropyLoss(weight=weight, label_smoothing=self.label_smoothing)

    def measure(
        self, model: nn.Module, data: tuple[np.ndarray, np.ndarray], prefix: str = "val_"
    ) -> dict[str, float]:
        """Every reported metric of `model` on `data` (see `Task.scores`)."""
        x, y = data
        with torch_threads(self.threads):
            outputs = network_outputs(model, torch.from_numpy(x))
        return self.task.scores(self.task.decode(outputs), y, prefix)

    def with_space(self, space: SearchSpace) -> TrainingEvaluator:
        """An evaluator with every training setting of this one for `space` (a baseline
        network trained exactly like the searched ones)."""
        other = copy.copy(self)
        other.space = space
        return other

    def _make_optimizer(self, model: nn.Module) -> torch.optim.Optimizer:
        if self.optimizer == "sgd":
            return torch.optim.SGD(
                model.parameters(), lr=self.learning_rate, momentum=self.momentum,
                weight_decay=self.weight_decay, nesterov=self.momentum > 0,
            )  # fmt: skip
        return torch.optim.AdamW(
            model.parameters(), lr=self.learning_rate, weight_decay=self.weight_decay
        )

    def train(
        self,
        arch: Architecture,
        x: np.ndarray,
        y: np.ndarray,
        epochs: int,
        validation: tuple[np.ndarray, np.ndarray] | None = None,
        context: EvaluationContext | None = None,
        seed: int | None = None,
    ) -> tuple[nn.Module, list[float], str | None]:
        """Train a fresh model on the evaluator's device; returns it (still there), the
        per-epoch validation curve and the failure reason (None when training finished
        or was stopped by `context`). `seed` overrides the evaluator's seed for this run
        (initialisation and batch order, both drawn on the CPU, so a seed gives the same
        initial weights and batches on every device)."""
        self._check()
        seed = self.seed if seed is None else seed
        device = resolve_device(self.device)
        with torch.random.fork_rng(), torch_threads(self.threads):
            torch.manual_seed(seed)
            model = self.space.build(arch, self.task).to(device)
            generator = torch.Generator().manual_seed(seed)
            inputs, labels = torch.from_numpy(x).to(device), torch.from_numpy(y).to(device)
            val = None
            if validation is not None:
                val = tuple(torch.from_numpy(part).to(device) for part in validation)
            optimizer = self._make_optimizer(model)
            steps = epochs * math.ceil(len(inputs) / self.batch_size)
            schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, steps)
            loss_fn = self._loss_function().to(device)
            regression = self.task.target == "regression"
            curve: list[float] = []
            for epoch in range(1, epochs + 1):
                model.train()
                order = torch.randperm(len(inputs), generator=generator).to(device)
                for start in range(0, len(order), self.batch_size):
                    batch = order[start : start + self.batch_size]
                    out = model(inputs[batch])
                    loss = loss_fn(out[:, 0] if regression else out, labels[batch])
                    if not torch.isfinite(loss):
                        reason = f"loss diverged ({float(loss.detach())}) in epoch {epoch}"
                        return model, curve, reason
                    optimizer.zero_grad(set_to_none=True)
                    loss.backward()
                    optimizer.step()
                    schedule.step()
                if val is not None:
                    curve.append(self._curve_value(model, val))
                    if context is not None and not context.report(epoch, curve[-1]):
                        break
        return model, curve, None

    def _curve_value(self, model: nn.Module, val: tuple[torch.Tensor, torch.Tensor]) -> float:
        """The task's metric on `val`: top-1 accuracy computed in torch (as always), any
        other metric from the decoded outputs."""
        if self.task.target == "classes" and self.task.metric == "accuracy":
            return accuracy(model, *val)
        outputs = self.task.decode(network_outputs(model, val[0]))
        return self.task.scores(outputs, val[1].cpu().numpy())[self.objective]

    def validation_loss(
        self, model: nn.Module, data: tuple[np.ndarray, np.ndarray] | None = None
    ) -> float:
        """Mean cross-entropy (no label smoothing, no class weights), or for regression
        mean squared error on the standardised target, on `data` (default: the task's
        validation split), within the evaluator's thread cap."""
        x, y = (self.task.x_val, self.task.y_val) if data is None else data
        with torch_threads(self.threads):
            if self.task.target == "classes":
                return mean_cross_entropy(model, torch.from_numpy(x), torch.from_numpy(y))
            outputs = network_outputs(model, torch.from_numpy(x))[:, 0]
            return float(np.mean((outputs.astype(np.float64) - y) ** 2))

    def evaluate(self, arch: Architecture, context: EvaluationContext | None = None) -> Result:
        start = time.perf_counter()
        epochs = context.fidelity if context and context.fidelity else self.epochs
        task = self.task
        model, curve, failure = self.train(
            arch, task.x_train, task.y_train, epochs, (task.x_val, task.y_val), context
        )
        metrics = {
            "params": float(count_params(model)),
            "flops": float(count_flops(model, task.input_shape)),
            "epochs": float(len(curve)),
        }
        if failure is not None:
            return Result(metrics, time.perf_counter() - start, curve, "failed", failure)
        metrics.update(self.measure(model, (task.x_val, task.y_val)))
        metrics[self.objective] = curve[-1]
        metrics["val_loss"] = self.validation_loss(model)
        return Result(metrics, time.perf_counter() - start, curve)
