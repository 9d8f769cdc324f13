"""The model a user would pick instead of a searched network on a table: scikit-learn's
HistGradientBoosting (after LightGBM, Ke et al., NeurIPS 2017), fitted on the same
train + validation rows as the final network and tested on the same test rows."""

from __future__ import annotations

import time

import numpy as np

from nasforge.tasks import Task


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
        predictions = np.zeros((len(task.x_test), task.num_classes))
        predictions[:, model.classes_] = model.predict_proba(task.x_test)
    else:
        model = HistGradientBoostingRegressor(random_state=seed)
        model.fit(x, task.truth(y))
        predictions = model.predict(task.x_test)
    scores = task.scores(predictions, task.y_test, "test_")
    seconds = round(time.perf_counter() - start, 2)
    return {"model": type(model).__name__, **scores, "seconds": seconds}
