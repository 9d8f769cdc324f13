from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse
from scipy.stats import kendalltau

from nasforge.predictors import PREDICTORS, MLPEnsemble, ZeroCostAugmented
from nasforge.predictors.zerocost import available_proxies


@pytest.fixture(scope="module")
def split(space, cifar10):
    rng = np.random.default_rng(0)
    index = rng.choice(len(space), 300, replace=False)
    archs = [space.from_index(int(i)) for i in index]
    return archs[:100], cifar10.columns_[200][index[:100]], archs[100:], cifar10.test_[index[100:]]


FAST = {
    "mlp_ensemble": {"epochs": 150},
    "gp": {},
    "gp_hamming": {},
    "lgbm": {},
    "gin": {"epochs": 40},
}


@pytest.mark.parametrize("name", sorted(FAST))
def test_predictor_ranks_held_out_architectures(name, space, split):
    train, y, test, target = split
    model = PREDICTORS.create(name, space=space, seed=0, **FAST[name]).fit(train, y)
    predicted = model.predict(test)
    assert predicted.shape == (len(test),) and np.all(np.isfinite(predicted))
    tau = kendalltau(predicted, target)[0]
    assert tau > 0.3, f"{name}: Kendall tau {tau:.3f} on 200 held-out architectures"
    if model.has_uncertainty:
        mean, std = model.predict_dist(test)
        np.testing.assert_allclose(mean, predicted)
        assert np.all(std >= 0) and std.mean() > 0
        np.testing.assert_allclose(model.predict_std(test), std)
    else:
        with pytest.raises(NotImplementedError, match="no predictive uncertainty"):
            model.predict_dist(test)


@pytest.mark.parametrize("name", sorted(FAST))
def test_same_seed_same_predictions(name, space, split):
    train, y, test, _ = split
    a = PREDICTORS.create(name, space=space, seed=3, **FAST[name]).fit(train[:30], y[:30])
    b = PREDICTORS.create(name, space=space, seed=3, **FAST[name]).fit(train[:30], y[:30])
    np.testing.assert_allclose(a.predict(test[:20]), b.predict(test[:20]))


def test_ensemble_members_differ_and_spread_is_their_std(space, split):
    train, y, test, _ = split
    model = MLPEnsemble(space, members=4, epochs=100).fit(train, y)
    members = model.member_predictions(test)
    assert members.shape == (4, len(test))
    assert np.ptp(members, axis=0).mean() > 0
    np.testing.assert_allclose(model.predict_std(test), members.std(axis=0))


def test_predictor_errors_say_what_to_do(space, split):
    train, y, _, _ = split
    model = MLPEnsemble(space)
    with pytest.raises(ValueError, match="not fitted yet"):
        model.predict(train)
    with pytest.raises(ValueError, match="one score per architecture"):
        model.fit(train, y[:5])
    with pytest.raises(ValueError, match="NaN"):
        model.fit(train[:3], [1.0, np.nan, 2.0])
    with pytest.raises(ValueError, match="unknown predictor 'svr'; known: gin, gp"):
        PREDICTORS.get("svr")


def test_zero_cost_features_are_appended(space, split):
    train, y, _, _ = split
    model = ZeroCostAugmented(space, proxies=("params", "flops")).fit(train[:3], y[:3])
    features = model.model_.features(train[:2])
    assert features.shape == (2, 58 + 2)
    assert np.all((features[:, -2] > 4.5) & (features[:, -2] < 6.5))  # log10 0.07M..1.5M params
    assert np.all(features[:, -1] > features[:, -2])  # FLOPs exceed parameters
    np.testing.assert_array_equal(features[:, :-2], space.encode_many(train[:2], "adjacency"))


@pytest.mark.slow
def test_zero_cost_predictor_ranks_from_tiny_training_sets(space, split):
    train, y, test, target = split
    model = ZeroCostAugmented(space).fit(train[:20], y[:20])
    tau = kendalltau(model.predict(test[:100]), target[:100])[0]
    assert tau > 0.3, f"zc predictor Kendall tau {tau:.3f} from 20 architectures"


def test_zero_cost_rejects_unknown_proxy(space, split):
    train, y, _, _ = split
    assert {"params", "flops"} <= set(available_proxies())
    with pytest.raises(ValueError, match="unknown proxy 'magic'; accepted: params, flops"):
        ZeroCostAugmented(space, proxies=("magic",)).fit(train[:5], y[:5])


@pytest.mark.parametrize("dense", [True, False])
def test_batched_mlp_gradient_matches_finite_differences(dense):
    from nasforge.predictors.mlp import _BatchedMLP

    rng = np.random.default_rng(0)
    x = (rng.random((12, 9)) < (0.8 if dense else 0.1)).astype(np.float64)
    x = x if dense else sparse.csr_array(x)
    y = rng.standard_normal((3, 12))
    model = _BatchedMLP(3, 9, (6, 5), rng, dtype=np.float64)

    def loss() -> float:
        return float(((model(x) - y) ** 2).sum() / 2)

    activations = model.forward(x)
    grad = model.backward(x.T, activations, activations[-1][..., 0] - y)
    assert grad.shape == model.params.shape
    for i in range(model.params.size):
        old = model.params[i]
        model.params[i] = old + 1e-6
        up = loss()
        model.params[i] = old - 1e-6
        down = loss()
        model.params[i] = old
        assert grad[i] == pytest.approx((up - down) / 2e-6, rel=1e-4, abs=1e-7), i


def test_mlp_ensemble_fits_its_training_set(space, split):
    train, y, _, _ = split
    model = MLPEnsemble(space, hidden=(32, 32), epochs=200).fit(train[:40], y[:40])
    spread = np.abs(y[:40] - y[:40].mean()).mean()
    assert np.abs(model.predict(train[:40]) - y[:40]).mean() < 0.2 * spread
