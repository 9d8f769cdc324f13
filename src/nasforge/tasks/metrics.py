"""Task metrics: what a search optimises and reports, each with its direction.

A network's raw outputs (logits for classes, one standardised value for regression) are
turned into scores here, so training, cross-validated selection, the final test and the
gradient-boosting baseline all measure the same thing. Accuracy and balanced accuracy
are in percent; F1, ROC AUC and R² are fractions; log loss, RMSE and MAE are in the
target's units (nats for log loss).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

TARGETS = ("classes", "regression")


@dataclass(frozen=True)
class Metric:
    """A metric by name: its key in trial metrics (`val_<key>`, `test_<key>`), whether
    larger is better, the target kind it applies to and how it is printed."""

    name: str
    key: str
    maximize: bool
    target: str
    percent: bool = False

    def text(self, value: float) -> str:
        """`97.10%` or `0.4312`."""
        return f"{value:.2f}%" if self.percent else f"{value:.4g}"

    @property
    def label(self) -> str:
        """A column or axis label: `val acc`, `val rmse`."""
        return "val " + self.key.replace("_", " ")


METRICS = {
    m.name: m
    for m in (
        Metric("accuracy", "acc", True, "classes", percent=True),
        Metric("balanced_accuracy", "balanced_accuracy", True, "classes", percent=True),
        Metric("f1_macro", "f1_macro", True, "classes"),
        Metric("roc_auc", "roc_auc", True, "classes"),
        Metric("log_loss", "log_loss", False, "classes"),
        Metric("rmse", "rmse", False, "regression"),
        Metric("mae", "mae", False, "regression"),
        Metric("r2", "r2", True, "regression"),
    )
}
DEFAULT_METRIC = {"classes": "accuracy", "regression": "rmse"}
# Reported besides the searched metric: accuracy for classes, all three for regression.
REPORTED = {"classes": ("accuracy",), "regression": ("rmse", "mae", "r2")}


def get_metric(name: str, target: str = "classes") -> Metric:
    """The metric `name` for a `target` ("classes" or "regression"); a ValueError naming
    the accepted ones otherwise."""
    if target not in TARGETS:
        raise ValueError(f"unknown target {target!r}; accepted: {', '.join(TARGETS)}")
    fitting = [m for m in METRICS.values() if m.target == target]
    if name not in METRICS or METRICS[name].target != target:
        raise ValueError(
            f"metric {name!r} does not apply to {target}; accepted: "
            + ", ".join(m.name for m in fitting)
        )
    return METRICS[name]


def softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=1, keepdims=True)


def _roc_auc(y: np.ndarray, proba: np.ndarray) -> float:
    from sklearn.metrics import roc_auc_score

    present = np.unique(y)
    if len(present) < 2:
        return float("nan")
    if proba.shape[1] == 2:
        return float(roc_auc_score(y, proba[:, 1]))
    part = proba[:, present] / proba[:, present].sum(axis=1, keepdims=True)
    if len(present) == 2:
        return float(roc_auc_score(y == present[1], part[:, 1]))
    return float(roc_auc_score(y, part, multi_class="ovr", labels=present))


def score(name: str, y: np.ndarray, outputs: np.ndarray) -> float:
    """Metric `name` of `outputs` against `y`: class probabilities (n, K) and labels
    0..K-1 for classes, predictions and true values (n,) for regression."""
    if name == "accuracy":
        return 100.0 * int(np.sum(outputs.argmax(1) == y)) / max(len(y), 1)
    if name == "rmse":
        return float(np.sqrt(np.mean((outputs - y) ** 2)))
    if name == "mae":
        return float(np.mean(np.abs(outputs - y)))
    from sklearn import metrics as sk  # only the metrics below need it

    if name == "balanced_accuracy":
        return 100.0 * float(sk.balanced_accuracy_score(y, outputs.argmax(1)))
    if name == "f1_macro":
        return float(sk.f1_score(y, outputs.argmax(1), average="macro", zero_division=0))
    if name == "roc_auc":
        return _roc_auc(y, outputs)
    if name == "log_loss":
        clipped = np.clip(outputs, 1e-15, 1.0)
        return float(sk.log_loss(y, clipped, labels=np.arange(outputs.shape[1])))
    if name == "r2":
        return float(sk.r2_score(y, outputs)) if len(y) > 1 else float("nan")
    raise ValueError(f"unknown metric {name!r}; accepted: {', '.join(METRICS)}")


def test_text(scores: dict) -> str:
    """`test accuracy 97.10%` or `test rmse 53.2, test mae 41.9, test r2 0.412` (and the
    chosen metric) from a summary's or baseline's `test_*` entries."""
    values = scores.get("test_metrics", scores)
    parts = []
    for key, value in values.items():
        if not key.startswith("test_") or value is None:
            continue
        if key == "test_acc":
            parts.append(f"test accuracy {value:.2f}%")
        elif key == "test_balanced_accuracy":
            parts.append(f"test balanced accuracy {value:.2f}%")
        else:
            parts.append(f"{key.replace('_', ' ', 1)} {value:.4g}")
    return ", ".join(parts)


def chosen_text(summary: dict) -> str:
    """`test_text` of a run's chosen model (`summary.json`), with `(the ensemble of N)`
    when it averages several networks."""
    members = summary.get("ensemble") or []
    return test_text(summary) + (f" (the ensemble of {len(members)})" if members else "")


def member_lines(summary: dict) -> list[str]:
    """`member trial 6: <arch>, test accuracy 100.00% alone` for each ensemble member of
    a run's `summary.json`."""
    return [
        f"member trial {m['trial']}: {m['arch']}, {test_text(m['test_metrics'])} alone"
        for m in summary.get("ensemble") or []
    ]
