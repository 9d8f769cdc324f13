"""Zero-cost-augmented prediction: an encoding-based predictor whose features also hold
proxy scores of each architecture's untrained network, as in "How powerful are
performance predictors in NAS?" (White et al., NeurIPS 2021), where zero-cost features
most help the model-based predictors at small training sizes.

Networks are built for the task the search is for (its input shape and classes). `params`
and `flops` (log10) come from `nasforge.constraints`; any other name is looked up in
`nasforge.registry.PROXIES` and called as `proxy(model, (inputs, targets)) -> float` on
one seeded batch: rows of the task's training split when it carries data, Gaussian
inputs for a benchmark task (a NAS-Bench-201 look-up, which has no data).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import torch

from nasforge.architecture import Architecture
from nasforge.constraints import count_flops, count_params
from nasforge.predictors.base import Predictor
from nasforge.registry import PROXIES
from nasforge.spaces.base import SearchSpace
from nasforge.tasks import Task, benchmark_task

BUILTIN_PROXIES = ("params", "flops")
PROXY_BATCH = 64


def available_proxies() -> list[str]:
    """Proxy names usable as features: the built-in costs and every registered proxy."""
    return [*BUILTIN_PROXIES, *(name for name in PROXIES.names() if name not in BUILTIN_PROXIES)]


@lru_cache(maxsize=64)
def proxy_batch(task: Task) -> tuple[torch.Tensor, torch.Tensor]:
    """The seeded batch of `PROXY_BATCH` examples the data-dependent proxies see: training
    rows of `task` when it carries data, else standard-normal inputs and random labels."""
    generator = torch.Generator().manual_seed(0)
    if task.has_data:
        rows = np.random.default_rng(0).permutation(len(task.y_train))[:PROXY_BATCH]
        inputs = torch.from_numpy(np.ascontiguousarray(task.x_train[rows], dtype=np.float32))
        return inputs, torch.from_numpy(task.y_train[rows].astype(np.int64))
    inputs = torch.randn(PROXY_BATCH, *task.input_shape, generator=generator)
    return inputs, torch.randint(task.num_classes, (PROXY_BATCH,), generator=generator)


@lru_cache(maxsize=65536)
def proxy_scores(
    space: SearchSpace, arch: Architecture, proxies: tuple[str, ...], task: Task
) -> tuple[float, ...]:
    """`proxies` of `arch`'s untrained network built for `task`, from one built model
    (cached per space and task object)."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)  # layer init draws from the global generator; keep it fixed
        model = space.build(arch, task)
    scores = []
    for proxy in proxies:
        if proxy == "params":
            scores.append(float(np.log10(count_params(model))))
        elif proxy == "flops":
            scores.append(float(np.log10(count_flops(model, task.input_shape))))
        else:
            scores.append(float(PROXIES.get(proxy)(model, proxy_batch(task))))
    return tuple(scores)


class _ProxyFeatures:
    """A space stand-in whose `encode` appends proxy scores to the space's encoding."""

    def __init__(self, space: SearchSpace, proxies: tuple[str, ...], task: Task) -> None:
        self.space = space
        self.proxies = proxies
        self.task = task
        self.name = space.name
        self.encodings = tuple(kind for kind in space.encodings if kind != "graph")

    def encode(self, arch: Architecture, kind: str) -> np.ndarray:
        scores = proxy_scores(self.space, arch, self.proxies, self.task)
        return np.concatenate([self.space.encode(arch, kind), np.asarray(scores, np.float32)])


class ZeroCostAugmented(Predictor):
    """The predictor registered as `base` (default LightGBM) trained on `encoding` (its
    own default when None) plus the scores of `proxies` for networks built for `task`: a
    `Task`, or a NAS-Bench-201 dataset name for benchmark look-ups."""

    def __init__(
        self,
        space: SearchSpace,
        base: str = "lgbm",
        encoding: str | None = None,
        proxies: Sequence[str] = BUILTIN_PROXIES,
        task: Task | str = "cifar10",
        seed: int = 0,
    ) -> None:
        self.space = space
        self.base = base
        self.encoding = encoding
        self.proxies = proxies
        self.task = task
        self.seed = seed

    @property
    def has_uncertainty(self) -> bool:  # type: ignore[override]
        return bool(getattr(getattr(self, "model_", None), "has_uncertainty", False))

    def fit(self, archs: Sequence[Architecture], y: Sequence[float]) -> ZeroCostAugmented:
        from nasforge.predictors import PREDICTORS

        unknown = [p for p in self.proxies if p not in available_proxies()]
        if unknown:
            raise ValueError(
                f"unknown proxy {unknown[0]!r}; accepted: {', '.join(available_proxies())}"
            )
        if self.base == "zc":
            raise ValueError("the zc predictor needs a different base predictor, e.g. lgbm")
        task = benchmark_task(self.task) if isinstance(self.task, str) else self.task
        features = _ProxyFeatures(self.space, tuple(self.proxies), task)
        self.model_ = PREDICTORS.create(
            self.base, space=features, encoding=self.encoding, seed=self.seed
        ).fit(archs, y)
        self.y_mean_ = self.model_.y_mean_
        return self

    def predict(self, archs: Sequence[Architecture]) -> np.ndarray:
        self._check_fitted()
        return self.model_.predict(archs)

    def predict_dist(self, archs: Sequence[Architecture]) -> tuple[np.ndarray, np.ndarray]:
        self._check_fitted()
        return self.model_.predict_dist(archs)
