"""`OneShotMethod`: train a supernet once, alternating an architecture step on a
validation batch with a weight step on a training batch (the bi-level scheme of DARTS,
Liu et al., ICLR 2019), and report each epoch. Subclasses say how the architecture
parameters turn into mixing weights."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import torch
from torch import nn

from nasforge.architecture import Architecture
from nasforge.devices import resolve_device, torch_threads
from nasforge.oneshot.supernet import EdgeSpace, Supernet, mean_entropy
from nasforge.tasks import Task

Batch = tuple[torch.Tensor, torch.Tensor]
Weights = dict[str, torch.Tensor]


@dataclass
class EpochReport:
    """One epoch of supernet training: losses and accuracies (%), the architecture the
    weights stand for now (None for SPOS), the mean entropy of the operation weights
    (nats) and the weights themselves, per edge."""

    epoch: int
    train_loss: float
    train_acc: float
    val_loss: float
    val_acc: float
    arch: Architecture | None
    entropy: float
    weights: dict[str, list[float]] = field(default_factory=dict)
    seconds: float = 0.0


@dataclass
class OneShotFit:
    """A trained supernet, its method and the per-epoch reports."""

    supernet: Supernet
    method: OneShotMethod
    epochs: list[EpochReport]
    seconds: float


class OneShotMethod:
    """Supernet training shared by the one-shot methods. The weights follow SGD with
    momentum and a cosine schedule, gradients clipped at 5 (DARTS's settings); the
    architecture parameters Adam (betas 0.5, 0.999, weight decay 1e-3) from epoch
    `warmup_epochs` + 1. `arch_learning_rate` defaults to 10x DARTS's 3e-4, as small
    data sets give a few hundred steps instead of tens of thousands. `device` is where the
    supernet trains (`nasforge.devices`); the splits are moved there once."""

    name = "oneshot"
    sparse = False  # the mixing weights are one-hot (GDAS): skip the unused operations
    arch_weights = True  # False: no architecture parameters (SPOS)
    momentum = 0.9
    weight_decay = 3e-4
    arch_weight_decay = 1e-3
    grad_clip = 5.0
    min_learning_rate = 1e-3

    def __init__(
        self, epochs: int = 20, batch_size: int = 64, learning_rate: float = 0.025,
        arch_learning_rate: float = 3e-3, warmup_epochs: int = 0, seed: int = 0,
        threads: int | None = 1, device: str = "cpu",
    ) -> None:  # fmt: skip
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.arch_learning_rate = arch_learning_rate
        self.warmup_epochs = warmup_epochs
        self.seed = seed
        self.threads = threads
        self.device = device

    def check(self) -> None:
        """A ValueError for settings no run can use, before any work."""
        for key in ("epochs", "batch_size"):
            if getattr(self, key) < 1:
                raise ValueError(f"{key} must be at least 1, got {getattr(self, key)}")
        if not self.learning_rate > 0 or not self.arch_learning_rate > 0:
            raise ValueError("learning rates must be positive")
        resolve_device(self.device)  # a bad spec or a missing GPU, before any work

    # -- what a method decides --------------------------------------------------------
    def make_supernet(self, space: EdgeSpace, task: Task) -> Supernet:
        return Supernet(space, task, seed=self.seed)

    def mixture(self, supernet: Supernet) -> Weights:
        """The deterministic operation weights alpha stands for (softmax by default)."""
        return {edge: torch.softmax(alpha, dim=0) for edge, alpha in supernet.alpha.items()}

    def training_weights(self, supernet: Supernet, progress: float) -> Weights:
        """The mixing weights of one training forward at `progress` (0 to 1) of the run."""
        return self.mixture(supernet)

    def evaluation_weights(self, supernet: Supernet) -> tuple[Weights, bool]:
        """Mixing weights (and whether they are one-hot) for validation and selection."""
        return {e: w.detach() for e, w in self.mixture(supernet).items()}, False

    def arch_penalty(self, supernet: Supernet) -> torch.Tensor:
        """A regulariser added to the validation loss of the architecture step."""
        return torch.zeros((), device=supernet.device)

    def loss(self, supernet: Supernet, batch: Batch) -> torch.Tensor:
        """Cross-entropy of one forward with fresh training weights."""
        supernet.set_weights(self.training_weights(supernet, self.progress_), self.sparse)
        return nn.functional.cross_entropy(supernet(batch[0]), batch[1])

    def arch_gradients(
        self, supernet: Supernet, train: Batch, val: Batch, lr: float
    ) -> list[torch.Tensor]:
        """First order: the gradient of the validation loss at the current weights."""
        loss = self.loss(supernet, val) + self.arch_penalty(supernet)
        grads = torch.autograd.grad(loss, supernet.arch_parameters(), allow_unused=True)
        return [torch.zeros_like(a) if g is None else g
                for a, g in zip(supernet.arch_parameters(), grads)]  # fmt: skip

    def weight_step_logits(self, supernet: Supernet, batch: Batch) -> torch.Tensor:
        """The logits of the weight step's forward (with fresh training weights)."""
        supernet.set_weights(self.training_weights(supernet, self.progress_), self.sparse)
        return supernet(batch[0])

    def current_arch(self, supernet: Supernet) -> Architecture | None:
        """The architecture the weights stand for now (argmax of the mixture)."""
        return supernet.derive(self.mixture(supernet))

    def evaluate(self, supernet: Supernet, x: torch.Tensor, y: torch.Tensor) -> tuple[float, float]:
        """Validation loss and accuracy (%) of the supernet with its evaluation weights."""
        weights, sparse = self.evaluation_weights(supernet)
        with torch.no_grad():
            supernet.set_weights(weights, sparse)
            return loss_and_accuracy(supernet.network, x, y)

    # -- the run ----------------------------------------------------------------------
    def fit(
        self, space: EdgeSpace, task: Task, on_epoch: Callable[[EpochReport], None] | None = None
    ) -> OneShotFit:
        """Train the supernet of `space` on the task's training split, the architecture on
        its validation split; `on_epoch` gets each epoch's report."""
        self.check()
        start = time.perf_counter()
        with torch_threads(self.threads), torch.random.fork_rng():
            torch.manual_seed(self.seed)
            self.generator_ = torch.Generator().manual_seed(self.seed)
            supernet = self.make_supernet(space, task).move(resolve_device(self.device))
            reports = self._train(supernet, task, on_epoch)
        return OneShotFit(supernet, self, reports, time.perf_counter() - start)

    def _train(
        self, supernet: Supernet, task: Task, on_epoch: Callable[[EpochReport], None] | None
    ) -> list[EpochReport]:
        x, y, x_val, y_val = supernet.tensors(task.x_train, task.y_train, task.x_val, task.y_val)
        weights = supernet.weight_parameters()
        optimizer = torch.optim.SGD(
            weights, lr=self.learning_rate, momentum=self.momentum, weight_decay=self.weight_decay
        )
        steps = math.ceil(len(x) / self.batch_size)
        schedule = torch.optim.lr_scheduler.CosineAnnealingLR(
            optimizer, self.epochs * steps, eta_min=min(self.min_learning_rate, self.learning_rate)
        )
        arch_optimizer = None
        if self.arch_weights:
            arch_optimizer = torch.optim.Adam(
                supernet.arch_parameters(), lr=self.arch_learning_rate, betas=(0.5, 0.999),
                weight_decay=self.arch_weight_decay,
            )  # fmt: skip
        reports = []
        self.progress_ = 0.0
        for epoch in range(1, self.epochs + 1):
            began = time.perf_counter()
            order = torch.randperm(len(x), generator=self.generator_)
            val_order = torch.randperm(len(x_val), generator=self.generator_)
            supernet.network.train()
            total_loss, correct = 0.0, 0
            for step, first in enumerate(range(0, len(x), self.batch_size)):
                self.progress_ = ((epoch - 1) * steps + step) / (self.epochs * steps)
                index = order[first : first + self.batch_size]
                train = x[index], y[index]
                if arch_optimizer is not None and epoch > self.warmup_epochs:
                    at = (step * self.batch_size) % len(x_val)
                    pick = val_order[at : at + self.batch_size]
                    grads = self.arch_gradients(
                        supernet, train, (x_val[pick], y_val[pick]), schedule.get_last_lr()[0]
                    )
                    for parameter, grad in zip(supernet.arch_parameters(), grads):
                        parameter.grad = grad.detach()
                    arch_optimizer.step()
                logits = self.weight_step_logits(supernet, train)
                loss = nn.functional.cross_entropy(logits, train[1])
                if not torch.isfinite(loss):
                    raise ValueError(
                        f"{self.name} supernet training diverged in epoch {epoch} "
                        f"(loss {float(loss)}); lower the learning rate"
                    )
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                nn.utils.clip_grad_norm_(weights, self.grad_clip)
                optimizer.step()
                schedule.step()
                total_loss += float(loss.detach()) * len(index)
                correct += int((logits.argmax(1) == train[1]).sum())
            val_loss, val_acc = self.evaluate(supernet, x_val, y_val)
            mixture = {e: w.detach() for e, w in self.mixture(supernet).items()}
            reports.append(EpochReport(
                epoch, total_loss / len(x), 100.0 * correct / len(x), val_loss, val_acc,
                self.current_arch(supernet), mean_entropy(mixture),
                {e: [round(v, 6) for v in w.double().tolist()] for e, w in mixture.items()},
                time.perf_counter() - began,
            ))  # fmt: skip
            if on_epoch is not None:
                on_epoch(reports[-1])
        return reports


def loss_and_accuracy(
    network: nn.Module, x: torch.Tensor, y: torch.Tensor, batch_size: int = 512
) -> tuple[float, float]:
    """Mean cross-entropy and top-1 accuracy (%) of `network` in eval mode."""
    network.eval()
    total, correct = 0.0, 0
    with torch.no_grad():
        for first in range(0, len(x), batch_size):
            logits = network(x[first : first + batch_size])
            labels = y[first : first + batch_size]
            total += float(nn.functional.cross_entropy(logits, labels, reduction="sum"))
            correct += int((logits.argmax(1) == labels).sum())
    n = max(len(x), 1)
    return total / n, 100.0 * correct / n
