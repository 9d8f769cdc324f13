"""`SharedSynflow`: SynFlow of every architecture of an edge space on one untrained supernet.

SynFlow scores a network at its random initialisation; which initialisation is arbitrary.
Here all architectures share one: the space's weight-sharing supernet (`nasforge.oneshot`)
is built once, its weights turned into SynFlow's float64 |w| in place, and each
architecture is one forward and backward along its single path. That removes building a
network per score (two to three times cheaper on NAS-Bench-201's scaled-down cells) and
compares architectures at common random weights, so their differences are structure,
not initialisation luck (the supernet view of zero-cost proxies: Xiang et al.,
"Zero-Cost Operation Scoring in Differentiable Architecture Search", AAAI 2023).
"""

from __future__ import annotations

import math
import time

import torch

from nasforge.architecture import Architecture
from nasforge.devices import resolve_device
from nasforge.evaluators.base import EvaluationContext, Evaluator, Result
from nasforge.evaluators.zerocost._common import weighted_layers
from nasforge.evaluators.zerocost.saliency import synflow_state, synflow_total
from nasforge.oneshot.supernet import Supernet
from nasforge.spaces.base import SearchSpace
from nasforge.tasks import Task, benchmark_task


class SharedSynflow(Evaluator):
    """SynFlow (`proxy_synflow`, searched as `objective`) of architectures of `space`, an
    edge space (nb201, darts), on one supernet initialised from `seed` and built for
    `task` (a `Task` or a NAS-Bench-201 dataset name) on `device`. Scores are cached."""

    maximize = True

    def __init__(
        self,
        space: SearchSpace,
        task: Task | str = "cifar10",
        seed: int = 0,
        objective: str = "proxy_score",
        device: str = "cpu",
    ) -> None:
        self.space = space
        self.task = task
        self.seed = seed
        self.objective = objective
        self.device = device

    def setup(self) -> SharedSynflow:
        """Build the supernet and turn it into SynFlow's network (done on first use otherwise)."""
        task = benchmark_task(self.task) if isinstance(self.task, str) else self.task
        self.supernet_ = Supernet(self.space, task, seed=self.seed)
        device = resolve_device(self.device)
        network = self.supernet_.network.to(device).double().eval()
        state, _ = synflow_state(network)
        network.load_state_dict(state)
        network.requires_grad_(False)
        self.weights_ = [layer.weight.requires_grad_(True) for layer in weighted_layers(network)]
        self.ones_ = torch.ones((1, *task.input_shape), dtype=torch.float64, device=device)
        self.cache_: dict[Architecture, float] = {}
        return self

    def score(self, arch: Architecture) -> float:
        """SynFlow of `arch` along its path through the shared supernet (NaN -> -inf)."""
        if not hasattr(self, "cache_"):
            self.setup()
        cached = self.cache_.get(arch)
        if cached is not None:
            return cached
        with self.supernet_.single_path(self.space.edge_ops(arch)), torch.enable_grad():
            value = synflow_total(self.supernet_.network(self.ones_), self.weights_)
        self.cache_[arch] = value if not math.isnan(value) else -math.inf
        return self.cache_[arch]

    def evaluate(self, arch: Architecture, context: EvaluationContext | None = None) -> Result:
        start = time.perf_counter()
        value = self.score(arch)
        metrics = {"proxy_synflow": value, self.objective: value}
        return Result(metrics, cost_s=time.perf_counter() - start)
