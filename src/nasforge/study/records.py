"""Our trials in Optuna's terms and back: architectures as categorical parameters,
metrics as JSON-safe user attributes, stored rows as `StoredTrial`."""

from __future__ import annotations

import math
import os
import socket
from collections.abc import Mapping
from typing import Any

from nasforge.architecture import Architecture
from nasforge.history import Trial

INTERRUPTED = "interrupted"
ORPHANED = "orphaned"  # still RUNNING in the database, but the process that ran it is gone
OPTUNA_STATE = {"complete": "COMPLETE", "failed": "FAIL", INTERRUPTED: "FAIL"}


class StoredTrial(Trial):
    """A `Trial` read back from a study, with its architecture text and fidelity."""

    def __init__(self, *args: Any, text: str = "", fidelity: float | None = None, **kw: Any):
        super().__init__(*args, **kw)
        object.__setattr__(self, "text", text)
        object.__setattr__(self, "fidelity", fidelity)


def job_attrs(arch: Architecture, text: str, fidelity: float | None) -> dict[str, Any]:
    """What a trial records when it starts; the driver's host and pid tell a reader
    whether a RUNNING trial still has a process behind it."""
    return {
        "text": text, "json": arch.to_json(),
        "fidelity": None if fidelity is None else float(fidelity),
        "host": socket.gethostname(), "pid": os.getpid(),
    }  # fmt: skip


def to_trial(frozen) -> StoredTrial:
    job = frozen.user_attrs["arch"]
    outcome = frozen.user_attrs.get("outcome", {})
    metrics = {
        k: (math.nan if v is None else float(v)) for k, v in outcome.get("metrics", {}).items()
    }
    state = outcome.get("state", "running")
    if state == "running" and not _driver_alive(job):
        state = ORPHANED
    return StoredTrial(
        frozen.number,
        Architecture.from_json(job["json"]),
        metrics,
        cost_s=float(outcome.get("cost_s", 0.0)),
        state=state,
        failure=outcome.get("failure"),
        text=job["text"],
        fidelity=job["fidelity"],
    )


def _driver_alive(job: Mapping[str, Any]) -> bool:
    """False only when the trial's driver ran on this host and its process is gone."""
    pid, host = job.get("pid"), job.get("host")
    if pid is None or host != socket.gethostname():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def finite(metrics: Mapping[str, float]) -> dict[str, float | None]:
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


def parameters(
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
