"""Reading a whole study quickly, for a page that refreshes every second: two SELECTs on
Optuna's tables (trials and their attributes) instead of Optuna's per-trial objects, about
20 times faster at 5,000 trials, and a cheap `version` that changes whenever a trial
starts, finishes or gets its outcome. Read-only; on storages or Optuna versions where
`fast_rows.available` is False it falls back to `Study.trials`.
"""

from __future__ import annotations

import json
import time
from types import SimpleNamespace

from nasforge.study import fast_rows
from nasforge.study.core import Study
from nasforge.study.records import StoredTrial, to_trial

_KEYS = ("arch", "outcome")


def version(study: Study) -> str:
    """A token that differs after any change to the study's trials (on a storage without
    the fast path: the current time, so every read is fresh)."""
    if not fast_rows.available(study._storage):
        return f"t{time.time():.3f}"
    import sqlalchemy
    from optuna.storages._rdb import models

    trials, attrs = models.TrialModel.__table__, models.TrialUserAttributeModel.__table__
    with study._storage.engine.connect() as connection:
        count, finished, last = connection.execute(
            sqlalchemy.select(
                sqlalchemy.func.count(), sqlalchemy.func.count(trials.c.datetime_complete),
                sqlalchemy.func.max(trials.c.trial_id),
            ).where(trials.c.study_id == study._id)
        ).one()  # fmt: skip
        newest = connection.execute(
            sqlalchemy.select(sqlalchemy.func.max(attrs.c.trial_user_attribute_id))
        ).scalar()
    return f"{count}-{finished}-{last}-{newest}"


def trial_count(study: Study) -> int:
    """How many trials the study holds, with one COUNT (Optuna's own count reads them all)."""
    if not fast_rows.available(study._storage):
        return len(study)
    import sqlalchemy
    from optuna.storages._rdb import models

    trials = models.TrialModel.__table__
    with study._storage.engine.connect() as connection:
        return connection.execute(
            sqlalchemy.select(sqlalchemy.func.count()).where(trials.c.study_id == study._id)
        ).scalar()


def read_trials(study: Study) -> list[StoredTrial]:
    """Every trial, running ones included, in the order of `Study.trials`."""
    return TrialReader(study).read()


class TrialReader:
    """Reads one study's trials again and again: a finished trial never changes, so only
    the attributes of trials new or running since the last read are fetched."""

    def __init__(self, study: Study) -> None:
        self.study = study
        self._finished: dict[int, tuple] = {}  # trial id -> (complete, number, trial)

    def read(self) -> list[StoredTrial]:
        """Every trial, running ones included, in the order of `Study.trials`."""
        study = self.study
        if not fast_rows.available(study._storage):
            return study.trials(include_running=True)
        import sqlalchemy
        from optuna.storages._rdb import models

        trials, attrs = models.TrialModel.__table__, models.TrialUserAttributeModel.__table__
        with study._storage.engine.connect() as connection:
            rows = connection.execute(
                sqlalchemy.select(trials.c.trial_id, trials.c.number, trials.c.datetime_complete)
                .where(trials.c.study_id == study._id)
            ).all()  # fmt: skip
            wanted = [trial_id for trial_id, _, _ in rows if trial_id not in self._finished]
            query = (
                sqlalchemy.select(attrs.c.trial_id, attrs.c.key, attrs.c.value_json)
                .join(trials, trials.c.trial_id == attrs.c.trial_id)
                .where(trials.c.study_id == study._id, attrs.c.key.in_(_KEYS))
            )  # fmt: skip
            if len(wanted) < 500:  # else all of them, in one pass
                query = query.where(attrs.c.trial_id.in_(wanted))
            values = connection.execute(query).all() if wanted else []
        user_attrs: dict[int, dict] = {}
        for trial_id, key, value in values:
            user_attrs.setdefault(trial_id, {})[key] = json.loads(value)
        finished, running = [], []
        for trial_id, number, complete in rows:
            if trial_id in self._finished:
                finished.append(self._finished[trial_id])
                continue
            found = user_attrs.get(trial_id, {})
            if "arch" not in found:  # a start cut off before its architecture was written
                continue
            row = (complete, number, to_trial(SimpleNamespace(number=number, user_attrs=found)))
            if complete is None:
                running.append(row)
            else:
                finished.append(row)
                self._finished[trial_id] = row
        finished.sort(key=lambda row: (row[0], row[1]))
        running.sort(key=lambda row: row[1])
        return [trial for _, _, trial in finished + running]
