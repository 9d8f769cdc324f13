"""What the dashboard and the run report show of a study, as JSON-able data: trial rows,
Plotly figures (plain dicts, drawn by plotly.js) and operation statistics. One place
computes them, so the live page and the HTML file agree."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from nasforge.history import Trial

LAYOUT = {
    "margin": {"l": 60, "r": 20, "t": 40, "b": 50}, "height": 340,
    "paper_bgcolor": "#fff", "plot_bgcolor": "#fafafa", "font": {"size": 12},
    "legend": {"orientation": "h", "y": -0.22},
}  # fmt: skip


def plotly_js() -> Path:
    """plotly.min.js as shipped inside the plotly package (served and inlined from there)."""
    import plotly

    return Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


def _number(value: float | None) -> float | None:
    return None if value is None or not math.isfinite(value) else float(value)


def trial_rows(trials: Sequence[Trial]) -> list[dict]:
    """One JSON-able row per trial: number, state, failure, text, space, cost, fidelity,
    metrics (NaN as null)."""
    rows = []
    for t in trials:
        rows.append({
            "number": t.number, "state": t.state, "failure": t.failure or "",
            "text": getattr(t, "text", "") or str(dict(t.arch)), "space": t.arch.space,
            "cost_s": _number(t.cost_s), "fidelity": getattr(t, "fidelity", None),
            "metrics": {k: _number(v) for k, v in t.metrics.items()},
        })  # fmt: skip
    return rows


def _figure(data: list[dict], title: str, x: str, y: str, **layout) -> dict:
    axes = {"xaxis": {"title": {"text": x}}, "yaxis": {"title": {"text": y}}}
    return {"data": data, "layout": {**LAYOUT, "title": {"text": title}, **axes, **layout}}


def _scored(trials: Sequence[Trial], metric: str) -> list[Trial]:
    return [t for t in trials if t.ok and math.isfinite(t.metrics.get(metric, math.nan))]


def best_so_far(trials: Sequence[Trial], metric: str = "val_acc", maximize: bool = True) -> dict:
    """Each completed trial's `metric` in finishing order and the best so far."""
    done = _scored(trials, metric)
    values = np.array([t.metrics[metric] for t in done], dtype=float)
    best = (np.maximum if maximize else np.minimum).accumulate(values) if len(values) else values
    order = list(range(1, len(done) + 1))
    data = [
        {"type": "scattergl", "mode": "markers", "name": "trial", "x": order,
         "y": values.round(4).tolist(), "text": [f"trial {t.number}" for t in done],
         "marker": {"size": 5, "opacity": 0.45, "color": "#0072B2"}},
        {"type": "scatter", "mode": "lines", "name": "best so far", "x": order,
         "y": best.round(4).tolist(), "line": {"color": "#D55E00", "width": 2.5, "shape": "hv"}},
    ]  # fmt: skip
    return _figure(data, f"best {metric} so far", "completed trials", metric)


def front_2d(values: np.ndarray, maximize: Sequence[bool]) -> list[int]:
    """Indices of the non-dominated rows of a two-column `values`, by one sort and sweep
    (n log n; the same set as `constraints.pareto_front`, which compares all pairs)."""
    signed = np.asarray(values, dtype=float) * np.where(maximize, 1.0, -1.0)
    order = np.lexsort((-signed[:, 1], -signed[:, 0]))  # first column best first
    front, best, k = [], -np.inf, 0
    while k < len(order):
        group = [order[k]]
        while (
            k + len(group) < len(order) and signed[order[k + len(group)], 0] == signed[group[0], 0]
        ):
            group.append(order[k + len(group)])
        top = signed[group[0], 1]
        if top > best:
            front += [int(i) for i in group if signed[i, 1] == top]
            best = top
        k += len(group)
    return sorted(front)


def pareto(trials: Sequence[Trial], objectives: Sequence[str], directions: Sequence[str]) -> dict:
    """The first objective against the second (params when there is one objective): all
    completed trials and the non-dominated ones joined in order."""
    first = objectives[0]
    second = objectives[1] if len(objectives) > 1 else "params"
    senses = [directions[0] == "maximize"]
    senses.append(directions[1] == "maximize" if len(objectives) > 1 else False)
    done = [t for t in _scored(trials, first) if math.isfinite(t.metrics.get(second, math.nan))]
    values = np.array([[t.metrics[second], t.metrics[first]] for t in done]).reshape(-1, 2)
    front = (
        sorted(front_2d(values[:, ::-1], senses), key=lambda i: values[i, 0])
        if len(done) else []
    )  # fmt: skip
    data = [
        {"type": "scattergl", "mode": "markers", "name": "trials",
         "x": values[:, 0].tolist(), "y": values[:, 1].round(4).tolist(),
         "text": [f"trial {t.number}" for t in done],
         "marker": {"size": 5, "opacity": 0.4, "color": "#0072B2"}},
        {"type": "scatter", "mode": "lines+markers", "name": "Pareto front",
         "x": [values[i, 0] for i in front], "y": [round(values[i, 1], 4) for i in front],
         "text": [f"trial {done[i].number}" for i in front],
         "line": {"color": "#D55E00", "shape": "hv"}, "marker": {"size": 8}},
    ]  # fmt: skip
    axis = {"type": "log"} if second in ("params", "flops") else {}
    return _figure(data, f"Pareto front: {first} vs {second}", second, first,
                   xaxis={"title": {"text": second}, **axis})  # fmt: skip


def operation_stats(
    trials: Sequence[Trial], metric: str = "val_acc", maximize: bool = True, top: int = 0
) -> dict:
    """Which choices the best trials share: per decision, each choice's share among the
    `top` best completed trials (default: the best 10%, at least 5) and among all."""
    done = sorted(_scored(trials, metric), key=lambda t: t.metrics[metric], reverse=maximize)
    size = top or max(5, len(done) // 10)
    best = done[:size]
    rows = []
    if done:
        for label in done[0].arch.labels:
            everyone = Counter(str(t.arch.get(label)) for t in done)
            leaders = Counter(str(t.arch.get(label)) for t in best)
            choices = [
                {"choice": c, "top": leaders[c] / len(best), "all": everyone[c] / len(done)}
                for c in sorted(everyone, key=lambda c: (-leaders[c], -everyone[c], c))
            ]
            rows.append({"decision": label, "choices": choices})
    return {"metric": metric, "top": len(best), "completed": len(done), "decisions": rows}


def counts(trials: Sequence[Trial]) -> dict[str, int]:
    return dict(sorted(Counter(t.state for t in trials).items()))
