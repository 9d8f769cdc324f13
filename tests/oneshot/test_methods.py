"""Every registered one-shot method trains a real supernet on digits and returns an
architecture of the searched space; selection and the supernet evaluator work after it."""

from __future__ import annotations

import pytest
import torch

from nasforge.oneshot import (
    GDAS,
    METHODS,
    PCDARTS,
    SupernetEvaluator,
    argmax_selection,
    perturbation_selection,
)
from nasforge.run.loop import TrialLog, run_study
from nasforge.strategies import RegularizedEvolution


@pytest.mark.parametrize("name", ["darts", "gdas", "pcdarts", "drnas", "spos"])
def test_each_method_trains_and_derives_an_architecture(name, small_digits, tiny_space):
    epochs = 4 if name == "spos" else 2  # single paths learn slower
    method = METHODS.create(name, epochs=epochs, batch_size=32, seed=0)
    reports = []
    fit = method.fit(tiny_space, small_digits, reports.append)
    assert [r.epoch for r in reports] == list(range(1, epochs + 1))
    assert all(torch.isfinite(torch.tensor([r.train_loss, r.val_loss])).all() for r in reports)
    assert reports[-1].train_loss < reports[0].train_loss  # it learns
    arch = argmax_selection(fit)
    assert tiny_space.validate(arch) is arch
    alphas = torch.cat([a.detach() for a in fit.supernet.alpha.values()])
    if name == "spos":
        assert reports[-1].arch is None and alphas.abs().max() < 0.01  # never updated
    else:
        assert reports[-1].arch == arch and alphas.abs().max() > 0.01  # the weights moved
        assert 0 < reports[-1].entropy < reports[0].entropy + 1e-9 < 1.61


def test_darts_second_order_runs_and_differs_from_first(small_digits, tiny_space):
    fits = [METHODS.create("darts", epochs=1, batch_size=48, order=k).fit(tiny_space, small_digits)
            for k in (1, 2)]  # fmt: skip
    a1, a2 = (torch.cat([a.detach() for a in f.supernet.alpha.values()]) for f in fits)
    assert not torch.allclose(a1, a2)


def test_gdas_forwards_one_hot_weights_with_gradients(small_digits, tiny_space):
    method = GDAS(seed=0)
    method.generator_ = torch.Generator().manual_seed(0)
    supernet = method.make_supernet(tiny_space, small_digits)
    weights = method.training_weights(supernet, 0.5)
    for w in weights.values():
        assert sorted(w.detach().tolist())[-1] == 1.0 and w.detach().abs().sum() == 1.0
    loss = sum((w * torch.arange(5.0)).sum() for w in weights.values())
    loss.backward()
    assert all(a.grad is not None and a.grad.abs().sum() > 0 for a in supernet.alpha.values())


def test_pcdarts_learns_edge_normalisation_and_uses_partial_channels(small_digits, tiny_space):
    fit = PCDARTS(epochs=1, batch_size=48, partial=4).fit(tiny_space, small_digits)
    betas = torch.cat([b.detach() for b in fit.supernet.beta.values()])
    assert betas.abs().max() > 0
    convs = [m for m in fit.supernet.network.modules() if isinstance(m, torch.nn.Conv2d)]
    assert min(m.out_channels for m in convs) == 2  # 8 channels / 4 in the first stage


def test_perturbation_selection_and_the_supernet_as_an_evaluator(small_digits, tiny_space):
    fit = METHODS.create("spos", epochs=2, batch_size=32).fit(tiny_space, small_digits)
    decided = []
    arch = perturbation_selection(fit, tune_steps=1, on_edge=lambda *d: decided.append(d))
    assert tiny_space.validate(arch) is arch
    assert sorted(e for e, _, _ in decided) == sorted(tiny_space.labels)
    assert all(arch[e] == op for e, op, _ in decided)
    evaluator = SupernetEvaluator(fit.supernet, calibration_size=128)
    strategy = RegularizedEvolution(population_size=4, tournament_size=2)
    history = run_study(TrialLog(), tiny_space, strategy, evaluator, 8, seed=0)
    accs = [t.metrics["val_acc"] for t in history]
    assert len(accs) == 8 and all(0 <= a <= 100 for a in accs) and len(set(accs)) > 1
    again = evaluator.evaluate(history[0].arch).metrics["val_acc"]
    assert again == accs[0]  # recalibration makes the judgement independent of the order
