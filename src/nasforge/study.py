"""`Study`: the trial database of a search, kept in Optuna's storage (a SQLite file by
default, any SQLAlchemy URL such as PostgreSQL), so a run can be read back, resumed after
a crash and shared by parallel workers. We do not write a storage engine of our own.

Each trial stores its architecture (canonical text and JSON), its choices as Optuna
parameters (so Optuna's plots work on them), all metrics, cost in seconds, state and
failure reason. Our states map onto Optuna's: complete -> COMPLETE, failed and
interrupted -> FAIL, infeasible (rejected before training) -> PRUNED.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

from nasforge.architecture import Architecture
from nasforge.errors import NasforgeError
from nasforge.history import History, Trial

STUDY_FILE = "study.db"
INTERRUPTED = "interrupted"
_OPTUNA_STATE = {"complete": "COMPLETE", "failed": "FAIL", INTERRUPTED: "FAIL"}


class StudyError(NasforgeError):
    """The study cannot be opened, created or continued as asked."""


MEMORY = "memory"


def storage_url(location: str | Path) -> str:
    """An SQLAlchemy URL for `location`: URLs pass through, a directory means its
    `study.db`, any other path is a SQLite file; "memory" keeps the study in this process."""
    text = str(location)
    if "://" in text or text == MEMORY:
        return text
    path = Path(text)
    if path.is_dir() or not path.suffix:
        path = path / STUDY_FILE
    return f"sqlite:///{path.resolve()}"


def _open_storage(url: str, checked: bool = False):
    """Optuna's storage for `url`; `checked` skips the schema checks a worker need not
    repeat (the driver that created the study did them)."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    if url == MEMORY:
        return optuna.storages.InMemoryStorage()
    try:
        storage = optuna.storages.RDBStorage(
            url, engine_kwargs=_engine_kwargs(url), skip_compatibility_check=checked,
            skip_table_creation=checked,
        )  # fmt: skip
        if url.startswith("sqlite"):
            _write_ahead_log(storage.engine)
        return storage
    except ImportError as error:
        raise StudyError(
            f"cannot open {url.split('://')[0]} storage: {error}; for PostgreSQL install "
            "nasforge[postgres] (psycopg2)"
        ) from error
    except Exception as error:  # sqlalchemy's OperationalError and friends
        raise StudyError(f"cannot open the study storage {_redact(url)}: {error}") from error


def _engine_kwargs(url: str) -> dict[str, Any]:
    if url.startswith("sqlite"):
        # Parallel worker processes write to one file: wait for the lock, do not fail.
        return {"connect_args": {"timeout": 60}}
    return {"pool_pre_ping": True}


def _write_ahead_log(engine) -> None:
    """SQLite in write-ahead-log mode with normal sync: a commit no longer waits for the
    disk, yet a killed process loses nothing committed (only a power cut could)."""
    from sqlalchemy import event

    def pragmas(connection, _record) -> None:
        cursor = connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    event.listen(engine, "connect", pragmas)
    engine.dispose()  # connections opened while Optuna set up the tables lack the pragmas


def _redact(url: str) -> str:
    """`url` without its password."""
    if "@" not in url or "://" not in url:
        return url
    scheme, rest = url.split("://", 1)
    credentials, host = rest.rsplit("@", 1)
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}"


class Study:
    """The trials of one named search in one storage. Many processes may open the same
    study; each trial row is written by the process that starts or finishes it."""

    def __init__(self, storage: str | Path, name: str, _storage=None, _study_id=None) -> None:
        self.url = storage_url(storage)
        self.name = name
        self._storage = _storage or _open_storage(self.url)
        if _study_id is None:
            try:
                _study_id = self._storage.get_study_id_from_name(name)
            except KeyError:
                known = [s.study_name for s in self._storage.get_all_studies()]
                raise StudyError(
                    f"no study {name!r} in {_redact(self.url)}"
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
        search's settings; reopening with different settings is an error naming them."""
        from optuna.study import StudyDirection

        url = storage_url(storage)
        if url.startswith("sqlite:///"):
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        backend = _open_storage(url)
        try:
            study_id = backend.get_study_id_from_name(name)
        except KeyError:
            study_id = None
        if study_id is not None and not load_if_exists:
            raise StudyError(
                f"study {name!r} already exists in {_redact(url)}; resume it or pick a new name"
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
    def start(self, arch: Architecture, text: str, fidelity: float | None = None) -> int:
        """Record `arch` as running; returns the trial number."""
        import optuna

        params, distributions = _parameters(arch, self.choices)
        job = {"text": text, "json": arch.to_json(), "fidelity": _float_or_none(fidelity)}
        if self._fast_rows_possible():
            frozen = self._storage._create_new_trial(self._id)
            self._insert_rows(frozen._trial_id, {"arch": job}, params, distributions)
            self._trial_ids[frozen.number] = frozen._trial_id
            return frozen.number
        running = optuna.trial.TrialState.RUNNING
        return self._create_from_template(running, params, distributions, {"arch": job})

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

    def _fast_rows_possible(self) -> bool:
        """Whether rows can go in with one bulk insert: Optuna's own per-row path costs
        about 3 ORM queries per parameter, several times our 10 ms budget per trial."""
        return hasattr(self._storage, "engine") and hasattr(self._storage, "_create_new_trial")

    def _insert_rows(
        self,
        trial_id: int,
        attrs: Mapping[str, Any],
        params: Mapping[str, Any] = {},
        distributions: Mapping[str, Any] = {},
    ) -> None:
        """Insert new user attributes and parameters of a running trial into Optuna's own
        tables in one transaction (the rows Optuna itself would write, read back by it)."""
        from optuna.distributions import distribution_to_json
        from optuna.storages._rdb import models

        with self._storage.engine.begin() as connection:
            if params:
                rows = [
                    {
                        "trial_id": trial_id, "param_name": label,
                        "param_value": distributions[label].to_internal_repr(value),
                        "distribution_json": distribution_to_json(distributions[label]),
                    }
                    for label, value in params.items()
                ]  # fmt: skip
                connection.execute(models.TrialParamModel.__table__.insert(), rows)
            rows = [
                {"trial_id": trial_id, "key": key, "value_json": json.dumps(value)}
                for key, value in attrs.items()
            ]
            connection.execute(models.TrialUserAttributeModel.__table__.insert(), rows)

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
        outcome = {"metrics": _finite(metrics), "cost_s": float(cost_s), "state": state}
        if failure:
            outcome["failure"] = failure
        if self._fast_rows_possible() and state != INTERRUPTED:
            self._insert_rows(trial_id, {"outcome": outcome})
        else:  # also when recovering: an outcome row may exist if the crash came in between
            self._storage.set_trial_user_attr(trial_id, "outcome", outcome)
        optuna_state = TrialState[_OPTUNA_STATE.get(state, "FAIL")]
        if values is None and optuna_state == TrialState.COMPLETE:
            optuna_state = TrialState.FAIL
        self._storage.set_trial_state_values(trial_id, optuna_state, values)

    def record_infeasible(
        self, arch: Architecture, text: str, metrics: Mapping[str, float], reason: str
    ) -> int:
        """Record an architecture rejected by the hard limits, never trained."""
        import optuna

        params, distributions = _parameters(arch, self.choices)
        outcome = {"metrics": _finite(metrics), "cost_s": 0.0, "state": "infeasible"}
        outcome["failure"] = reason
        job = {"text": text, "json": arch.to_json(), "fidelity": None}
        pruned = optuna.trial.TrialState.PRUNED
        return self._create_from_template(
            pruned, params, distributions, {"arch": job, "outcome": outcome}
        )

    def recover(self) -> list[tuple[Architecture, float | None]]:
        """Mark trials left running by a dead process as interrupted; return every
        interrupted job not evaluated since, to be proposed again first."""
        from optuna.trial import TrialState

        for frozen in self._frozen((TrialState.RUNNING,)):
            self._trial_ids[frozen.number] = frozen._trial_id
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
        """Every trial, in the order they finished (running ones last, by number)."""
        frozen = self._frozen()
        for f in frozen:
            self._trial_ids[f.number] = f._trial_id
        finished = [f for f in frozen if f.datetime_complete is not None]
        finished.sort(key=lambda f: (f.datetime_complete, f.number))
        running = [f for f in frozen if f.datetime_complete is None] if include_running else []
        return [_to_trial(f) for f in finished + sorted(running, key=lambda f: f.number)]

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
        self._storage = _open_storage(self.url, checked=True)
        self._trial_ids = {}
        self.choices = {}


class StoredTrial(Trial):
    """A `Trial` read back from a study, with its architecture text and fidelity."""

    def __init__(self, *args: Any, text: str = "", fidelity: float | None = None, **kw: Any):
        super().__init__(*args, **kw)
        object.__setattr__(self, "text", text)
        object.__setattr__(self, "fidelity", fidelity)


def _to_trial(frozen) -> StoredTrial:
    job = frozen.user_attrs["arch"]
    outcome = frozen.user_attrs.get("outcome", {})
    metrics = {
        k: (math.nan if v is None else float(v)) for k, v in outcome.get("metrics", {}).items()
    }
    return StoredTrial(
        frozen.number,
        Architecture.from_json(job["json"]),
        metrics,
        cost_s=float(outcome.get("cost_s", 0.0)),
        state=outcome.get("state", "running"),
        failure=outcome.get("failure"),
        text=job["text"],
        fidelity=job["fidelity"],
    )


def _float_or_none(value: float | None) -> float | None:
    return None if value is None else float(value)


def _finite(metrics: Mapping[str, float]) -> dict[str, float | None]:
    """JSON-safe metrics: NaN and infinities become None (read back as NaN)."""
    out: dict[str, float | None] = {}
    for key, value in metrics.items():
        number = float(value)
        out[key] = number if math.isfinite(number) else None
    return out


def space_choices(space) -> dict[str, tuple]:
    """Each decision's choices for a `CategoricalSpace`; empty for other spaces (their
    trials then carry no Optuna parameters, only the architecture)."""
    return {label: tuple(choices) for label, choices in getattr(space, "decisions", ())}


def _parameters(
    arch: Architecture, choices: Mapping[str, tuple]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The architecture's decisions as Optuna categorical parameters over the space's choices
    (Optuna requires the same distribution for a parameter in every trial)."""
    from optuna.distributions import CategoricalDistribution

    params, distributions = {}, {}
    for label, value in arch.items():
        options = choices.get(label)
        if options is None or value not in options:
            continue
        if all(isinstance(o, (str, int, float, bool)) or o is None for o in options):
            params[label] = value
            distributions[label] = CategoricalDistribution(options)
    return params, distributions


def load_study(location: str | Path, name: str | None = None) -> Study:
    """Open a finished or running study: `location` is a run directory, a SQLite file or a
    storage URL; `name` may be left out when the storage holds one study."""
    url = storage_url(location)
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists():
        raise StudyError(f"no study database at {url.removeprefix('sqlite:///')}")
    backend = _open_storage(url)
    if name is None:
        names = [s.study_name for s in backend.get_all_studies()]
        if len(names) != 1:
            raise StudyError(
                f"{_redact(url)} holds {len(names)} studies"
                + (f" ({', '.join(names)}); name one" if names else "")
            )
        name = names[0]
    return Study(url, name, _storage=backend)
