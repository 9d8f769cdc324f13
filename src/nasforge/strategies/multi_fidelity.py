"""Multi-fidelity strategies over a training budget in epochs: successive halving
(Jamieson & Talwalkar, AISTATS 2016) and Hyperband (Li et al., JMLR 2018).

They propose jobs, `(architecture, epochs)`: new architectures come from a base
black-box strategy at the lowest fidelity, and the best 1/eta of each rung are trained
again with eta times more epochs (or at the next of the given `fidelities`, as a tabular
benchmark's 12- and 200-epoch columns). The rungs are replayed from the history (each
trial records its `fidelity`), so the schedule survives a resume.
"""

from __future__ import annotations

import math

import numpy as np

from nasforge.architecture import Architecture
from nasforge.history import History, Trial
from nasforge.registry import STRATEGIES
from nasforge.spaces.base import SearchSpace
from nasforge.strategies.base import Strategy


def _rungs(min_epochs: int, max_epochs: int, eta: int) -> list[int]:
    rungs = [min_epochs]
    while rungs[-1] * eta <= max_epochs:
        rungs.append(rungs[-1] * eta)
    return rungs


class _Halving(Strategy):
    """Shared job logic: one bracket is `n0` new architectures at `rungs[0]` epochs, then
    the top `n0 / eta**k` of each rung promoted to `rungs[k]`."""

    min_epochs: int
    max_epochs: int
    eta: int
    base: str
    fidelities: tuple[int, ...] | None
    multi_fidelity = True

    def propose(
        self, space: SearchSpace, history: History, rng: np.random.Generator
    ) -> Architecture:
        return self.propose_job(space, history, rng)[0]

    def _brackets(self) -> list[tuple[int, list[int]]]:
        """The repeating schedule of brackets as (n0, rung fidelities)."""
        raise NotImplementedError

    def _rungs(self, start_rung: int = 0) -> list[int]:
        """The fidelities of one bracket's rungs, from its `start_rung`-th rung on."""
        if self.fidelities:
            return sorted(int(f) for f in self.fidelities)[start_rung:]
        rungs = _rungs(self.min_epochs, self.max_epochs, self.eta)
        return rungs[start_rung:]

    def check(self, space: SearchSpace) -> None:
        if self.fidelities is not None and (
            len(self.fidelities) < 2 or min(self.fidelities) < 1
            or len(set(self.fidelities)) != len(self.fidelities)
        ):  # fmt: skip
            raise ValueError(
                f"fidelities must be two or more distinct epoch counts >= 1, got {self.fidelities}"
            )
        if self.eta < 2 or not 1 <= self.min_epochs <= self.max_epochs:
            raise ValueError(
                "need eta >= 2 and 1 <= min_epochs <= max_epochs, got "
                f"eta={self.eta}, min_epochs={self.min_epochs}, max_epochs={self.max_epochs}"
            )

    def propose_job(
        self, space: SearchSpace, history: History, rng: np.random.Generator
    ) -> tuple[Architecture, int]:
        """The next architecture and the number of epochs to train it for."""
        brackets = self._brackets()
        sizes = [sum(n0 // self.eta**k for k in range(len(rungs))) for n0, rungs in brackets]
        done = history.proposed % sum(sizes)
        index = 0
        while done >= sizes[index]:
            done -= sizes[index]
            index += 1
        n0, rungs = brackets[index]
        bracket = history.in_order()[history.proposed - done :] if done else []
        for k, epochs in enumerate(rungs):
            at_rung = [t for t in bracket if t.metrics.get("fidelity") == epochs]
            wanted = n0 // self.eta**k
            if len(at_rung) >= wanted:
                continue
            if k == 0:
                base = getattr(self, "base_", None) or STRATEGIES.create(self.base)
                self.base_ = base
                return base.propose(space, history, rng), epochs
            previous = [t for t in bracket if t.metrics.get("fidelity") == rungs[k - 1]]
            promoted = {t.arch for t in at_rung}
            ranked = sorted(previous, key=self._rank_key, reverse=True)[:wanted]
            for trial in ranked:
                if trial.arch not in promoted:
                    return trial.arch, epochs
        raise RuntimeError("successive-halving bracket is complete but was not rolled over")

    def _rank_key(self, trial: Trial) -> tuple[float, float]:
        return (self.score(trial), -trial.number)


class SuccessiveHalving(_Halving):
    """Brackets of `initial` architectures at `min_epochs`, keeping the best 1/eta per rung
    until `max_epochs`; then a new bracket starts."""

    def __init__(
        self,
        initial: int = 9,
        min_epochs: int = 1,
        max_epochs: int = 9,
        eta: int = 3,
        base: str = "random",
        metric: str = "val_acc",
        fidelities: tuple[int, ...] | None = None,
        maximize: bool = True,
    ) -> None:
        self.initial = initial
        self.min_epochs = min_epochs
        self.max_epochs = max_epochs
        self.eta = eta
        self.base = base
        self.metric = metric
        self.fidelities = fidelities
        self.maximize = maximize

    def _brackets(self) -> list[tuple[int, list[int]]]:
        rungs = self._rungs()
        return [(max(self.initial, self.eta ** (len(rungs) - 1)), rungs)]


class Hyperband(_Halving):
    """Successive halving brackets that trade the number of architectures against their
    starting budget, from most exploratory to plain full-budget random search. Rungs are
    `min_epochs * eta**k` up to `max_epochs`, or the given `fidelities`."""

    def __init__(
        self,
        min_epochs: int = 1,
        max_epochs: int = 9,
        eta: int = 3,
        base: str = "random",
        metric: str = "val_acc",
        fidelities: tuple[int, ...] | None = None,
        maximize: bool = True,
    ) -> None:
        self.min_epochs = min_epochs
        self.max_epochs = max_epochs
        self.eta = eta
        self.base = base
        self.metric = metric
        self.fidelities = fidelities
        self.maximize = maximize

    def _brackets(self) -> list[tuple[int, list[int]]]:
        s_max = len(self._rungs()) - 1
        brackets = []
        for s in range(s_max, -1, -1):
            n0 = math.ceil((s_max + 1) / (s + 1) * self.eta**s)
            brackets.append((n0, self._rungs(s_max - s)))
        return brackets
