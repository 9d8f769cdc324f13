"""`BenchmarkResult`: anytime curves of a benchmark run, their summary, and their files."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from nasforge.bench.statistics import bootstrap_interval, paired_test

BASELINE = "random"  # the strategy every other is tested against, when it is in the bench


@dataclass
class BenchmarkResult:
    """Per strategy, seed and query: the best validation accuracy so far, the (seed-mean)
    test accuracy of that incumbent and the training epochs spent so far. `optimum` is the
    best test accuracy in the space. With `fidelities` (the cost axis) runs differ in
    length and are compared at equal epoch cost as well as by query."""

    space: str
    dataset: str
    budget: int
    seeds: list[int]
    strategies: list[str]
    noise: str
    fidelity: int
    optimum: float
    curves: pd.DataFrame
    run_seconds: dict[str, float] = field(default_factory=dict)
    fidelities: list[int] | None = None

    def checkpoints(self) -> list[int]:
        """Query counts reported in the summary: 10, 30, 100, 300, ... up to the budget."""
        marks = [m for m in (10, 30, 100, 300, 1000, 3000, 10000) if m < self.budget]
        return [*marks, self.budget]

    def at(self, query: int) -> pd.DataFrame:
        """Each run's row after `query` queries, or its last row if it stopped earlier."""
        return self._last_rows(self.curves[self.curves["query"] <= query])

    def at_cost(self, epochs: float) -> pd.DataFrame:
        """Each run's row when it had spent at most `epochs` training epochs."""
        return self._last_rows(self.curves[self.curves["epochs"] <= epochs])

    def final(self) -> pd.DataFrame:
        """Each run's last row: its incumbent when it stopped."""
        return self._last_rows(self.curves)

    def _last_rows(self, rows: pd.DataFrame) -> pd.DataFrame:
        return rows.groupby(["strategy", "seed"], sort=False).tail(1)

    def cost_checkpoints(self) -> list[float]:
        """Epoch costs reported with the cost axis: the cost of 10, 30, 100, ... evaluations
        at the highest fidelity, up to the budget's."""
        if not self.fidelities:
            return []
        return [m * max(self.fidelities) for m in self.checkpoints()]

    def comparison(self, rows: pd.DataFrame | None = None) -> pd.DataFrame:
        """Per strategy, over the seeds of `rows` (one row per run; default: `final()`):
        mean test accuracy, its 95 % bootstrap interval (`ci_low`, `ci_high`), and against
        random search paired by seed: the mean difference `vs_random`, its 95 % bootstrap
        interval and the Wilcoxon signed-rank p-value (NaN without `random` in the bench)."""
        rows = self.final() if rows is None else rows
        runs = rows.pivot_table(index="seed", columns="strategy", values="test_acc")
        table = []
        for name in self.strategies:
            values = runs[name].to_numpy()
            row = {"strategy": name, "mean": values.mean()}
            row["ci_low"], row["ci_high"] = bootstrap_interval(values)
            row["vs_random"] = row["vs_random_low"] = row["vs_random_high"] = np.nan
            row["p_value"] = np.nan
            if BASELINE in runs.columns:
                baseline = runs[BASELINE].to_numpy()
                row["vs_random"] = float(np.mean(values - baseline))
                row["vs_random_low"], row["vs_random_high"] = bootstrap_interval(values - baseline)
                row["p_value"] = paired_test(values, baseline)
            table.append(row)
        return pd.DataFrame(table).set_index("strategy")

    def summary(self) -> pd.DataFrame:
        """Per strategy: mean and std of the final test accuracy with the `comparison()`
        columns (95 % interval, paired test against random), regret, accuracy at each
        checkpoint, and queries per second of one search process (propose + look up)."""
        final = self._last_rows(self.curves).groupby("strategy")["test_acc"]
        table = pd.DataFrame({"mean": final.mean(), "std": final.std(ddof=1).fillna(0.0)})
        compared = self.comparison().drop(columns="mean")
        table = table.join(compared)
        table["regret"] = self.optimum - table["mean"]
        for mark in self.checkpoints()[:-1]:
            table[f"at_{mark}"] = self.at(mark).groupby("strategy")["test_acc"].mean()
        for cost in self.cost_checkpoints():
            table[f"at_{cost:g}_epochs"] = self.at_cost(cost).groupby("strategy")["test_acc"].mean()
        runs = self._last_rows(self.curves).groupby("strategy")
        table["queries"] = runs["query"].mean()
        table["epochs"] = runs["epochs"].mean()
        queries = runs["query"].sum()
        table["queries_per_s"] = [
            queries[s] / self.run_seconds[s] if self.run_seconds.get(s) else np.nan
            for s in table.index
        ]
        return table.loc[self.strategies]

    def mean_curves(self) -> pd.DataFrame:
        """Mean and standard error of the incumbent's test accuracy by query, per strategy."""
        grouped = self.curves.groupby(["strategy", "query"])["test_acc"]
        table = pd.DataFrame({"mean": grouped.mean(), "sem": grouped.sem().fillna(0.0)})
        return table.reset_index()

    def to_dict(self) -> dict:
        summary = self.summary()
        curves = self.mean_curves()
        return {
            "baseline": BASELINE if BASELINE in self.strategies else None,
            "space": self.space,
            "dataset": self.dataset,
            "budget": self.budget,
            "seeds": self.seeds,
            "noise": self.noise,
            "fidelity": self.fidelity,
            "fidelities": self.fidelities,
            "optimum": self.optimum,
            "strategies": self.strategies,
            "run_seconds": self.run_seconds,
            "summary": {
                s: {k: (None if v != v else v) for k, v in summary.loc[s].items()}
                for s in summary.index
            },
            "mean_curves": {
                s: curves[curves["strategy"] == s]["mean"].round(4).tolist()
                for s in self.strategies
            },
        }

    def save(self, directory: str | Path) -> dict[str, Path]:
        """Write curves.csv, summary.csv, results.json and anytime.png into `directory`."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        paths = {
            "curves": directory / "curves.csv",
            "summary": directory / "summary.csv",
            "json": directory / "results.json",
            "plot": directory / "anytime.png",
        }
        self.curves.to_csv(paths["curves"], index=False)
        self.summary().to_csv(paths["summary"], index_label="strategy")
        paths["json"].write_text(json.dumps(self.to_dict(), indent=2))
        self.plot(paths["plot"])
        if self.fidelities:
            paths["cost_plot"] = directory / "anytime_cost.png"
            self.plot_cost(paths["cost_plot"])
        return paths

    def cost_curves(self, points: int = 40) -> pd.DataFrame:
        """Mean and standard error of the incumbent's test accuracy at log-spaced epoch
        costs, per strategy (the cost axis)."""
        top = max(self.fidelities or [self.fidelity])
        grid = np.unique(np.geomspace(top, self.budget * top, points).round())
        rows = []
        for cost in grid:
            values = self.at_cost(cost).groupby("strategy")["test_acc"]
            for name, mean in values.mean().items():
                rows.append({"strategy": name, "epochs": cost, "mean": mean,
                             "sem": values.sem().fillna(0.0)[name]})  # fmt: skip
        return pd.DataFrame(rows)

    def plot_cost(self, path: str | Path) -> None:
        """Anytime plot on the cost axis: mean test accuracy of the incumbent by epochs."""
        label = "training epochs spent (table look-ups at 12 and 200 epochs)"
        self._anytime_plot(self.cost_curves(), "epochs", label, path)

    def plot(self, path: str | Path) -> None:
        """Anytime plot: mean test accuracy of the incumbent (± standard error) by query."""
        curves = self.mean_curves()
        first = curves[curves["query"] == min(10, self.budget)]["mean"].min()
        limits = (max(first - 0.5, curves["mean"].min()), self.optimum + 0.1)
        self._anytime_plot(curves, "query", "queries", path, limits)

    def _anytime_plot(
        self, curves: pd.DataFrame, x: str, label: str, path: str | Path, limits=None
    ) -> None:
        """Mean ± standard error per strategy against `x` (log axis), the optimum dashed."""
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(7, 4.5))
        for name in self.strategies:
            c = curves[curves["strategy"] == name]
            ax.plot(c[x], c["mean"], label=name)
            ax.fill_between(c[x], c["mean"] - c["sem"], c["mean"] + c["sem"], alpha=0.2)
        ax.axhline(self.optimum, color="black", linestyle="--", linewidth=1, label="optimum")
        if limits is not None:
            ax.set_ylim(*limits)
        ax.set_xscale("log")
        ax.set_xlabel(label)
        ax.set_ylabel(f"test accuracy of incumbent (%), {self.dataset}")
        ax.set_title(f"{self.space} / {self.dataset}: {len(self.seeds)} seeds, mean ± s.e.")
        ax.legend(loc="lower right")
        ax.grid(alpha=0.3)
        fig.tight_layout()
        fig.savefig(path, dpi=120)
        plt.close(fig)
