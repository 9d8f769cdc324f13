"""A read-only overview of a study for `nasforge show`: counts by state, the best trials,
the best architecture and, for several objectives, the Pareto front; for a finished run
directory also the architecture the search chose (summary.json)."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from nasforge.history import ranking_key
from nasforge.study import StoredTrial, load_study


@dataclass
class StudyOverview:
    """What `nasforge show` prints."""

    name: str
    counts: dict[str, int]
    table: pd.DataFrame
    best: StoredTrial | None
    objectives: list[str]
    pareto: list[StoredTrial] = field(default_factory=list)
    summary: dict | None = None
    maximize: bool = True

    @property
    def metric(self) -> str:
        """The searched validation metric (`val_acc`, `val_rmse`, ...)."""
        return self.objectives[0]

    @property
    def counts_text(self) -> str:
        return ", ".join(f"{n} {state}" for state, n in sorted(self.counts.items())) or "empty"


def study_overview(location: str | Path, name: str | None = None, top: int = 10) -> StudyOverview:
    """Read the study at `location` (run directory, SQLite file or URL) without running
    anything; the table lists the `top` completed trials, best first."""
    if top < 0:
        raise ValueError(f"top must be at least 0 (trials to list), got {top}")
    study = load_study(location, name)
    trials = study.trials(include_running=True)
    attrs = study.attrs
    objectives = list(attrs.get("objectives", ["val_acc"]))
    metric = objectives[0]
    maximize = study.directions[0] == "maximize"
    done = [t for t in trials if t.ok and metric in t.metrics]
    ranked = sorted(done, key=lambda t: ranking_key(t, metric, maximize), reverse=True)
    rows = [
        {
            "trial": t.number,
            metric.replace("_", " "): t.metrics[metric],
            **{o: t.metrics.get(o, np.nan) for o in objectives[1:]},
            "params": t.metrics.get("params", np.nan),
            "epochs": t.metrics.get("fidelity", np.nan),
            "seconds": t.cost_s,
            "architecture": t.text,
        }
        for t in ranked[:top]
    ]
    overview = StudyOverview(
        name=study.name,
        counts=dict(Counter(t.state for t in trials)),
        table=pd.DataFrame(rows),
        best=ranked[0] if ranked else None,
        objectives=objectives,
        maximize=maximize,
    )
    if len(objectives) > 1:
        overview.pareto = study.pareto_front()
    summary_file = Path(location) / "summary.json"
    if summary_file.is_file():
        overview.summary = json.loads(summary_file.read_text())
    return overview
