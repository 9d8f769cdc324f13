"""`Task`: the problem an architecture is built for, and (optionally) its data splits."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from nasforge.tasks.metrics import DEFAULT_METRIC, METRICS, REPORTED, Metric, get_metric, softmax

KINDS = ("image", "table", "series", "tokens")
IGNORE = -100  # a per-position label that is not scored (PyTorch's cross-entropy default)


@dataclass(frozen=True, eq=False)
class Task:
    """`kind` and input shape: image (channels, height, width), table (features,), series
    (channels, length) or tokens (length,) of ids in [0, `vocabulary`); target (`classes`
    or `regression`), metric, plus train / validation / test arrays when the task carries
    data (benchmark tasks do not). An empty `kind` is read from the shape (3-D image, 2-D
    series, 1-D table); tokens are always named.

    Inputs are float32 arrays of shape (n, *input_shape) (int64 ids for tokens). Class
    labels are int64 in [0, num_classes), shape (n,), or (n, length) for per-position
    targets (`per_position`: token classification; positions labelled `IGNORE` are not
    trained on or scored); regression targets are float32,
    standardised with `target_scale` (training mean and standard deviation), and
    `num_classes` is 0. `metric` defaults to
    accuracy for classes and RMSE for regression. `preprocessing` is the plain-JSON
    description of how raw data became inputs (fitted on the training split: table
    columns, or `inputs`, see `nasforge.tasks.inputs`), which `nasforge predict` reapplies;
    `notes` are lines a search prints before it starts (how the target was chosen, what
    the preprocessing did).
    """

    name: str
    input_shape: tuple[int, ...]
    num_classes: int
    metric: str | None = None
    x_train: np.ndarray | None = field(default=None, repr=False)
    y_train: np.ndarray | None = field(default=None, repr=False)
    x_val: np.ndarray | None = field(default=None, repr=False)
    y_val: np.ndarray | None = field(default=None, repr=False)
    x_test: np.ndarray | None = field(default=None, repr=False)
    y_test: np.ndarray | None = field(default=None, repr=False)
    class_names: tuple[str, ...] = ()
    target: str = "classes"
    target_scale: tuple[float, float] = (0.0, 1.0)
    preprocessing: dict | None = field(default=None, repr=False)
    notes: tuple[str, ...] = field(default=(), repr=False)
    kind: str = ""
    vocabulary: int = 0
    per_position: bool = False

    def __post_init__(self) -> None:
        if not self.kind:
            kinds = {3: "image", 2: "series", 1: "table"}
            object.__setattr__(self, "kind", kinds.get(len(self.input_shape), "table"))
        if self.kind not in KINDS:
            raise ValueError(f"unknown task kind {self.kind!r}; accepted: {', '.join(KINDS)}")
        if self.kind == "tokens" and (self.vocabulary < 2 or len(self.input_shape) != 1):
            raise ValueError(
                f"token task {self.name!r} needs a vocabulary of at least 2 and a (length,) "
                f"input shape, got {self.vocabulary} and {self.input_shape}"
            )
        if self.per_position and (self.kind != "tokens" or self.target != "classes"):
            raise ValueError("per-position targets are token classification only")
        object.__setattr__(self, "metric", self.metric or DEFAULT_METRIC.get(self.target, ""))
        get_metric(self.metric, self.target)  # ValueError naming the accepted ones
        if self.target == "classes" and self.num_classes < 2:
            raise ValueError(f"task {self.name!r} needs at least 2 classes, got {self.num_classes}")
        if not self.input_shape or any(int(d) < 1 for d in self.input_shape):
            raise ValueError(f"task {self.name!r} has an invalid input shape {self.input_shape}")

    @property
    def has_data(self) -> bool:
        return self.x_train is not None

    @property
    def outputs(self) -> int:
        """Network outputs: one logit per class, or one value for regression."""
        return self.num_classes if self.target == "classes" else 1

    @property
    def objective(self) -> Metric:
        """The metric a search on this task optimises (key `val_<key>`)."""
        return METRICS[self.metric]

    @property
    def objective_key(self) -> str:
        return "val_" + self.objective.key

    def decode(self, outputs: np.ndarray) -> np.ndarray:
        """Raw network outputs as class probabilities (n, K), or regression predictions
        (n,) in the target's own units; per-position outputs (n, K, length) become one
        row per position, (n * length, K)."""
        if self.per_position:
            outputs = np.moveaxis(outputs, 1, -1).reshape(-1, outputs.shape[1])
        if self.target == "classes":
            return softmax(outputs.astype(np.float64))
        mean, std = self.target_scale
        return outputs.reshape(len(outputs), -1)[:, 0].astype(np.float64) * std + mean

    def truth(self, y: np.ndarray) -> np.ndarray:
        """Stored labels or targets in the form `scores` compares predictions with."""
        if self.target == "classes":
            return y.reshape(-1)
        mean, std = self.target_scale
        return y.astype(np.float64) * std + mean

    def scores(self, predictions: np.ndarray, y: np.ndarray, prefix: str = "val_") -> dict:
        """Every reported metric (accuracy, or RMSE, MAE and R², plus the task's metric)
        of decoded `predictions` against stored labels `y`, keyed `prefix + key`."""
        from nasforge.tasks.metrics import score

        names = dict.fromkeys([*REPORTED[self.target], self.metric])
        truth = self.truth(y)
        if self.per_position:
            keep = truth != IGNORE
            truth, predictions = truth[keep], predictions[keep]
        return {prefix + METRICS[n].key: score(n, truth, predictions) for n in names}

    def train_and_val(self) -> tuple[np.ndarray, np.ndarray]:
        """Training and validation examples together: what the final model and the
        cross-validation of candidates train on."""
        return (
            np.concatenate([self.x_train, self.x_val]),
            np.concatenate([self.y_train, self.y_val]),
        )

    def split_sizes(self) -> dict[str, int]:
        """Examples per split (0 for a split the task does not carry)."""
        return {
            name: 0 if x is None else len(x)
            for name, x in (("train", self.x_train), ("val", self.x_val), ("test", self.x_test))
        }


BENCHMARK_TASKS: dict[str, Task] = {
    "cifar10": Task("cifar10", (3, 32, 32), 10),
    "cifar100": Task("cifar100", (3, 32, 32), 100),
    "imagenet16-120": Task("imagenet16-120", (3, 16, 16), 120),
}


def benchmark_task(dataset: str) -> Task:
    """The `Task` of a NAS-Bench-201 dataset; `ValueError` naming the accepted ones."""
    try:
        return BENCHMARK_TASKS[dataset]
    except KeyError:
        raise ValueError(
            f"unknown dataset {dataset!r}; accepted: {', '.join(BENCHMARK_TASKS)}"
        ) from None
