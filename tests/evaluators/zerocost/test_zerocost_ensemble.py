"""Ensembles on NAS-Bench-Suite-Zero's published proxy scores (real reference data)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import spearmanr

from nasforge.evaluators.zerocost.ensemble import WeightedEnsemble, quantiles, rank_aggregate


def _reference(zc_reference, names):
    rows = zc_reference["cifar10"]
    scores = {name: np.array([r["proxies"][name] for r in rows]) for name in names}
    return scores, np.array([r["val_acc"] for r in rows])


@pytest.mark.parametrize("names", [("synflow", "nwot", "jacov"), ("synflow", "nwot")])
def test_ensembles_beat_every_proxy_they_combine_on_held_out_archs(zc_reference, names):
    scores, accuracy = _reference(zc_reference, names)
    order = np.random.default_rng(0).permutation(len(accuracy))
    train, test = order[:50], order[50:]
    fitted = WeightedEnsemble(seed=0).fit(
        {k: v[train] for k, v in scores.items()}, accuracy[train], reference=scores
    )
    weighted = spearmanr(fitted.predict(scores)[test], accuracy[test])[0]
    ranked = spearmanr(rank_aggregate(scores)[test], accuracy[test])[0]
    best = max(spearmanr(v[test], accuracy[test])[0] for v in scores.values())
    assert weighted > best + 0.01 and ranked > best + 0.01, (weighted, ranked, best)


def test_weighted_ensemble_is_seeded_and_scores_one_arch_like_many(zc_reference):
    scores, accuracy = _reference(zc_reference, ("synflow", "nwot"))
    labelled = {k: v[:40] for k, v in scores.items()}
    a = WeightedEnsemble(seed=3).fit(labelled, accuracy[:40], reference=scores)
    b = WeightedEnsemble(seed=3).fit(labelled, accuracy[:40], reference=scores)
    assert a.weights_ == b.weights_
    many = a.predict(scores)
    assert a.score_one({k: v[7] for k, v in scores.items()}) == pytest.approx(many[7])


def test_a_single_good_proxy_keeps_its_ranking():
    accuracy = np.arange(30.0)
    scores = {"good": accuracy**3, "noise": np.random.default_rng(0).normal(size=30)}
    fitted = WeightedEnsemble(seed=0).fit(scores, accuracy)
    assert spearmanr(fitted.predict(scores), accuracy)[0] == pytest.approx(1.0)
    assert fitted.weights_["good"] > abs(fitted.weights_["noise"])


def test_quantiles_put_nan_last_and_errors_are_clear():
    assert quantiles([3.0, np.nan, 1.0]).tolist() == pytest.approx([1.0, 1 / 3, 2 / 3])
    with pytest.raises(ValueError, match="at least 3 labelled"):
        WeightedEnsemble().fit({"a": [1.0, 2.0]}, [1.0, 2.0])
    with pytest.raises(ValueError, match="lacks the proxies b"):
        WeightedEnsemble().fit({"b": [1.0, 2.0, 3.0]}, [1, 2, 3], reference={"a": [1.0]})
