from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from nasforge.history import History
from nasforge.run.search import search
from nasforge.strategies import Hyperband, SuccessiveHalving


def _replay(strategy, space, jobs):
    """Run `jobs` proposals with a deterministic score (index-based) per architecture."""
    history, rng = History(), np.random.default_rng(0)
    for _ in range(jobs):
        arch, epochs = strategy.propose_job(space, history, rng)
        score = (space.index(arch) % 997) / 10 + epochs  # more epochs, higher accuracy
        history.add(arch, {"val_acc": score, "fidelity": float(epochs)})
    return history


def test_successive_halving_promotes_the_best_third(space):
    history = _replay(SuccessiveHalving(initial=9, min_epochs=1, max_epochs=9, eta=3), space, 13)
    fidelities = [t.metrics["fidelity"] for t in history]
    assert fidelities == [1.0] * 9 + [3.0] * 3 + [9.0]
    rung0 = sorted(history.trials[:9], key=lambda t: t.metrics["val_acc"], reverse=True)
    assert {t.arch for t in history.trials[9:12]} == {t.arch for t in rung0[:3]}
    rung1 = max(history.trials[9:12], key=lambda t: t.metrics["val_acc"])
    assert history[12].arch == rung1.arch
    # A new bracket starts with new architectures at the lowest fidelity.
    more = _replay(SuccessiveHalving(initial=9, max_epochs=9), space, 14)
    assert more[13].metrics["fidelity"] == 1.0 and more[13].arch not in {
        t.arch for t in more.trials[:13]
    }


def test_hyperband_runs_its_brackets_in_order(space):
    strategy = Hyperband(min_epochs=1, max_epochs=9, eta=3)
    assert strategy._brackets() == [(9, [1, 3, 9]), (5, [3, 9]), (3, [9])]
    history = _replay(strategy, space, 13 + 6 + 3)
    counts = Counter(t.metrics["fidelity"] for t in history)
    assert counts == {1.0: 9, 3.0: 3 + 5, 9.0: 1 + 1 + 3}


def test_bad_settings(space):
    with pytest.raises(ValueError, match="eta >= 2"):
        SuccessiveHalving(eta=1).check(space)


def test_search_with_successive_halving_trains_at_each_rung():
    result = search("wine", strategy="sh", trials=13, epochs=9, output_dir=None, threads=1)
    epochs = [t.metrics["epochs"] for t in result.history]
    assert Counter(epochs) == {1.0: 9, 3.0: 3, 9.0: 1}
    assert result.best.metrics["fidelity"] == 9.0
