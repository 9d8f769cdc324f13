"""Real tables made messy the way user files are: scikit-learn's bundled sets with a text
label in the first column, two numeric features turned into text categories, an ID
column, a constant column and missing cells. Tests and benchmarks/tables.py use them."""

from __future__ import annotations

import numpy as np
import pandas as pd

SOURCES = ("breast_cancer", "wine", "diabetes")
GRADES = ("low", "medium", "high", "very high")


def messy_table(
    source: str = "breast_cancer", rows: int | None = None, missing: float = 0.05, seed: int = 0
) -> pd.DataFrame:
    """`source` as a DataFrame with the label first (class names as text; the numeric
    target for diabetes), its two features most related to the label as text (quartile
    grades, one-hot; 15 named bands, ordinal), `sample_id` (unique text), `site`
    (constant) and `missing` of the feature cells emptied; `rows` sampled with `seed`."""
    from sklearn import datasets
    from sklearn.feature_selection import f_classif, f_regression

    loaders = {"breast_cancer": datasets.load_breast_cancer, "wine": datasets.load_wine,
               "diabetes": datasets.load_diabetes}  # fmt: skip
    if source not in loaders:
        raise ValueError(f"unknown source {source!r}; accepted: {', '.join(SOURCES)}")
    raw = loaders[source](as_frame=True)
    features, target = raw.data.copy(), raw.target
    rng = np.random.default_rng(seed)
    if rows is not None and rows < len(features):
        pick = np.sort(rng.choice(len(features), rows, replace=False))
        features, target = features.iloc[pick].reset_index(drop=True), target.iloc[pick]
    score = f_regression if source == "diabetes" else f_classif
    strength = score(features.to_numpy(), target.to_numpy())[0]
    first, second = features.columns[np.argsort(-strength)[:2]]
    features[first + "_grade"] = pd.qcut(features.pop(first), 4, labels=GRADES).astype(str)
    bands = pd.qcut(features.pop(second), 15, labels=False, duplicates="drop")
    features[second + "_band"] = [f"band-{chr(ord('A') + int(b))}" for b in bands]
    cells = features.to_numpy(dtype=object)
    cells[rng.random(cells.shape) < missing] = None
    features = pd.DataFrame(cells, columns=features.columns).infer_objects()
    for column in features.columns:
        if not column.endswith(("_grade", "_band")):
            features[column] = features[column].astype(float)
    if source == "diabetes":
        label = pd.Series(target.to_numpy(), name="progression")
    else:
        label = pd.Series(np.asarray(raw.target_names)[target.to_numpy()], name="diagnosis")
    ids = pd.Series([f"S{i:05d}" for i in range(len(features))], name="sample_id")
    site = pd.Series(["lab-1"] * len(features), name="site")
    return pd.concat([label.reset_index(drop=True), ids, features, site], axis=1)
