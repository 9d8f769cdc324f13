"""The one place that writes into Optuna's own tables, for speed.

Optuna's public path costs about three ORM queries per parameter, several times our
10 ms budget per trial, so on the Optuna majors we test (4 and 5: `.ci/run` runs
tests/study/test_fast_rows.py under both) a new trial's parameters and attributes go in
with one bulk insert: exactly the rows Optuna itself would write. On any other version,
or a storage without those tables, `available` is False and callers use the public API.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

TESTED_MAJORS = (4, 5)


def available(storage) -> bool:
    """Whether `storage` is an Optuna RDB storage of a tested major version."""
    import optuna

    if int(optuna.__version__.split(".")[0]) not in TESTED_MAJORS:
        return False
    try:
        from optuna.storages._rdb import models
    except ImportError:
        return False
    return (
        hasattr(storage, "engine")
        and hasattr(storage, "_create_new_trial")
        and hasattr(models, "TrialParamModel")
        and hasattr(models, "TrialUserAttributeModel")
    )


def create_running_trial(storage, study_id: int) -> tuple[int, int]:
    """A new RUNNING trial with nothing attached; returns (number, trial id)."""
    frozen = storage._create_new_trial(study_id)
    return frozen.number, frozen._trial_id


def insert_rows(
    storage,
    trial_id: int,
    attrs: Mapping[str, Any],
    params: Mapping[str, Any] | None = None,
    distributions: Mapping[str, Any] | None = None,
) -> None:
    """Insert new user attributes and parameters of a running trial in one transaction."""
    from optuna.distributions import distribution_to_json
    from optuna.storages._rdb import models

    with storage.engine.begin() as connection:
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
