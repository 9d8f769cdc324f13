"""What a report shows of a one-shot run directory (`oneshot.json`, `arch_weights.csv`, as
`nasforge oneshot` writes them): the choice with its collapse share, the supernet's training
curves, the entropy and the architecture weights by epoch, as JSON-able Plotly figures and
table rows that `nasforge.report.html` renders."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from nasforge.report.views import LAYOUT

ONESHOT_FILE = "oneshot.json"
WEIGHTS_FILE = "arch_weights.csv"


@dataclass
class OneShotView:
    """A one-shot run as the report shows it: key figures, epoch rows and charts."""

    facts: dict[str, str]
    epochs: pd.DataFrame
    figures: dict[str, dict] = field(default_factory=dict)


def read_oneshot(folder: Path) -> OneShotView | None:
    """The one-shot view of the run directory `folder`, or None when it is not one."""
    path = folder / ONESHOT_FILE
    if not path.is_file():
        return None
    try:
        record = json.loads(path.read_text())
        epochs = pd.DataFrame(record["epochs"])
    except (ValueError, KeyError, TypeError) as error:
        raise ValueError(f"{path} is not a one-shot record: {error}") from None
    view = OneShotView(_facts(record), _epoch_rows(epochs))
    if len(epochs):
        view.figures["oneshot-curves"] = _curves(epochs)
        if epochs["entropy"].notna().any():
            view.figures["oneshot-entropy"] = _line(
                epochs, "entropy", "mean entropy of the architecture weights (nats)"
            )
    weights_path = folder / WEIGHTS_FILE
    if weights_path.is_file():
        weights = pd.read_csv(weights_path)
        if {"epoch", "edge", "op", "weight"} <= set(weights.columns) and len(weights):
            view.figures["oneshot-weights"] = _final_weights(weights)
            view.figures["oneshot-chosen"] = _chosen_weights(weights)
    return view


def _facts(record: dict) -> dict[str, str]:
    facts = {
        "method": f"{record.get('method')} (selection: {record.get('select')})",
        "chosen architecture": str(record.get("arch")),
        "inherited-weight validation accuracy": _percent(record.get("val_acc_inherited")),
        "skip / none share of its edges": _percent(
            None if record.get("skip_none_share") is None else 100 * record["skip_none_share"]
        ),
        "search time": f"{record.get('search_seconds')} s",
    }
    test = (record.get("test_metrics") or {}).get("test_acc")
    if test is not None:
        facts["retrained test accuracy"] = _percent(test)
    for dataset, value in (record.get("nb201_test_acc") or {}).items():
        facts[f"NAS-Bench-201 test accuracy, {dataset}"] = _percent(value)
    return facts


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f} %"


def _epoch_rows(epochs: pd.DataFrame) -> pd.DataFrame:
    columns = ["epoch", "train_loss", "train_acc", "val_loss", "val_acc", "entropy", "seconds"]
    rows = epochs.reindex(columns=columns)
    rows["architecture"] = epochs["arch"].fillna("") if "arch" in epochs else ""
    return rows


def _layout(title: str, y: str, **extra) -> dict:
    axes = {"xaxis": {"title": {"text": "epoch"}, "dtick": 1}, "yaxis": {"title": {"text": y}}}
    return {**LAYOUT, "title": {"text": title}, **axes, **extra}


def _curves(epochs: pd.DataFrame) -> dict:
    x = epochs["epoch"].tolist()
    data = []
    for split, dash in (("train", "solid"), ("val", "dot")):
        data.append({"x": x, "y": epochs[f"{split}_acc"].round(3).tolist(),
                     "mode": "lines+markers", "name": f"{split} accuracy",
                     "line": {"color": "#0072B2", "dash": dash}})  # fmt: skip
        data.append({"x": x, "y": epochs[f"{split}_loss"].round(4).tolist(), "yaxis": "y2",
                     "mode": "lines+markers", "name": f"{split} loss",
                     "line": {"color": "#D55E00", "dash": dash}})  # fmt: skip
    second = {"title": {"text": "loss"}, "overlaying": "y", "side": "right"}
    layout = _layout("supernet training by epoch", "accuracy (%)", yaxis2=second)
    return {"data": data, "layout": layout}


def _line(epochs: pd.DataFrame, column: str, title: str) -> dict:
    trace = {"x": epochs["epoch"].tolist(), "y": epochs[column].round(4).tolist(),
             "mode": "lines+markers", "name": column}  # fmt: skip
    return {"data": [trace], "layout": _layout(title, column, showlegend=False)}


def _final_weights(weights: pd.DataFrame) -> dict:
    """Heat map of every edge's operation weights at the last epoch."""
    last = weights[weights["epoch"] == weights["epoch"].max()]
    table = last.pivot_table(index="edge", columns="op", values="weight", sort=False)
    trace = {"type": "heatmap", "z": table.round(4).values.tolist(), "x": list(table.columns),
             "y": list(table.index), "colorscale": "Blues", "hoverongaps": False}  # fmt: skip
    height = max(300, 60 + 22 * len(table))
    layout = {**LAYOUT, "title": {"text": "architecture weights at the last epoch"},
              "height": height, "yaxis": {"autorange": "reversed"}}  # fmt: skip
    return {"data": [trace], "layout": layout}


def _chosen_weights(weights: pd.DataFrame) -> dict:
    """Per edge, the weight of its last-epoch favourite by epoch: how fast choices settle."""
    last = weights[weights["epoch"] == weights["epoch"].max()]
    favourite = last.loc[last.groupby("edge", sort=False)["weight"].idxmax(), ["edge", "op"]]
    data = []
    for edge, op in favourite.itertuples(index=False):
        rows = weights[(weights["edge"] == edge) & (weights["op"] == op)]
        data.append({"x": rows["epoch"].tolist(), "y": rows["weight"].round(4).tolist(),
                     "mode": "lines", "name": f"{edge}: {op}"})  # fmt: skip
    title = "weight of each edge's final favourite by epoch"
    return {"data": data, "layout": _layout(title, "weight")}
