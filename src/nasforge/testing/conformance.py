"""The checks behind `nasforge.testing`; each raises `AssertionError` naming the broken promise."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch

from nasforge.architecture import Architecture
from nasforge.evaluators.base import Evaluator
from nasforge.spaces.base import SearchSpace
from nasforge.strategies.base import Strategy
from nasforge.tasks import Task


def check_space(space: SearchSpace, task: Task | None = None, samples: int = 20) -> None:
    """Sampling is seeded, text and JSON forms round-trip, mutation changes exactly what it
    returns, encodings have a fixed length, and `build` (when `task` is given) runs on
    random inputs (token ids for token tasks; per-position outputs for per-position ones)."""
    first, again = (space.sample(np.random.default_rng(7)) for _ in range(2))
    assert first == again, "sample() must be deterministic given the generator"
    rng = np.random.default_rng(0)
    archs = [space.sample(rng) for _ in range(samples)]
    lengths: dict[str, int] = {}
    for arch in archs:
        assert isinstance(arch, Architecture) and arch.space == space.name
        assert space.validate(arch) is arch
        text = space.format(arch)
        assert space.parse(text) == arch, f"parse(format(a)) != a for {text!r}"
        assert hash(space.parse(text)) == hash(arch), "equal architectures must hash equal"
        assert Architecture.from_json(arch.to_json()) == arch, "JSON form must round-trip"
        child = space.mutate(arch, rng)
        assert child != arch, "mutate() must change the architecture"
        space.validate(child)
        try:
            neighbors = space.neighbors(arch)
        except NotImplementedError:
            neighbors = []
        assert arch not in neighbors and len(set(neighbors)) == len(neighbors)
        for kind in ("onehot", "ordinal"):
            try:
                vector = space.encode(arch, kind)
            except NotImplementedError:
                continue
            assert np.all(np.isfinite(vector)), f"{kind} encoding must be finite"
            assert lengths.setdefault(kind, vector.size) == vector.size, "encoding length varies"
    if task is not None:
        model = space.build(archs[0], task)
        model.eval()
        if task.kind == "tokens":
            x = torch.randint(0, task.vocabulary, (2, *task.input_shape))
        else:
            x = torch.randn(2, *task.input_shape)
        with torch.no_grad():
            out = model(x)
        expected = (2, task.outputs, *(task.input_shape[-1:] if task.per_position else ()))
        assert tuple(out.shape) == expected, f"model output shape {tuple(out.shape)}"


def check_strategy(
    make_strategy: Callable[[], Strategy],
    space: SearchSpace,
    evaluator: Evaluator,
    budget: int = 40,
    seed: int = 0,
) -> list[Architecture]:
    """Through the one search loop (`run_study`, nothing stored): proposals are valid, no
    job repeats an evaluated one (architecture, or architecture and fidelity for a
    multi-fidelity strategy), the same seed gives the same proposals, and stopping halfway
    then continuing proposes exactly what one uninterrupted run does."""
    from nasforge.run.loop import TrialLog, run_study

    def run(stops: tuple[int, ...]) -> list[Architecture]:
        log = TrialLog()
        for stop in stops:  # a fresh strategy each time, as a resumed process has
            strategy = make_strategy()
            history = run_study(log, space, strategy, evaluator, stop, seed=seed)
        jobs = [(t.arch, t.metrics.get("fidelity")) for t in history]
        for arch, _ in jobs:
            space.validate(arch)
        repeated = jobs if strategy.multi_fidelity else [arch for arch, _ in jobs]
        assert len(set(repeated)) == len(repeated), "proposed an evaluated architecture again"
        assert len(history) == budget, f"{len(history)} trials recorded for a budget of {budget}"
        return [arch for arch, _ in jobs]

    first = run((budget,))
    assert first == run((budget,)), "the same seed must give the same proposals"
    assert first == run((budget // 2, budget)), "a resumed run must propose the same as one run"
    return first
