"""Single-path one-shot (SPOS): train the supernet along one uniformly sampled path per
step, then judge architectures by their inherited weights, BatchNorm statistics
re-estimated for each path (Guo et al., "Single Path One-Shot Neural Architecture
Search with Uniform Sampling", ECCV 2020). `SupernetEvaluator` makes any trained
supernet an `Evaluator`, so a black-box strategy searches it through the one loop."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import numpy as np
import torch

from nasforge.architecture import Architecture
from nasforge.evaluators.base import EvaluationContext, Evaluator, Result
from nasforge.oneshot.base import Batch, OneShotMethod, Weights, loss_and_accuracy
from nasforge.oneshot.supernet import Supernet, recalibrate_batch_norm, uniform_weights

if TYPE_CHECKING:
    from nasforge.oneshot.fewshot import FewShotSupernet


class SPOS(OneShotMethod):
    """Uniform single-path training: each weight step runs `space.sample(rng)`'s
    operations only; there are no architecture parameters. The per-epoch validation
    figures are those of one path drawn from the seed, BatchNorm recalibrated. The
    learning rate defaults to `search`'s 0.05: a single path learns slower than a mixture."""

    name = "spos"
    arch_weights = False

    def __init__(
        self, epochs: int = 20, batch_size: int = 64, learning_rate: float = 0.05,
        seed: int = 0, threads: int | None = 1, device: str = "cpu",
    ) -> None:  # fmt: skip
        super().__init__(epochs, batch_size, learning_rate, 3e-3, 0, seed, threads, device)

    def mixture(self, supernet: Supernet) -> Weights:
        return uniform_weights(supernet.edges, supernet.device)

    def weight_step_logits(self, supernet: Supernet, batch: Batch) -> torch.Tensor:
        seed = int(torch.randint(0, 2**62, (1,), generator=self.generator_))
        path = supernet.space.edge_ops(supernet.space.sample(np.random.default_rng(seed)))
        with supernet.single_path(path):
            return supernet(batch[0])

    def current_arch(self, supernet: Supernet) -> Architecture | None:
        return None

    def evaluate(self, supernet: Supernet, x: torch.Tensor, y: torch.Tensor) -> tuple[float, float]:
        arch = supernet.space.sample(np.random.default_rng(self.seed + 1))
        (train,) = supernet.tensors(supernet.task.x_train)
        return inherited_scores(supernet, arch, train, x, y)


def inherited_scores(
    supernet: Supernet, arch: Architecture, calibration: torch.Tensor, x: torch.Tensor,
    y: torch.Tensor,
) -> tuple[float, float]:  # fmt: skip
    """Loss and accuracy (%) of `arch`'s path with inherited weights, BatchNorm statistics
    re-estimated on `calibration` (the supernet's statistics are changed by this)."""
    with supernet.single_path(supernet.space.edge_ops(arch)):
        recalibrate_batch_norm(supernet.network, calibration)
        return loss_and_accuracy(supernet.network, x, y)


class SupernetEvaluator(Evaluator):
    """Inherited-weight validation accuracy of an architecture's path through a trained
    supernet (few-shot: its sub-supernet), BatchNorm recalibrated on up to
    `calibration_size` training images."""

    def __init__(self, supernet: Supernet | FewShotSupernet, calibration_size: int = 512) -> None:
        self.supernet = supernet
        self.calibration_size = calibration_size

    def evaluate(self, arch: Architecture, context: EvaluationContext | None = None) -> Result:
        start = time.perf_counter()
        if getattr(self, "tensors_", None) is None:  # on the device once, not per architecture
            task = self.supernet.task
            self.tensors_ = self.supernet.tensors(
                task.x_train[: self.calibration_size], task.x_val, task.y_val
            )
        calibration, x, y = self.tensors_
        loss, acc = inherited_scores(self.supernet.route(arch), arch, calibration, x, y)
        metrics = {"val_acc": acc, "val_loss": loss}
        return Result(metrics, time.perf_counter() - start, [acc])
