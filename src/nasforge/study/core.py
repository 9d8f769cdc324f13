"""`Study`: the trial database of a search, kept in Optuna's storage (a SQLite file by
default, any SQLAlchemy URL such as PostgreSQL), so a run can be read back, resumed after
a crash and shared by parallel workers. We do not write a storage engine of our own.

Each trial stores its architecture (canonical text and JSON), its choices as Optuna
parameters (so Optuna's plots work on them), all metrics, cost in seconds, state and
failure reason. Our states map onto Optuna's: complete -> COMPLETE, failed and
interrupted -> FAIL, infeasible (rejected before training) -> PRUNED.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

from nasforge.architecture import Architecture
from nasforge.history import History, Trial
from nasforge.study import fast_rows
from nasforge.study.records import (
    INTERRUPTED,
    OPTUNA_STATE,
    StoredTrial,
    finite,
    job_attrs,
    parameters,
    to_trial,
)
from nasforge.study.storage import (
    MEMORY,
    StudyError,
    open_for_reading,
    open_for_writing,
    open_in_worker,
    redact,
    sqlite_path,
    storage_url,
)


class Study:
    """The trials of one named search in one storage. Many processes may open the same
    study; each trial row is written by the process that starts or finishes it."""

    persistent = True  # the loop records architecture texts and generator states in it

    def __init__(self, storage: str | Path, name: str, _storage=None, _study_id=None) -> None:
        self.url = storage_url(storage)
        self.name = name
        self._storage = _storage or open_for_reading(self.url)
        if _study_id is None:
            try:
                _study_id = self._storage.get_study_id_from_name(name)
            except KeyError:
                known = [s.study_name for s in self._storage.get_all_studies()]
                raise StudyError(
                    f"no study {name!r} in {redact(self.url)}"
                    + (f"; it holds: {', '.join(known)}" if known else "; it holds none")
                ) from None
        self._id = _study_id
        self._trial_ids: dict[int, int] = {}
        self.choices: dict[str, tuple] = {}  # set by the driver: see `space_choices`

    # -- creating and opening -------------------------------------------------------------
    @classmethod
    def create(
        cls,
        storage: str | Path,
        name: str,
        directions: Sequence[str] = ("maximize",),
        attrs: Mapping[str, Any] | None = None,
        load_if_exists: bool = False,
    ) -> Study:
        """A new study (or the existing one when `load_if_exists`). `attrs` records the
        search's settings; reopening with different settings is an error naming them. A
        directory given as `storage` is made if its parent exists; no other folder is."""
        from optuna.study import StudyDirection

        url = storage_url(storage)
        folder = sqlite_path(url).parent if sqlite_path(url) else None
        if folder is not None and "://" not in str(storage) and folder.parent.is_dir():
            folder.mkdir(exist_ok=True)
        backend = open_for_writing(url)
        try:
            study_id = backend.get_study_id_from_name(name)
        except KeyError:
            study_id = None
        if study_id is not None and not load_if_exists:
            raise StudyError(
                f"study {name!r} already exists in {redact(url)}; resume it or pick a new name"
            )
        if study_id is None:
            wanted = [StudyDirection[d.upper()] for d in directions]
            study_id = backend.create_new_study(wanted, name)
            for key, value in (attrs or {}).items():
                backend.set_study_user_attr(study_id, key, value)
        else:
            stored = backend.get_study_user_attrs(study_id)
            changed = [
                f"{key} {stored[key]!r} -> {value!r}"
                for key, value in (attrs or {}).items()
                if key in stored and stored[key] != value
            ]
            if changed:
                raise StudyError(
                    f"study {name!r} was started with other settings ({'; '.join(changed)}); "
                    "resume with the same settings or start a new study"
                )
        return cls(url, name, _storage=backend, _study_id=study_id)

    @property
    def attrs(self) -> dict[str, Any]:
        """The settings recorded when the study was created."""
        return dict(self._storage.get_study_user_attrs(self._id))

    @property
    def directions(self) -> list[str]:
        return [d.name.lower() for d in self._storage.get_study_directions(self._id)]

    # -- writing ------------------------------------------------------------------------
    def start(
        self, arch: Architecture, text: str, fidelity: float | None = None,
        rng_state: Mapping[str, Any] | None = None,
    ) -> int:  # fmt: skip
        """Record `arch` as running; returns the trial number. `rng_state` is the search
        generator's state after proposing it, from which `generator` resumes."""
        import optuna

        params, distributions = parameters(arch, self.choices)
        attrs = {"arch": job_attrs(arch, text, fidelity), **_rng_attr(rng_state)}
        if fast_rows.available(self._storage):
            number, trial_id = fast_rows.create_running_trial(self._storage, self._id)
            fast_rows.insert_rows(self._storage, trial_id, attrs, params, distributions)
            self._trial_ids[number] = trial_id
            return number
        running = optuna.trial.TrialState.RUNNING
        return self._create_from_template(running, params, distributions, attrs)

    def generator(self, seed: int) -> np.random.Generator:
        """The search's generator: `default_rng(seed)` for a new study, else restored to its
        state after the last proposal recorded, so a resumed search draws what an
        uninterrupted one would."""
        last = max(
            (f for f in self._frozen() if "rng" in f.user_attrs),
            key=lambda f: f.number, default=None,
        )  # fmt: skip
        rng = np.random.default_rng(seed)
        if last is not None:
            rng.bit_generator.state = last.user_attrs["rng"]
        return rng

    def _create_from_template(self, state, params, distributions, user_attrs) -> int:
        """A new trial through Optuna's public template path; returns its number."""
        import optuna

        now = datetime.now()
        template = optuna.trial.FrozenTrial(
            number=-1, state=state, value=None, datetime_start=now,
            datetime_complete=None if state == optuna.trial.TrialState.RUNNING else now,
            params=params, distributions=distributions, user_attrs=user_attrs,
            system_attrs={}, intermediate_values={}, trial_id=-1,
        )  # fmt: skip
        trial_id = self._storage.create_new_trial(self._id, template_trial=template)
        number = self._storage.get_trial_number_from_id(trial_id)
        self._trial_ids[number] = trial_id
        return number

    def finish(
        self,
        number: int,
        metrics: Mapping[str, float],
        cost_s: float = 0.0,
        state: str = "complete",
        failure: str | None = None,
        objectives: Sequence[str] = ("val_acc",),
        trial_id: int | None = None,
    ) -> None:
        """Record the outcome of a running trial (`trial_id`, the storage's key from
        `trial_id(number)`, saves a lookup in another process)."""
        from optuna.trial import TrialState

        trial_id = self.trial_id(number) if trial_id is None else trial_id
        values = None
        if state == "complete":
            values = [float(metrics.get(o, math.nan)) for o in objectives]
            if not all(math.isfinite(v) for v in values):
                values = None
        outcome = {"metrics": finite(metrics), "cost_s": float(cost_s), "state": state}
        if failure:
            outcome["failure"] = failure
        if fast_rows.available(self._storage) and state != INTERRUPTED:
            fast_rows.insert_rows(self._storage, trial_id, {"outcome": outcome})
        else:  # also when recovering: an outcome row may exist if the crash came in between
            self._storage.set_trial_user_attr(trial_id, "outcome", outcome)
        optuna_state = TrialState[OPTUNA_STATE.get(state, "FAIL")]
        if values is None and optuna_state == TrialState.COMPLETE:
            optuna_state = TrialState.FAIL
        self._storage.set_trial_state_values(trial_id, optuna_state, values)

    def _settle(self, trial_id: int, outcome: Mapping[str, Any], objectives: Sequence[str]):
        """Give a trial whose outcome is recorded, but whose state is not (its process died
        in between), the state and values that outcome means."""
        from optuna.trial import TrialState

        metrics = outcome.get("metrics", {})
        values = None
        if outcome["state"] == "complete":
            values = [metrics.get(o) for o in objectives]
            values = [float(v) for v in values] if all(v is not None for v in values) else None
        state = TrialState[OPTUNA_STATE[outcome["state"]]]
        if values is None and state == TrialState.COMPLETE:
            state = TrialState.FAIL
        self._storage.set_trial_state_values(trial_id, state, values)

    def record(self, trial: Trial, objectives: Sequence[str] = ("val_acc",), trial_id=None):
        """Record the outcome of a running trial from the finished `Trial` itself."""
        self.finish(
            trial.number, trial.metrics, trial.cost_s, trial.state, trial.failure, objectives,
            trial_id,
        )  # fmt: skip

    def record_infeasible(
        self, arch: Architecture, text: str, metrics: Mapping[str, float], reason: str,
        rng_state: Mapping[str, Any] | None = None,
    ) -> int:  # fmt: skip
        """Record an architecture rejected by the hard limits, never trained."""
        import optuna

        params, distributions = parameters(arch, self.choices)
        outcome = {"metrics": finite(metrics), "cost_s": 0.0, "state": "infeasible"}
        outcome["failure"] = reason
        job = job_attrs(arch, text, None)
        pruned = optuna.trial.TrialState.PRUNED
        return self._create_from_template(
            pruned, params, distributions, {"arch": job, "outcome": outcome, **_rng_attr(rng_state)}
        )

    def recover(self) -> list[tuple[Architecture, float | None]]:
        """Mark trials left running by a dead process as interrupted; return every
        interrupted job not evaluated since, to be proposed again first."""
        from optuna.trial import TrialState

        objectives = list(self.attrs.get("objectives", ["val_acc"]))
        for frozen in self._frozen((TrialState.RUNNING,)):
            self._trial_ids[frozen.number] = frozen._trial_id
            outcome = frozen.user_attrs.get("outcome")
            if outcome and outcome.get("state") in OPTUNA_STATE:  # died between the 2 writes
                self._settle(frozen._trial_id, outcome, objectives)
                continue
            self.finish(
                frozen.number, {}, state=INTERRUPTED,
                failure="interrupted: the process running it stopped before it finished",
            )  # fmt: skip
        done: set[tuple[Architecture, float | None]] = set()
        interrupted: list[tuple[Architecture, float | None]] = []
        for trial in self.trials():
            job = (trial.arch, trial.metrics.get("fidelity", trial.fidelity))
            if trial.state == INTERRUPTED:
                if job not in done and job not in interrupted:
                    interrupted.append(job)
            else:
                done.add(job)
        return [job for job in interrupted if job not in done]

    # -- reading ------------------------------------------------------------------------
    def trials(self, include_running: bool = False) -> list[StoredTrial]:
        """Every trial, in the order they finished (running ones last, by number). A trial
        row whose start was cut off before its architecture was written (a kill between the
        two writes of `start`) holds nothing and is left out."""
        frozen = [f for f in self._frozen() if "arch" in f.user_attrs]
        for f in frozen:
            self._trial_ids[f.number] = f._trial_id
        finished = [f for f in frozen if f.datetime_complete is not None]
        finished.sort(key=lambda f: (f.datetime_complete, f.number))
        running = [f for f in frozen if f.datetime_complete is None] if include_running else []
        return [to_trial(f) for f in finished + sorted(running, key=lambda f: f.number)]

    def history(self) -> History:
        """Finished trials a strategy learns from (interrupted ones carry nothing)."""
        return History(t for t in self.trials() if t.state != INTERRUPTED)

    def best(self, metric: str = "val_acc", maximize: bool = True) -> Trial | None:
        """The completed trial with the best `metric`, earliest on ties."""
        return self.history().best(metric, maximize)

    def pareto_front(self) -> list[StoredTrial]:
        """Completed trials that no other beats on every one of the study's objectives, in
        its directions (with a single objective: the best trials)."""
        from nasforge.constraints import pareto_front

        names = list(self.attrs.get("objectives", ["val_acc"]))
        senses = [d == "maximize" for d in self.directions]
        if len(senses) != len(names):
            raise StudyError(f"study {self.name!r} records {names} for {len(senses)} directions")
        done = [t for t in self.trials() if t.ok and all(n in t.metrics for n in names)]
        if not done:
            return []
        values = np.array([[t.metrics[n] for n in names] for t in done])
        return [done[i] for i in pareto_front(values, senses)]

    def to_dataframe(self):
        """One row per trial: number, architecture text and JSON, state, cost, failure and
        every metric."""
        import pandas as pd

        rows = [
            {
                "number": t.number, "arch_text": t.text, "arch": t.arch.to_json(),
                "state": t.state, "cost_s": t.cost_s, "failure": t.failure, **t.metrics,
            }
            for t in self.trials(include_running=True)
        ]  # fmt: skip
        return pd.DataFrame(rows)

    def __len__(self) -> int:
        return self._storage.get_n_trials(self._id)

    def _frozen(self, states=None):
        return self._storage.get_all_trials(self._id, deepcopy=False, states=states)

    def trial_id(self, number: int) -> int:
        """The storage's key of trial `number`."""
        if number not in self._trial_ids:
            self._trial_ids[number] = self._storage.get_trial_id_from_study_id_trial_number(
                self._id, number
            )
        return self._trial_ids[number]

    def __getstate__(self) -> dict[str, Any]:  # workers reopen the storage by URL
        if self.url == MEMORY:
            raise StudyError(
                "a study kept in memory cannot be shared with worker processes; "
                "give it a storage (a run directory, a SQLite file or a database URL)"
            )
        return {"url": self.url, "name": self.name, "id": self._id}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.url, self.name, self._id = state["url"], state["name"], state["id"]
        self._storage = open_in_worker(self.url)
        self._trial_ids = {}
        self.choices = {}


def load_study(location: str | Path, name: str | None = None) -> Study:
    """Open a finished or running study: `location` is a run directory, a SQLite file or a
    storage URL; `name` may be left out when the storage holds one study."""
    url = storage_url(location)
    backend = open_for_reading(url)
    if name is None:
        names = [s.study_name for s in backend.get_all_studies()]
        if len(names) != 1:
            raise StudyError(
                f"{redact(url)} holds {len(names)} studies"
                + (f" ({', '.join(names)}); name one" if names else "")
            )
        name = names[0]
    return Study(url, name, _storage=backend)


def _rng_attr(rng_state: Mapping[str, Any] | None) -> dict[str, Any]:
    return {} if rng_state is None else {"rng": dict(rng_state)}
