"""Any Optuna sampler as a nasforge strategy, through ask-and-tell.

Each decision of a categorical space becomes an Optuna categorical parameter. Finished
trials of the history are added to a private in-memory Optuna study before each ask, so
the sampler sees exactly what the history holds, whoever proposed it.

Determinism: a proposal is a function of the finished trials and the proposal's
generator only. The in-memory study is cached on the content of the trials it holds
(number, architecture, objective values), not on the History object, and extended when
the history extends; the sampler is built anew (a name) or deep-copied (an instance)
for every proposal and seeded from the generator. Study-level sampler state is reset
from the history before each ask: the generation of every trial and no cached parents
for the genetic samplers (NSGA-II, NSGA-III), the sequence position for QMC. A resumed
search, or a fresh History object, therefore proposes what an uninterrupted one would.

Samplers on categorical spaces: TPE, GP, random, NSGA-II, NSGA-III, QMC (the Sobol
point mapped through one-hot, position = finished trials) and brute force all sample
categorical parameters themselves. CMA-ES does not model categorical parameters: on a
categorical space it samples every decision with its independent sampler (random
search) and it takes one objective only. `GridSampler` and `PartialFixedSampler` need
arguments and are taken as instances only. Reseeding covers every `LazyRandomState`,
`RandomState`, `Generator` and `random.Random` reachable inside the sampler; a
`QMCSampler(scramble=True)` keeps the scrambling seed it was given (give one: without
it Optuna draws a new one per process, and a resumed run scrambles differently).
"""

from __future__ import annotations

import copy
import hashlib
import json
import random
import sys
import threading
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import optuna
from optuna.distributions import CategoricalDistribution
from optuna.samplers import BaseSampler
from optuna.samplers._lazy_random_state import LazyRandomState
from optuna.trial import TrialState

from nasforge.architecture import Architecture
from nasforge.history import History, Trial
from nasforge.spaces.base import CategoricalSpace, SearchSpace
from nasforge.strategies.base import Strategy, check_objectives

SEED_BOUND = 2**31 - 1
SAMPLERS: dict[str, Callable[[int], BaseSampler]] = {
    "tpe": lambda seed: optuna.samplers.TPESampler(seed=seed),
    "gp": lambda seed: optuna.samplers.GPSampler(seed=seed),
    "random": lambda seed: optuna.samplers.RandomSampler(seed=seed),
    "cmaes": lambda seed: optuna.samplers.CmaEsSampler(seed=seed, warn_independent_sampling=False),
    "nsgaii": lambda seed: optuna.samplers.NSGAIISampler(seed=seed),
    "nsgaiii": lambda seed: optuna.samplers.NSGAIIISampler(seed=seed),
    "qmc": lambda seed: optuna.samplers.QMCSampler(seed=seed, warn_independent_sampling=False),
    "bruteforce": lambda seed: optuna.samplers.BruteForceSampler(seed=seed),
}
SINGLE_OBJECTIVE_SAMPLERS = ("cmaes", "CmaEsSampler")
# BaseGASampler (Optuna >= 4.2) keeps generations in trial attributes; absent before.
_GA_SAMPLER = getattr(optuna.samplers, "BaseGASampler", ())

Record = tuple[int, Architecture, tuple[float, ...] | None]


@dataclass
class _Session:
    setup: tuple
    study: optuna.Study
    distributions: dict[str, CategoricalDistribution]
    synced: list[Record] = field(default_factory=list)
    completed: int = 0


class OptunaStrategy(Strategy):
    """Runs an Optuna sampler, by name ("tpe", "gp", "random", "cmaes", "nsgaii",
    "nsgaiii", "qmc", "bruteforce") or as an instance, over a categorical space.

    `objectives` and `directions` ("maximize" / "minimize") make it multi-objective;
    by default it optimises `metric` alone. When the sampler suggests an architecture
    already evaluated it is asked again (up to `duplicate_tries` times); then an unseen
    neighbour of its last suggestion is taken.
    """

    def __init__(
        self,
        sampler: str | BaseSampler = "tpe",
        metric: str = "val_acc",
        maximize: bool = True,
        allow_duplicates: bool = False,
        duplicate_tries: int = 2,
        objectives: Sequence[str] | None = None,
        directions: Sequence[str] | None = None,
    ) -> None:
        self.sampler = sampler
        self.metric = metric
        self.maximize = maximize
        self.allow_duplicates = allow_duplicates
        self.duplicate_tries = duplicate_tries
        self.objectives = objectives
        self.directions = directions

    @property
    def multi_objective(self) -> bool:
        """Every sampler but CMA-ES optimises several objectives."""
        name = self.sampler if isinstance(self.sampler, str) else type(self.sampler).__name__
        return name not in SINGLE_OBJECTIVE_SAMPLERS

    def goals(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The objectives and their directions: `objectives`, or `metric` alone."""
        if self.objectives is None:
            return (self.metric,), ("maximize" if self.maximize else "minimize",)
        return check_objectives(self.objectives, self.directions)

    def check(self, space: SearchSpace) -> None:
        if not isinstance(self.sampler, BaseSampler) and self.sampler not in SAMPLERS:
            raise ValueError(
                f"unknown Optuna sampler {self.sampler!r}; accepted: {', '.join(SAMPLERS)}, "
                "or an optuna.samplers instance"
            )
        if not isinstance(space, CategoricalSpace):
            raise ValueError(f"the Optuna adapter needs a categorical space; {space.name!r} is not")
        self.require(0, "duplicate_tries")
        self.goals()

    def _sampler(self, rng: np.random.Generator) -> BaseSampler:
        """A sampler for one proposal, its randomness drawn from `rng`."""
        if isinstance(self.sampler, BaseSampler):
            return reseeded(self.sampler, rng)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            return SAMPLERS[self.sampler](int(rng.integers(SEED_BOUND)))

    def _session(self, space: SearchSpace, records: list[Record], sampler: BaseSampler) -> _Session:
        """The in-memory study holding `records`: the cached one when it holds a prefix of
        them (it is extended), else a new one."""
        generation_key, population = _generations(sampler)
        choices = tuple(space.choices(label) for label in space.labels)
        setup = (space.name, space.labels, choices, self.goals(), generation_key, population)
        session = getattr(self, "session_", None)
        reusable = (
            session is not None
            and session.setup == setup
            and len(session.synced) <= len(records)
            and records[: len(session.synced)] == session.synced
        )
        if not reusable:
            optuna.logging.set_verbosity(optuna.logging.WARNING)
            study = optuna.create_study(directions=list(self.goals()[1]))
            distributions = {
                label: CategoricalDistribution(space.choices(label)) for label in space.labels
            }
            session = self.session_ = _Session(setup, study, distributions)
        for _, arch, values in records[len(session.synced) :]:
            attrs = {}
            if values is not None and generation_key is not None:
                attrs[generation_key] = session.completed // population
            session.study.add_trial(
                optuna.trial.create_trial(
                    params=dict(arch), distributions=session.distributions, system_attrs=attrs,
                    values=values, state=TrialState.FAIL if values is None else TrialState.COMPLETE,
                )
            )  # fmt: skip
            session.completed += values is not None
        session.synced = records
        return session

    def propose(
        self, space: SearchSpace, history: History, rng: np.random.Generator
    ) -> Architecture:
        objectives, _ = self.goals()
        records = [_record(trial, objectives) for trial in history.trials]
        sampler = self._sampler(rng)
        session = self._session(space, records, sampler)
        study = session.study
        study.sampler = sampler
        _reset_sampler_state(study, session.distributions, len(records))
        arch = None
        for _ in range(self.duplicate_tries):
            asked = study.ask(session.distributions)
            # Closed at once as FAIL, which the samplers ignore (a RUNNING trial would stall
            # their caches); the architecture's real result arrives through the history.
            study.tell(asked, state=TrialState.FAIL)
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


def _record(trial: Trial, objectives: Sequence[str]) -> Record:
    """What the sampler sees of a finished trial: its objective values, or None."""
    values = [trial.metrics.get(name) for name in objectives] if trial.ok else [None]
    if any(v is None or v != v for v in values):  # missing or NaN
        return trial.number, trial.arch, None
    return trial.number, trial.arch, tuple(float(v) for v in values)


def reseeded(sampler: BaseSampler, rng: np.random.Generator) -> BaseSampler:
    """A deep copy of `sampler` whose random states (also those of the samplers inside it)
    are seeded from `rng`, in attribute order."""
    memo: dict[int, object] = {}
    _fresh_locks(sampler, memo, set())
    clone = copy.deepcopy(sampler, memo)
    _reseed(clone, rng, set())
    return clone


_LOCK_TYPES = {type(threading.Lock()): threading.Lock, type(threading.RLock()): threading.RLock}


def _fresh_locks(value: object, memo: dict[int, object], seen: set[int]) -> None:
    """Map every lock inside `value` to a new one in the deepcopy `memo`: locks do not
    copy (Optuna 5.1's genetic samplers hold one), and a copy needs its own anyway."""
    if id(value) in seen or isinstance(value, type):
        return
    seen.add(id(value))
    if type(value) in _LOCK_TYPES:
        memo[id(value)] = _LOCK_TYPES[type(value)]()
    elif isinstance(value, dict):
        for item in value.values():
            _fresh_locks(item, memo, seen)
    elif isinstance(value, list | tuple | set):
        for item in value:
            _fresh_locks(item, memo, seen)
    elif hasattr(value, "__dict__"):
        _fresh_locks(vars(value), memo, seen)


def _reseed(value: object, rng: np.random.Generator, seen: set[int]) -> None:
    if id(value) in seen:
        return
    seen.add(id(value))
    if isinstance(value, LazyRandomState):
        value.rng.seed(int(rng.integers(SEED_BOUND)))
    elif isinstance(value, np.random.RandomState | random.Random):
        value.seed(int(rng.integers(SEED_BOUND)))
    elif isinstance(value, np.random.Generator):
        bits = value.bit_generator
        bits.state = type(bits)(int(rng.integers(SEED_BOUND))).state
    elif isinstance(value, list | tuple):
        for item in value:
            _reseed(item, rng, seen)
    elif isinstance(value, dict):
        for item in value.values():
            _reseed(item, rng, seen)
    elif type(value).__module__.startswith("optuna") and hasattr(value, "__dict__"):
        for item in vars(value).values():
            _reseed(item, rng, seen)


def _ga_keys(sampler: BaseSampler) -> tuple[str, str, int] | None:
    """A genetic sampler's generation attribute, parent-cache prefix and population size:
    BaseGASampler's (Optuna >= 4.2), or the NSGA-II / NSGA-III module constants before it."""
    if isinstance(sampler, _GA_SAMPLER):
        kind, size = type(sampler), sampler.population_size
        return kind._get_generation_key(), kind._get_parent_cache_key_prefix(), size
    module = sys.modules.get(type(sampler).__module__)
    keys = [getattr(module, n, None) for n in ("_GENERATION_KEY", "_POPULATION_CACHE_KEY_PREFIX")]
    size = getattr(sampler, "_population_size", None)
    if None in keys or not size:
        return None
    return keys[0], keys[1], size


def _generations(sampler: BaseSampler) -> tuple[str | None, int]:
    """The trial attribute a genetic sampler reads generations from, and its population."""
    keys = _ga_keys(sampler)
    return (keys[0], keys[2]) if keys else (None, 1)


def _reset_sampler_state(
    study: optuna.Study, distributions: dict[str, CategoricalDistribution], finished: int
) -> None:
    """Make the study-level state of `study.sampler` a function of the finished trials:
    no cached parent populations (a genetic sampler recomputes them from the trials and
    this proposal's generator), and a QMC sequence at position `finished`."""
    sampler, storage, study_id = study.sampler, study._storage, study._study_id
    keys = _ga_keys(sampler)
    if keys:
        # BaseGASampler reads None as "no cache"; the older NSGA samplers need (-1, []).
        empty = None if isinstance(sampler, _GA_SAMPLER) else (-1, [])
        for key, value in storage.get_study_system_attrs(study_id).items():
            if key.startswith(keys[1]) and value is not None and value != empty:
                storage.set_study_system_attr(study_id, key, empty)
    if isinstance(sampler, optuna.samplers.QMCSampler):
        # The key QMCSampler._find_sample_id counts asks under (Optuna 4-5).
        qmc = {
            "qmc_type": sampler._qmc_type,
            "search_space": {name: str(d) for name, d in sorted(distributions.items())},
        }
        scrambled = {"scramble": True, "seed": sampler._seed}
        qmc.update(scrambled if sampler._scramble else {"scramble": False})
        key = "qmc:" + hashlib.sha256(json.dumps(qmc).encode()).hexdigest()
        storage.set_study_system_attr(study_id, key, finished - 1)
