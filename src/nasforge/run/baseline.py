"""The model a user would pick instead of a searched network, fitted on the same train +
validation examples as the final network and tested on the same test examples: for a
table scikit-learn's HistGradientBoosting (after LightGBM, Ke et al., NeurIPS 2017), for
a series aeon's MiniRocket (Dempster et al., "MiniRocket: a very fast (almost)
deterministic transform for time series classification", KDD 2021), for images a ResNet:
the residual cell of NAS-Bench-201 (Dong & Yang, ICLR 2020; He et al., CVPR 2016) in the
searched network's skeleton, trained exactly like the final network; for token
sequences a linear model on TF-IDF-weighted token uni- and bigrams (the classic text
classification baseline, e.g. Wang & Manning, ACL 2012), and for per-position tokens
gradient boosting on each position's view of its sequence."""

from __future__ import annotations

import time

import numpy as np

from nasforge.constraints import count_params
from nasforge.evaluators.training import TrainingEvaluator
from nasforge.spaces import default_space
from nasforge.spaces.nb201 import RESNET_CELL, NB201Space
from nasforge.tasks import Task
from nasforge.tasks.base import IGNORE


def class_probabilities(model, x, num_classes: int) -> np.ndarray:
    """A scikit-learn-style classifier's probabilities for `x` as (n, num_classes): a class
    absent from its training labels gets probability 0."""
    found = model.predict_proba(x)
    full = np.zeros((len(found), num_classes))
    full[:, np.asarray(model.classes_).astype(int)] = found
    return full


def gradient_boosting_baseline(task: Task, seed: int = 0, class_weights: bool = False) -> dict:
    """`{"model", "test_<metric>"..., "seconds"}` for HistGradientBoosting with default
    settings on `task`'s preprocessed inputs (seeded; balanced class weights when asked)."""
    from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor

    start = time.perf_counter()
    x, y = task.train_and_val()
    if task.target == "classes":
        model = HistGradientBoostingClassifier(
            random_state=seed, class_weight="balanced" if class_weights else None
        )
        model.fit(x, y)
        predictions = class_probabilities(model, task.x_test, task.num_classes)
    else:
        model = HistGradientBoostingRegressor(random_state=seed)
        model.fit(x, task.truth(y))
        predictions = model.predict(task.x_test)
    scores = task.scores(predictions, task.y_test, "test_")
    seconds = round(time.perf_counter() - start, 2)
    return {"model": type(model).__name__, **scores, "seconds": seconds}


def minirocket_baseline(task: Task, seed: int = 0) -> dict:
    """`{"model", "test_<metric>"..., "seconds"}` for aeon's MiniRocket classifier or
    regressor (default settings, seeded, one thread) on `task`'s standardised series."""
    try:
        from aeon.classification.convolution_based import MiniRocketClassifier
        from aeon.regression.convolution_based import MiniRocketRegressor
    except ImportError:
        raise ImportError(
            "the MiniRocket baseline needs aeon: pip install 'nasforge[series]' (or --no-baseline)"
        ) from None
    start = time.perf_counter()
    x, y = task.train_and_val()
    x, x_test = x.astype(np.float64), task.x_test.astype(np.float64)
    if task.target == "classes":
        model = MiniRocketClassifier(random_state=seed, n_jobs=1)
        model.fit(x, y)
        predictions = class_probabilities(model, x_test, task.num_classes)
    else:
        model = MiniRocketRegressor(random_state=seed, n_jobs=1)
        model.fit(x, task.truth(y))
        predictions = model.predict(x_test)
    scores = task.scores(predictions, task.y_test, "test_")
    seconds = round(time.perf_counter() - start, 2)
    return {"model": type(model).__name__, **scores, "seconds": seconds}


def relative_views(x: np.ndarray) -> np.ndarray:
    """Per position of each (n, length) sequence: the ids at every offset from it
    (circularly) and the position itself, (n * length, length + 1): what a per-position
    model sees of a token's context without knowing the task's layout."""
    n, length = x.shape
    positions = np.arange(length)
    index = (positions[:, None] + positions[None, :]) % length  # [p, offset]
    views = x[:, index].reshape(n * length, length)
    return np.concatenate([views, np.tile(positions, n)[:, None]], axis=1)


def fit_token_model(task: Task, x: np.ndarray, y: np.ndarray, seed: int = 0):
    """The token baseline fitted on ids `x` and labels `y` of `task`: per-position targets
    get HistGradientBoosting on `relative_views` (ids as categories when there are at most
    255), whole sequences logistic regression on TF-IDF token uni- and bigrams. Returns
    the model's name and a function from ids to class probabilities (one row per scored
    example: per position for per-position targets)."""
    if task.per_position:
        from sklearn.ensemble import HistGradientBoostingClassifier

        views, labels = relative_views(x), y.reshape(-1)
        keep = labels != IGNORE
        categories = np.arange(views.shape[1] - 1) if task.vocabulary <= 255 else None
        model = HistGradientBoostingClassifier(random_state=seed, categorical_features=categories)
        model.fit(views[keep], labels[keep])
        features, name = relative_views, type(model).__name__
    else:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline

        words = TfidfVectorizer(
            token_pattern=r"\S+", lowercase=False, ngram_range=(1, 2), sublinear_tf=True
        )
        model = make_pipeline(words, LogisticRegression(max_iter=2000, random_state=seed))
        model.fit(_as_text(x), y)
        features, name = _as_text, "TF-IDF + LogisticRegression"

    return name, lambda ids: class_probabilities(model, features(ids), task.num_classes)


def token_baseline(task: Task, seed: int = 0) -> dict:
    """`{"model", "test_<metric>"..., "seconds"}` for `fit_token_model` fitted on the
    train + validation sequences of a token task and tested on its test sequences."""
    start = time.perf_counter()
    name, probabilities = fit_token_model(task, *task.train_and_val(), seed)
    scores = task.scores(probabilities(task.x_test), task.y_test, "test_")
    return {"model": name, **scores, "seconds": round(time.perf_counter() - start, 2)}


def _as_text(x: np.ndarray) -> list[str]:
    """Each sequence of ids as a space-separated string, for scikit-learn's vectorisers."""
    return [" ".join(map(str, row)) for row in x.tolist()]


def resnet_baseline(trainer: TrainingEvaluator, epochs: int) -> dict:
    """`{"model", "test_<metric>"..., "params", "seconds"}` for the NAS-Bench-201 ResNet
    cell trained by `trainer`'s settings for `epochs` on train + validation: in the
    searched skeleton when the space is NAS-Bench-201, else in the default image one."""
    task = trainer.task
    space = trainer.space if isinstance(trainer.space, NB201Space) else default_space(task)
    start = time.perf_counter()
    model, _, failure = trainer.with_space(space).train(
        space.parse(RESNET_CELL), *task.train_and_val(), epochs
    )
    if failure is not None:
        raise ValueError(f"the ResNet baseline failed to train: {failure}")
    scores = trainer.measure(model, (task.x_test, task.y_test), "test_")
    seconds = round(time.perf_counter() - start, 2)
    params = float(count_params(model))
    return {"model": "ResNet (NAS-Bench-201 cell)", **scores, "params": params,
            "seconds": seconds}  # fmt: skip


BASELINES = {"table": "HistGradientBoosting", "series": "MiniRocket", "image": "ResNet",
             "tokens": "token n-gram / gradient-boosting"}  # fmt: skip


def baseline_for(
    task: Task, seed: int = 0, class_weights: bool = False,
    trainer: TrainingEvaluator | None = None, epochs: int = 8,
) -> dict | None:  # fmt: skip
    """The baseline of `task.kind` (see `BASELINES`), or None for a kind without one.
    An image baseline trains with `trainer`'s settings (default: the default space's
    `TrainingEvaluator` with `seed`) for `epochs`."""
    if task.kind == "table":
        return gradient_boosting_baseline(task, seed, class_weights)
    if task.kind == "series":
        return minirocket_baseline(task, seed)
    if task.kind == "image":
        trainer = trainer or TrainingEvaluator(default_space(task), task, seed=seed)
        return resnet_baseline(trainer, epochs)
    if task.kind == "tokens":
        return token_baseline(task, seed)
    return None
