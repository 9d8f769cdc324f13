"""Zero-cost-augmented prediction: an encoding-based predictor whose features also hold
proxy scores of each architecture's untrained network, as in "How powerful are
performance predictors in NAS?" (White et al., NeurIPS 2021), where zero-cost features
most help the model-based predictors at small training sizes.

`params` and `flops` (log10) come from `nasforge.constraints`; any other name is looked
up in `nasforge.registry.PROXIES` and called as `proxy(model, (inputs, targets)) -> float`
on one seeded random batch.
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
from nasforge.tasks import benchmark_task

BUILTIN_PROXIES = ("params", "flops")
PROXY_BATCH = 64


def available_proxies() -> list[str]:
    """Proxy names usable as features: the built-in costs and every registered proxy."""
    return [*BUILTIN_PROXIES, *(name for name in PROXIES.names() if name not in BUILTIN_PROXIES)]


@lru_cache(maxsize=65536)
def proxy_scores(
    space: SearchSpace, arch: Architecture, proxies: tuple[str, ...], dataset: str
) -> tuple[float, ...]:
    """`proxies` of `arch`'s untrained network for `dataset`, from one built model (cached
    per space object)."""
    task = benchmark_task(dataset)
    generator = torch.Generator().manual_seed(0)
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
            inputs = torch.randn(PROXY_BATCH, *task.input_shape, generator=generator)
            targets = torch.randint(task.num_classes, (PROXY_BATCH,), generator=generator)
            scores.append(float(PROXIES.get(proxy)(model, (inputs, targets))))
    return tuple(scores)


class _ProxyFeatures:
    """A space stand-in whose `encode` appends proxy scores to the space's encoding."""

    def __init__(self, space: SearchSpace, proxies: Sequence[str], dataset: str) -> None:
        self.space = space
        self.proxies = proxies
        self.dataset = dataset
        self.name = space.name

    def encode(self, arch: Architecture, kind: str) -> np.ndarray:
        scores = proxy_scores(self.space, arch, self.proxies, self.dataset)
        return np.concatenate([self.space.encode(arch, kind), np.asarray(scores, np.float32)])


class ZeroCostAugmented(Predictor):
    """The predictor registered as `base` (default LightGBM) trained on `encoding` plus
    the scores of `proxies` for networks built for the benchmark task `dataset`."""

    def __init__(
        self,
        space: SearchSpace,
        base: str = "lgbm",
        encoding: str = "adjacency",
        proxies: Sequence[str] = BUILTIN_PROXIES,
        dataset: str = "cifar10",
        seed: int = 0,
    ) -> None:
        self.space = space
        self.base = base
        self.encoding = encoding
        self.proxies = proxies
        self.dataset = dataset
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
        benchmark_task(self.dataset)  # ValueError naming the datasets
        features = _ProxyFeatures(self.space, tuple(self.proxies), self.dataset)
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
