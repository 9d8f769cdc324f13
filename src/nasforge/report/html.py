"""`nasforge report`: one self-contained HTML file (plotly.js inlined, drawings as inline
SVG, no request to anywhere) for a finished search's run directory or study, or for a
`nasforge bench` result directory read by its documented columns (curves.csv:
strategy, seed, query, test_acc, epochs; summary.csv: any columns, shown as they are).

Confidence bands are the 95 % percentile bootstrap intervals of the mean over seeds, and
the difference from random search is paired by seed, both from `nasforge.bench.statistics`,
so a band at the last query is the interval of bench's summary table (Lindauer & Hutter,
JMLR 2020, ask for both: many seeds, uncertainty, and random search beside every method).
"""

from __future__ import annotations

import html
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd

from nasforge.bench.statistics import bootstrap_bands
from nasforge.report.oneshot import OneShotView, read_oneshot
from nasforge.report.views import LAYOUT, best_so_far, counts, operation_stats, pareto, plotly_js
from nasforge.tasks.metrics import chosen_text, get_metric, member_lines, test_text

PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#F0E442", "#444")
BENCH_FILES = ("curves.csv", "summary.csv")
STYLE = """body{font-family:'DejaVu Sans',Helvetica,Arial,sans-serif;margin:2em auto;
max-width:1200px;color:#222}h1{font-size:1.5em}h2{font-size:1.15em;margin-top:2em}
table{border-collapse:collapse;font-size:.85em;margin:.5em 0}th,td{padding:3px 8px;
border-bottom:1px solid #e4e4e4;text-align:left;vertical-align:middle}
td.n{text-align:right;font-variant-numeric:tabular-nums}.arch{font-family:monospace;
word-break:break-all;max-width:30em}.note{color:#777;font-size:.85em}.fail{color:#a33}"""


def write_report(location: str | Path, output: str | Path, name: str | None = None) -> Path:
    """Write the report of `location` (a bench result directory, or a run directory,
    study.db or storage URL) to `output`; returns its path."""
    source = Path(str(location))
    if source.is_dir() and all((source / f).is_file() for f in BENCH_FILES):
        title, body = _bench_report(source)
    elif source.is_dir() and (source / "runs.csv").is_file() and (source / "summary.csv").is_file():
        title, body = _multi_objective_report(source)
    elif "://" not in str(location) and not source.exists():
        raise FileNotFoundError(f"no run or bench result at {source}")
    elif source.is_dir() and not (source / "study.db").exists():
        raise ValueError(
            f"{source} is neither a run directory (study.db) nor a bench result "
            "(curves.csv and summary.csv, or runs.csv and summary.csv)"
        )
    else:
        title, body = _run_report(location, name)
    output = Path(output)
    page = (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>'
        f"{html.escape(title)}</title><style>{STYLE}</style><script>{plotly_js().read_text()}"
        f"</script></head><body><h1>{html.escape(title)}</h1>{body}</body></html>"
    )
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".part")
    partial.write_text(page)
    partial.replace(output)  # never a half-written report
    return output


# -- pieces -----------------------------------------------------------------------------
def _figure(figure: dict, key: str) -> str:
    data = json.dumps(figure["data"], allow_nan=False)
    layout = json.dumps({**LAYOUT, **figure["layout"]}, allow_nan=False)
    return (
        f'<div id="{key}"></div><script>Plotly.newPlot("{key}", {data}, {layout}, '
        '{"displaylogo": false, "responsive": true});</script>'
    )


def _table(frame: pd.DataFrame, raw: tuple[str, ...] = ()) -> str:
    """`frame` as an HTML table; columns in `raw` are HTML already (drawings)."""
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    rows = []
    for values in frame.itertuples(index=False):
        cells = []
        for column, value in zip(frame.columns, values):
            if column in raw:
                cells.append(f"<td>{value}</td>")
            elif isinstance(value, (int, float, np.number)) and not isinstance(value, bool):
                text = (
                    ""
                    if value != value
                    else f"{value:,.4g}"
                    if abs(value) < 1e5
                    else f"{value:,.0f}"
                )
                cells.append(f'<td class="n">{text}</td>')
            else:
                css = ' class="arch"' if column == "architecture" else ""
                cells.append(f"<td{css}>{html.escape(str(value))}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _settings(settings: dict) -> str:
    frame = pd.DataFrame(
        {"setting": list(settings), "value": [v if isinstance(v, str) else json.dumps(v)
                                             for v in settings.values()]}
    )  # fmt: skip
    return _table(frame)


# -- a bench result ---------------------------------------------------------------------
def run_values(curves: pd.DataFrame, x: str, grid: np.ndarray) -> dict[str, np.ndarray]:
    """Per strategy, a (seeds, len(grid)) array, rows in seed order: each run's incumbent
    `test_acc` when its `x` (query or epochs) had reached each grid value (NaN before its
    first row)."""
    out: dict[str, list[np.ndarray]] = {}
    for (strategy, _seed), run in curves.groupby(["strategy", "seed"]):
        xs, ys = run[x].to_numpy(float), run["test_acc"].to_numpy(float)
        index = np.searchsorted(xs, grid, side="right") - 1
        values = np.where(index >= 0, ys[np.clip(index, 0, None)], np.nan)
        out.setdefault(strategy, []).append(values)
    return {s: np.vstack(v) for s, v in out.items()}


def _band_traces(name: str, x: list, bands: tuple[np.ndarray, ...], k: int) -> list[dict]:
    colour = PALETTE[k % len(PALETTE)]
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5)) if len(colour) == 7 else (68,) * 3
    mean, lower, upper = (band.round(4).tolist() for band in bands)
    return [
        {"x": x, "y": upper, "mode": "lines", "line": {"width": 0}, "legendgroup": name,
         "showlegend": False, "hoverinfo": "skip"},
        {"x": x, "y": lower, "mode": "lines", "line": {"width": 0}, "fill": "tonexty",
         "fillcolor": f"rgba({r},{g},{b},0.18)", "legendgroup": name, "showlegend": False,
         "hoverinfo": "skip"},
        {"x": x, "y": mean, "mode": "lines", "name": name,
         "legendgroup": name, "line": {"color": colour, "width": 2}},
    ]  # fmt: skip


def _nan_free(values: np.ndarray) -> np.ndarray:
    return np.where(np.isfinite(values), values, None)


def _anytime(curves, strategies, x, grid, label, optimum, key) -> str:
    values = run_values(curves, x, grid)
    ends = [float(grid[0]), float(grid[-1])]
    data = []
    for k, name in enumerate(strategies):
        for trace in _band_traces(name, grid.tolist(), bootstrap_bands(values[name]), k):
            trace["y"] = _nan_free(np.array(trace["y"], dtype=float)).tolist()
            data.append(trace)
    layout = {"title": {"text": f"incumbent test accuracy by {label} (mean, 95% CI over seeds)"},
              "xaxis": {"title": {"text": label}, "type": "log"},
              "yaxis": {"title": {"text": "test accuracy (%)"}}, "height": 420}  # fmt: skip
    if optimum is not None:
        dashed = {"color": "#000", "dash": "dash", "width": 1}
        data.append({"x": ends, "y": [optimum] * 2, "mode": "lines", "name": "optimum",
                     "line": dashed})  # fmt: skip
        first = np.nanmin([np.nanmean(values[s][:, min(9, len(grid) - 1)]) for s in strategies])
        layout["yaxis"]["range"] = [float(first) - 0.5, optimum + 0.2]
    parts = [_figure({"data": data, "layout": layout}, key)]
    seeds = curves.groupby("strategy")["seed"].unique().map(sorted).map(tuple)
    if "random" in strategies and len(strategies) > 1 and seeds.nunique() == 1:
        diff = []
        for k, name in enumerate(strategies):
            if name == "random":
                continue
            paired = bootstrap_bands(values[name] - values["random"])
            for trace in _band_traces(name, grid.tolist(), paired, k):
                trace["y"] = _nan_free(np.array(trace["y"], dtype=float)).tolist()
                diff.append(trace)
        diff.append({"x": ends, "y": [0, 0], "mode": "lines", "name": "random",
                     "line": {"color": "#000", "width": 1}})  # fmt: skip
        title = f"difference from random search by {label} (points, paired by seed, 95% CI)"
        layout = {
            "title": {"text": title}, "xaxis": {"title": {"text": label}, "type": "log"},
            "yaxis": {"title": {"text": "test accuracy minus random's"}}, "height": 380,
        }  # fmt: skip
        parts.append(_figure({"data": diff, "layout": layout}, key + "-random"))
    return "".join(parts)


def _bench_report(folder: Path) -> tuple[str, str]:
    curves = pd.read_csv(folder / "curves.csv")
    missing = {"strategy", "seed", "query", "test_acc", "epochs"} - set(curves.columns)
    if missing:
        raise ValueError(f"{folder / 'curves.csv'} lacks the columns {sorted(missing)}")
    summary = pd.read_csv(folder / "summary.csv")
    info_file = folder / "results.json"
    info = json.loads(info_file.read_text()) if info_file.is_file() else {}
    strategies = list(dict.fromkeys(curves["strategy"]))
    seeds = curves["seed"].nunique()
    budget = int(curves["query"].max())
    optimum = info.get("optimum")
    title = f"{info.get('space', 'benchmark')} / {info.get('dataset', folder.name)}: " \
            f"{len(strategies)} strategies x {seeds} seeds x {budget} queries"  # fmt: skip
    body = [f'<p class="note">from {html.escape(str(folder.resolve()))}</p>']
    body.append("<h2>Summary</h2>" + _table(summary))
    body.append("<h2>Anytime performance</h2>")
    body.append(_anytime(curves, strategies, "query", np.arange(1, budget + 1), "queries",
                         optimum, "anytime"))  # fmt: skip
    if info.get("fidelities"):
        top = max(info["fidelities"])
        grid = np.unique(np.geomspace(top, budget * top, 60).round())
        body.append(_anytime(curves, strategies, "epochs", grid, "training epochs spent",
                             optimum, "anytime-cost"))  # fmt: skip
    settings = {k: v for k, v in info.items() if k not in ("summary", "mean_curves")}
    if settings:
        body.append("<h2>Settings</h2>" + _settings(settings))
    return title, "".join(body)


def _multi_objective_report(folder: Path) -> tuple[str, str]:
    runs = pd.read_csv(folder / "runs.csv")
    summary = pd.read_csv(folder / "summary.csv")
    if not {"strategy", "budget", "hypervolume"} <= set(runs.columns):
        raise ValueError(f"{folder / 'runs.csv'} lacks strategy, budget or hypervolume")
    data = [
        {"type": "box", "name": name, "x": [f"{b} queries" for b in group["budget"]],
         "y": group["hypervolume"].round(5).tolist(), "boxpoints": "all",
         "marker": {"color": PALETTE[k % len(PALETTE)]}}
        for k, (name, group) in enumerate(runs.groupby("strategy", sort=False))
    ]  # fmt: skip
    layout = {"title": {"text": "normalised hypervolume of each run's front"}, "boxmode": "group",
              "yaxis": {"title": {"text": "hypervolume"}}, "height": 420}  # fmt: skip
    body = "<h2>Summary</h2>" + _table(summary) + "<h2>Hypervolume per run</h2>"
    return f"multi-objective bench: {folder.name}", body + _figure(
        {"data": data, "layout": layout}, "hypervolume"
    )


# -- a finished search ------------------------------------------------------------------
def _run_report(location, name: str | None) -> tuple[str, str]:
    from nasforge.report.drawing import architecture_svg
    from nasforge.study import load_study
    from nasforge.study.snapshot import read_trials

    study = load_study(location, name)
    trials = read_trials(study)
    settings = study.attrs
    objectives = list(settings.get("objectives", ["val_acc"]))
    directions = study.directions
    maximize = directions[0] == "maximize"
    body = []
    summary_file = Path(str(location)) / "summary.json"
    chosen = json.loads(summary_file.read_text()) if summary_file.is_file() else None
    tally = ", ".join(f"{n} {s}" for s, n in counts(trials).items()) or "no trials"
    body.append(f'<p class="note">{html.escape(tally)}</p>')
    scored = [t for t in trials if t.ok and math.isfinite(t.metrics.get(objectives[0], math.nan))]
    ranked = sorted(scored, key=lambda t: t.metrics[objectives[0]], reverse=maximize)
    if chosen:
        body.append("<h2>Chosen architecture</h2>")
        body.append(f'<p class="arch">{html.escape(chosen["best_arch"])}</p>')
        body.append(f"<p>{html.escape(_chosen_text(chosen))}</p>")
        body.extend(f'<p class="arch">{html.escape(line)}</p>' for line in member_lines(chosen))
        if chosen.get("baseline"):
            base = chosen["baseline"]
            body.append(f"<p>baseline {html.escape(base['model'])} on the same splits: "
                        f"{html.escape(test_text(base))} ({base['seconds']} s)</p>")  # fmt: skip
    if ranked:
        body.append(architecture_svg(ranked[0].arch.space, ranked[0].arch)
                    if not chosen else _chosen_svg(ranked, chosen))  # fmt: skip
    folder = Path(str(location)) if Path(str(location)).is_dir() else Path(str(location)).parent
    oneshot = read_oneshot(folder) if "://" not in str(location) else None
    if oneshot is not None:
        body.append(_oneshot_section(oneshot))
    searched = oneshot is None or len(trials) > 1  # not one recorded choice of a supernet
    if searched:
        body.append("<h2>Search</h2>")
        body.append(_figure(best_so_far(trials, objectives[0], maximize), "best"))
        body.append(_figure(pareto(trials, objectives, directions), "pareto"))
    ops = operation_stats(trials, objectives[0], maximize)
    if searched and ops["decisions"]:
        body.append(f"<h2>Operations the best {ops['top']} of {ops['completed']} share</h2>")
        rows = [
            {"decision": d["decision"], **{
                "choices (share among the best / among all)": ", ".join(
                    f"{c['choice']} {100 * c['top']:.0f}% / {100 * c['all']:.0f}%"
                    for c in d["choices"])}}
            for d in ops["decisions"]
        ]  # fmt: skip
        body.append(_table(pd.DataFrame(rows)))
    body.append("<h2>Trials</h2>")
    order = {t.number: k for k, t in enumerate(ranked)}
    listed = sorted(trials, key=lambda t: (order.get(t.number, len(order)), t.number))
    rows = []
    for k, t in enumerate(listed):
        rows.append({
            "trial": t.number, "state": t.state,
            **{o: t.metrics.get(o, np.nan) for o in objectives},
            "params": t.metrics.get("params", np.nan), "seconds": t.cost_s,
            "drawing": architecture_svg(t.arch.space, t.arch) if k < 25 else "",
            "architecture": t.text, "failure": t.failure or "",
        })  # fmt: skip
    body.append('<p class="note">best first; drawings for the best 25</p>')
    body.append(_table(pd.DataFrame(rows), raw=("drawing",)) if rows else "<p>no trials</p>")
    body.append("<h2>Settings</h2>" + _settings({**settings, "directions": directions}))
    kind = f"one-shot search ({study.attrs.get('method')})" if oneshot else "search"
    return f"{kind} {study.name}", "".join(body)


def _oneshot_section(view: OneShotView) -> str:
    """The supernet's side of a one-shot run: its choice, curves and weights."""
    facts = pd.DataFrame({"": list(view.facts), "value": list(view.facts.values())})
    parts = ["<h2>One-shot search</h2>", _table(facts)]
    parts += [_figure(figure, key) for key, figure in view.figures.items()]
    parts.append("<h3>Derived architecture by epoch</h3>" + _table(view.epochs))
    return "".join(parts)


def _chosen_svg(ranked, chosen) -> str:
    """The drawing of the architecture the run chose (one of its trials)."""
    from nasforge.report.drawing import architecture_svg

    for trial in ranked:
        if trial.text == chosen["best_arch"]:
            return architecture_svg(trial.arch.space, trial.arch)
    return architecture_svg(ranked[0].arch.space, ranked[0].arch)


def _chosen_text(chosen: dict) -> str:
    """`test accuracy 97.10%, best validation accuracy 98.00 %, 12 s` from `summary.json`
    (every test metric for regression, `of the ensemble of N` for an ensemble)."""
    metric = get_metric(chosen.get("metric", "accuracy"), chosen.get("target", "classes"))
    validation = (
        f"best validation {metric.name.replace('_', ' ')} {metric.text(chosen['best_val'])}"
    )
    return f"{chosen_text(chosen)}, {validation}, {chosen['seconds']} s"
