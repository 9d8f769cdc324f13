"""Few-shot SPOS: after a warm-up of the one-shot supernet, split it on one edge into one
sub-supernet per operation of that edge, each a copy inheriting the warm-up weights and
trained on the paths with that operation on the edge; an architecture is judged by the
sub-supernet of its operation (Zhao et al., "Few-shot Neural Architecture Search",
ICML 2021)."""

from __future__ import annotations

import copy
import math
import time
from collections.abc import Callable

import numpy as np
import torch
from torch import nn

from nasforge.architecture import Architecture
from nasforge.oneshot.base import EpochReport, OneShotFit
from nasforge.oneshot.spos import SPOS, inherited_scores
from nasforge.oneshot.supernet import EdgeSpace, Supernet, check_edge_space
from nasforge.tasks import Task

MAX_DRAWS = 10_000  # rejection sampling of a sub-space's architecture gives up after this
SPLIT_DRAWS = 2_000  # architectures drawn to find what the sampler puts on the split edge
ANY = "(any)"  # the restriction before the split: every path (op names are identifiers)


def check_split(space: EdgeSpace, edge: str) -> str:
    """`edge` if the space's supernet has it, else a ValueError naming the edges."""
    edges = check_edge_space(space).supernet_edges()
    if edge not in edges:
        raise ValueError(
            f"unknown split edge {edge!r} of space {space.name!r}; edges: {', '.join(edges)}"
        )
    return edge


def split_ops(space: EdgeSpace, edge: str, seed: int = 0) -> tuple[str | None, ...]:
    """What `space.sample` puts on `edge` in SPLIT_DRAWS seeded draws, in the supernet's
    order, None last (an edge some architectures leave out): the sub-supernets' keys
    (`none` is absent on DARTS cells, whose sampler never picks it)."""
    rng = np.random.default_rng(seed)
    seen = {space.edge_ops(space.sample(rng)).get(edge) for _ in range(SPLIT_DRAWS)}
    ops = [op for op in space.supernet_edges()[edge] if op in seen]
    return (*ops, None) if None in seen else tuple(ops)


def sample_with(
    space: EdgeSpace, edge: str, op: str | None, rng: np.random.Generator
) -> Architecture:
    """An architecture of `space.sample`'s distribution conditioned on `op` being on
    `edge` (rejection sampling: uniform over the sub-space when sampling is uniform)."""
    for _ in range(MAX_DRAWS):
        arch = space.sample(rng)
        if space.edge_ops(arch).get(edge) == op:
            return arch
    raise ValueError(f"space {space.name!r} did not sample {op!r} on edge {edge!r} "
                     f"in {MAX_DRAWS} draws")  # fmt: skip


class FewShotSupernet:
    """The sub-supernets of a split, one per operation of `edge`; `route(arch)` is the
    one that judges `arch`, `parent` the one-shot supernet at the split."""

    def __init__(self, parent: Supernet, edge: str, children: dict[str | None, Supernet]) -> None:
        self.parent = parent
        self.edge = edge
        self.children = children

    @property
    def space(self) -> EdgeSpace:
        return self.parent.space

    @property
    def task(self) -> Task:
        return self.parent.task

    @property
    def device(self) -> torch.device:
        return self.parent.device

    def tensors(self, *arrays: np.ndarray) -> tuple[torch.Tensor, ...]:
        return self.parent.tensors(*arrays)

    def route(self, arch: Architecture) -> Supernet:
        """The sub-supernet of the operation `arch` puts on the split edge."""
        op = self.space.edge_ops(arch).get(self.edge)
        if op not in self.children:
            raise ValueError(f"architecture has {op!r} on split edge {self.edge!r}, "
                             f"not one of {', '.join(map(str, self.children))}")  # fmt: skip
        return self.children[op]


def split_supernet(supernet: Supernet, edge: str) -> FewShotSupernet:
    """One deep copy of `supernet` per operation the space samples on `edge` (weights,
    BatchNorm statistics and architecture parameters inherited; task and space shared)."""
    check_split(supernet.space, edge)
    memo = {id(supernet.task): supernet.task, id(supernet.space): supernet.space}
    children = {op: copy.deepcopy(supernet, dict(memo)) for op in split_ops(supernet.space, edge)}
    return FewShotSupernet(supernet, edge, children)


class FewShotSPOS(SPOS):
    """SPOS for `split_epoch` epochs (default half of `epochs`), then a split on
    `split_edge`; each sub-supernet continues to epoch `epochs` with its copy of the
    optimizer (momentum and the place in the cosine schedule), so every sub-supernet has
    the one-shot schedule and the training cost is split_epoch + K (epochs - split_epoch)
    epochs. Per-epoch figures after the split are the means over the sub-supernets.
    `fit(...).supernet` is the `FewShotSupernet`."""

    def __init__(
        self, split_edge: str, split_epoch: int | None = None, epochs: int = 20,
        batch_size: int = 64, learning_rate: float = 0.05, seed: int = 0,
        threads: int | None = 1, device: str = "cpu",
    ) -> None:  # fmt: skip
        super().__init__(epochs, batch_size, learning_rate, seed, threads, device)
        self.split_edge = split_edge
        self.split_epoch = split_epoch

    @property
    def split_at(self) -> int:
        """The epoch after which the supernet is split."""
        return self.epochs // 2 if self.split_epoch is None else self.split_epoch

    def check(self) -> None:
        super().check()
        if not 0 <= self.split_at < self.epochs:
            raise ValueError(
                f"split_epoch must be from 0 to epochs - 1 = {self.epochs - 1}, got {self.split_at}"
            )

    def fit(
        self, space: EdgeSpace, task: Task, on_epoch: Callable[[EpochReport], None] | None = None
    ) -> OneShotFit:
        check_split(space, self.split_edge)
        fit = super().fit(space, task, on_epoch)
        return OneShotFit(self.split_, self, fit.epochs, fit.seconds)

    def _train(
        self, supernet: Supernet, task: Task, on_epoch: Callable[[EpochReport], None] | None
    ) -> list[EpochReport]:
        x, y, x_val, y_val = supernet.tensors(task.x_train, task.y_train, task.x_val, task.y_val)
        optimizer = torch.optim.SGD(
            supernet.weight_parameters(), lr=self.learning_rate, momentum=self.momentum,
            weight_decay=self.weight_decay,
        )  # fmt: skip
        steps = math.ceil(len(x) / self.batch_size)
        schedule = torch.optim.lr_scheduler.CosineAnnealingLR(
            optimizer, self.epochs * steps, eta_min=min(self.min_learning_rate, self.learning_rate)
        )
        members = [(ANY, supernet, optimizer, schedule)]  # (op on the split edge, ...)
        self.split_ = FewShotSupernet(supernet, self.split_edge, {})
        reports = []
        for epoch in range(1, self.epochs + 1):
            if epoch == self.split_at + 1:
                self.split_ = split_supernet(supernet, self.split_edge)
                members = [(op, child, *self._optimizer_copy(child, optimizer, schedule))
                           for op, child in self.split_.children.items()]  # fmt: skip
            began = time.perf_counter()
            figures = [self._epoch(epoch, op, *member, x, y, x_val, y_val)
                       for op, *member in members]  # fmt: skip
            means = np.mean(figures, axis=0).tolist()
            reports.append(EpochReport(epoch, *means, None, 0.0, {},
                                       time.perf_counter() - began))  # fmt: skip
            if on_epoch is not None:
                on_epoch(reports[-1])
        return reports

    def _optimizer_copy(self, child: Supernet, optimizer, schedule) -> tuple:
        """SGD over the child's weights with the parent's state (momentum, schedule)."""
        copied = torch.optim.SGD(
            child.weight_parameters(), lr=self.learning_rate, momentum=self.momentum,
            weight_decay=self.weight_decay,
        )  # fmt: skip
        copied.load_state_dict(copy.deepcopy(optimizer.state_dict()))
        steps = torch.optim.lr_scheduler.CosineAnnealingLR(copied, schedule.T_max, schedule.eta_min)
        steps.load_state_dict(schedule.state_dict())
        return copied, steps

    def _epoch(
        self, epoch: int, op: str | None, supernet: Supernet, optimizer, schedule,
        x: torch.Tensor, y: torch.Tensor, x_val: torch.Tensor, y_val: torch.Tensor,
    ) -> tuple[float, float, float, float]:  # fmt: skip
        """One pass over the training split along paths with `op` on the split edge (ANY:
        every path, before the split); train and validation loss and accuracy."""
        order = torch.randperm(len(x), generator=self.generator_)
        supernet.network.train()
        total, correct = 0.0, 0
        for first in range(0, len(x), self.batch_size):
            index = order[first : first + self.batch_size]
            logits = self._path_logits(supernet, op, x[index])
            loss = nn.functional.cross_entropy(logits, y[index])
            if not torch.isfinite(loss):
                raise ValueError(f"few-shot spos training diverged in epoch {epoch} "
                                 f"(loss {float(loss)}); lower the learning rate")  # fmt: skip
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            nn.utils.clip_grad_norm_(supernet.weight_parameters(), self.grad_clip)
            optimizer.step()
            schedule.step()
            total += float(loss.detach()) * len(index)
            correct += int((logits.argmax(1) == y[index]).sum())
        val_loss, val_acc = self._val(supernet, op, x_val, y_val)
        return total / len(x), 100.0 * correct / len(x), val_loss, val_acc

    def _draw(self, space: EdgeSpace, op: str | None, rng: np.random.Generator) -> Architecture:
        return space.sample(rng) if op == ANY else sample_with(space, self.split_edge, op, rng)

    def _path_logits(self, supernet: Supernet, op: str | None, x: torch.Tensor) -> torch.Tensor:
        seed = int(torch.randint(0, 2**62, (1,), generator=self.generator_))
        arch = self._draw(supernet.space, op, np.random.default_rng(seed))
        with supernet.single_path(supernet.space.edge_ops(arch)):
            return supernet(x)

    def _val(
        self, supernet: Supernet, op: str | None, x: torch.Tensor, y: torch.Tensor
    ) -> tuple[float, float]:
        """One path drawn from the seed (in the sub-space), BatchNorm recalibrated."""
        arch = self._draw(supernet.space, op, np.random.default_rng(self.seed + 1))
        (train,) = supernet.tensors(supernet.task.x_train)
        return inherited_scores(supernet, arch, train, x, y)
