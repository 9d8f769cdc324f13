"""`ZeroCostEvaluator`: scores architectures with zero-cost proxies instead of training them.

Training-free NAS as in NASWOT (Mellor et al., ICML 2021) and the zero-cost proxy study of
Abdelfattah et al. (ICLR 2021): build the untrained model, compute proxies on one batch.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import torch
from torch import nn

from nasforge.architecture import Architecture
from nasforge.devices import resolve_device
from nasforge.evaluators.base import EvaluationContext, Evaluator, Result
from nasforge.evaluators.zerocost._common import Batch
from nasforge.evaluators.zerocost.data import default_source, proxy_batch
from nasforge.registry import PROXIES, SPACES
from nasforge.spaces.base import SearchSpace
from nasforge.tasks import Task, benchmark_task

if TYPE_CHECKING:
    from nasforge.evaluators.zerocost.ensemble import WeightedEnsemble


def build_initialised(space: SearchSpace, arch: Architecture, task: Task, seed: int) -> nn.Module:
    """`space.build(arch, task)` with its random initialisation drawn from `seed`."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return space.build(arch, task)


class ZeroCostEvaluator(Evaluator):
    """Computes the proxies named in `proxies` on the untrained model of an architecture.

    `Result.metrics` holds `proxy_<name>` for every proxy and the searched score under
    `objective` (default `"proxy_score"`; pass `metric=evaluator.objective` to a strategy,
    or `objective="val_acc"` to drive code that reads `val_acc`). The searched score is
    the first proxy's, or `ensemble.score_one(...)` when a fitted `WeightedEnsemble` is
    given. Networks are built for `task`, a `Task` or a NAS-Bench-201 dataset name (for
    benchmark look-ups). `data` is `"task"`, `"gaussian"` or `"digits"` (see
    `zerocost.data`), or a fixed batch; None takes the task's own training rows when it
    carries data, else Gaussian inputs. `seed` fixes the weight initialisation and the
    batch. Scores are cached per architecture. `space=None` takes the space named by each
    architecture. Models and the batch live on `device` (cpu, auto, cuda[:N]; see
    `nasforge.devices`), the batch copied there once in `setup`.
    """

    maximize = True

    def __init__(
        self,
        proxies: Sequence[str] = ("synflow",),
        task: Task | str = "cifar10",
        space: SearchSpace | None = None,
        objective: str = "proxy_score",
        data: str | Batch | None = None,
        batch_size: int = 64,
        seed: int = 0,
        ensemble: WeightedEnsemble | None = None,
        device: str = "cpu",
    ) -> None:
        self.proxies = proxies
        self.task = task
        self.space = space
        self.objective = objective
        self.data = data
        self.batch_size = batch_size
        self.seed = seed
        self.ensemble = ensemble
        self.device = device

    def setup(self) -> ZeroCostEvaluator:
        """Check the proxy names and draw the batch (done on first use otherwise)."""
        if not self.proxies:
            raise ValueError("give at least one proxy; known: " + ", ".join(PROXIES.names()))
        self.functions_ = {name: PROXIES.get(name) for name in self.proxies}
        self.device_ = resolve_device(self.device)
        self.task_ = benchmark_task(self.task) if isinstance(self.task, str) else self.task
        if self.data is None or isinstance(self.data, str):
            source = default_source(self.task_) if self.data is None else self.data
            self.batch_ = proxy_batch(self.task_, source, self.batch_size, self.seed)
        else:
            self.batch_ = self.data
        self.batch_ = tuple(part.to(self.device_) for part in self.batch_)
        self.cache_: dict[Architecture, dict[str, float]] = {}
        self.seconds_ = dict.fromkeys(self.proxies, 0.0)
        return self

    def scores(self, arch: Architecture) -> dict[str, float]:
        """`{proxy name: score}` for `arch`, computed once and cached."""
        if not hasattr(self, "functions_"):
            self.setup()
        cached = self.cache_.get(arch)
        if cached is not None:
            return cached
        space = self.space if self.space is not None else SPACES.create(arch.space)
        model = build_initialised(space, arch, self.task_, self.seed).to(self.device_)
        values = {}
        for name, function in self.functions_.items():
            start = time.perf_counter()
            values[name] = float(function(model, self.batch_))
            self.seconds_[name] += time.perf_counter() - start
        self.cache_[arch] = values
        return values

    def score(self, arch: Architecture) -> float:
        """The searched score of `arch` (first proxy, or the ensemble's combination)."""
        values = self.scores(arch)
        if self.ensemble is not None:
            return float(self.ensemble.score_one(values))
        value = values[self.proxies[0]]
        return value if not math.isnan(value) else -math.inf

    def evaluate(self, arch: Architecture, context: EvaluationContext | None = None) -> Result:
        start = time.perf_counter()
        metrics: Mapping[str, float] = {f"proxy_{k}": v for k, v in self.scores(arch).items()}
        metrics = {**metrics, self.objective: self.score(arch)}
        return Result(dict(metrics), cost_s=time.perf_counter() - start)
