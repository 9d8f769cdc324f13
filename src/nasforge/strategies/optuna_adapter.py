"""Any Optuna sampler (TPE, GP, ...) as a nasforge strategy, through ask-and-tell.

Each decision of a categorical space becomes an Optuna categorical parameter. Completed
trials from the history are added to a private in-memory Optuna study before each ask,
so the sampler sees exactly what the history holds, whoever proposed it.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass

import numpy as np
import optuna
from optuna.distributions import CategoricalDistribution
from optuna.trial import TrialState

from nasforge.architecture import Architecture
from nasforge.history import History
from nasforge.spaces.base import CategoricalSpace, SearchSpace
from nasforge.strategies.base import Strategy

SAMPLERS = {
    "tpe": lambda seed: optuna.samplers.TPESampler(seed=seed),
    "gp": lambda seed: optuna.samplers.GPSampler(seed=seed),
    "random": lambda seed: optuna.samplers.RandomSampler(seed=seed),
}


@dataclass
class _Session:
    history: weakref.ref
    study: optuna.Study
    distributions: dict[str, CategoricalDistribution]
    synced: int = 0


class OptunaStrategy(Strategy):
    """Runs the Optuna sampler named `sampler` ("tpe", "gp", "random") over a categorical space.

    When the sampler suggests an architecture already evaluated, it is asked again (up to
    `duplicate_tries` times); then an unseen neighbour of its last suggestion is taken.
    """

    def __init__(
        self,
        sampler: str = "tpe",
        metric: str = "val_acc",
        maximize: bool = True,
        allow_duplicates: bool = False,
        duplicate_tries: int = 2,
    ) -> None:
        self.sampler = sampler
        self.metric = metric
        self.maximize = maximize
        self.allow_duplicates = allow_duplicates
        self.duplicate_tries = duplicate_tries

    def _session(self, space: SearchSpace, history: History, rng: np.random.Generator) -> _Session:
        session = getattr(self, "session_", None)
        if session is not None and session.history() is history and session.synced <= len(history):
            return session
        if not isinstance(space, CategoricalSpace):
            raise ValueError(f"the Optuna adapter needs a categorical space; {space.name!r} is not")
        if self.sampler not in SAMPLERS:
            raise ValueError(
                f"unknown Optuna sampler {self.sampler!r}; accepted: {', '.join(SAMPLERS)}"
            )
        optuna.logging.set_verbosity(optuna.logging.WARNING)
        sampler = SAMPLERS[self.sampler](int(rng.integers(2**31 - 1)))
        study = optuna.create_study(
            direction="maximize" if self.maximize else "minimize", sampler=sampler
        )
        distributions = {
            label: CategoricalDistribution(space.choices(label)) for label in space.labels
        }
        self.session_ = _Session(weakref.ref(history), study, distributions)
        return self.session_

    def propose(
        self, space: SearchSpace, history: History, rng: np.random.Generator
    ) -> Architecture:
        session = self._session(space, history, rng)
        for trial in history.trials[session.synced :]:
            value = trial.metrics.get(self.metric) if trial.ok else None
            if value is not None and value == value:
                session.study.add_trial(
                    optuna.trial.create_trial(
                        params=dict(trial.arch),
                        distributions=session.distributions,
                        value=value,
                    )
                )
        session.synced = len(history)
        arch = None
        for _ in range(self.duplicate_tries):
            asked = session.study.ask(session.distributions)
            # Closed at once as FAIL, which the samplers ignore (a RUNNING trial would stall
            # their caches); the architecture's real result arrives through the history.
            session.study.tell(asked, state=TrialState.FAIL)
            arch = space.canonical(
                Architecture.from_parts(
                    space.name, space.labels, tuple(asked.params[label] for label in space.labels)
                )
            )
            if self.is_new(arch, history):
                return arch
        if arch is not None:  # the sampler insists on evaluated points: step next to them
            unseen = [n for n in space.neighbors(arch) if self.is_new(n, history)]
            if unseen:
                return unseen[int(rng.integers(len(unseen)))]
        return self.sample_new(space, history, rng)
