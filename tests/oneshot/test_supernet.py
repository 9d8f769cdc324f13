"""The supernet's paths are the space's stand-alone networks; the second-order DARTS
hypergradient is the derivative of the unrolled validation loss."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn
from torch.func import functional_call

from nasforge.oneshot import DARTS, Supernet, collapse_share, unrolled_hypergradient
from nasforge.oneshot.supernet import EdgeSpace, channel_shuffle, mean_entropy
from nasforge.spaces.nb201 import OPERATIONS, NB201Space


def _path_state(supernet: Supernet, arch) -> dict[str, torch.Tensor]:
    """The supernet's weights along `arch`'s path, under the stand-alone network's keys."""
    state = {}
    for key, value in supernet.network.state_dict().items():
        parts = key.split(".")
        if "ops" not in parts:
            state[key] = value
            continue
        at = parts.index("ops")
        edge = parts[at - 1].replace("_", "<-")
        if OPERATIONS[int(parts[at + 1])] == arch[edge]:
            state[".".join(parts[:at] + parts[at + 2 :])] = value
    return state


def test_a_path_through_the_supernet_is_the_stand_alone_network(small_digits, tiny_space):
    assert isinstance(tiny_space, EdgeSpace)
    supernet = Supernet(tiny_space, small_digits, seed=3)
    x = torch.from_numpy(small_digits.x_val[:32])
    for seed in range(3):
        arch = tiny_space.sample(np.random.default_rng(seed))
        model = tiny_space.build(arch, small_digits)
        model.load_state_dict(_path_state(supernet, arch))  # strict: same layers
        supernet.network.eval()
        model.eval()
        with torch.no_grad(), supernet.single_path(tiny_space.edge_ops(arch)):
            assert torch.allclose(supernet(x), model(x), atol=1e-6)


def test_one_hot_mixing_weights_equal_the_single_path(small_digits, tiny_space):
    supernet = Supernet(tiny_space, small_digits, seed=0)
    arch = tiny_space.sample(np.random.default_rng(7))
    onehot = {e: torch.tensor([float(op == arch[e]) for op in OPERATIONS]) for e in arch}
    x = torch.from_numpy(small_digits.x_val[:16])
    supernet.network.eval()
    with torch.no_grad():
        supernet.set_weights(onehot)
        mixed = supernet(x)
        with supernet.single_path(tiny_space.edge_ops(arch)):
            single = supernet(x)
    assert torch.allclose(mixed, single, atol=1e-6)
    assert supernet.derive(onehot) == arch


def test_derive_entropy_and_collapse_share(tiny_space):
    strengths = {e: {op: float(op == "skip_connect") for op in OPERATIONS}
                 for e in tiny_space.labels}  # fmt: skip
    arch = tiny_space.derive(strengths)
    assert set(arch.choice_values) == {"skip_connect"}
    assert collapse_share(tiny_space, arch) == 1.0
    assert collapse_share(tiny_space, arch.replace(**{"1<-0": "nor_conv_3x3"})) == 5 / 6
    uniform = {e: torch.full((5,), 0.2) for e in tiny_space.labels}
    assert np.isclose(mean_entropy(uniform), np.log(5))
    assert mean_entropy({e: torch.eye(5)[0] for e in tiny_space.labels}) < 1e-9


def test_channel_shuffle_interleaves_groups():
    x = torch.arange(8.0).view(1, 8, 1, 1)
    assert channel_shuffle(x, 2).flatten().tolist() == [0, 4, 1, 5, 2, 6, 3, 7]


def test_second_order_hypergradient_matches_finite_differences(small_digits):
    """d/dalpha L_val(w - xi grad_w L_train(w, alpha), alpha) in float64, by central
    differences and by autograd through the virtual step, against DARTS's unrolled
    gradient. Its Hessian-vector product is a finite difference too, with a radius of
    1e-8 here: ReLU kinks make grad_w L_train jump, so DARTS's 0.01 / |v| is coarse on
    so tiny a network. The second-order term must matter for the check to mean anything."""
    space = NB201Space(channels=4, cells=1)
    supernet = Supernet(space, small_digits, seed=1).to(torch.float64)
    supernet.network.train()
    method = DARTS(order=2)
    method.progress_ = 0.0
    x, y = small_digits.x_train, small_digits.y_train
    train = torch.from_numpy(x[:24]).double(), torch.from_numpy(y[:24])
    x_val, y_val = small_digits.x_val, small_digits.y_val
    val = torch.from_numpy(x_val[:24]).double(), torch.from_numpy(y_val[:24])
    xi = 0.05
    hyper = torch.cat(unrolled_hypergradient(supernet, method, train, val, xi, epsilon=1e-8))
    first = torch.cat(method.arch_gradients(supernet, train, val, xi))
    params = supernet.weight_parameters()
    alphas = list(supernet.alpha.values())

    def unrolled_loss() -> torch.Tensor:
        grads = torch.autograd.grad(method.loss(supernet, train), params, create_graph=True)
        names = [name for name, _ in supernet.network.named_parameters()]
        stepped = {n: p - xi * g for n, p, g in zip(names, params, grads)}
        supernet.set_weights(method.mixture(supernet))
        logits = functional_call(supernet.network, stepped, (val[0],))
        return nn.functional.cross_entropy(logits, val[1])

    exact = torch.cat(torch.autograd.grad(unrolled_loss(), alphas))
    h = 1e-6
    numeric = []
    for alpha in alphas:
        for k in range(len(alpha)):
            values = []
            for sign in (1, -1):
                with torch.no_grad():
                    alpha[k] += sign * h
                values.append(float(unrolled_loss().detach()))
                with torch.no_grad():
                    alpha[k] -= sign * h
            numeric.append((values[0] - values[1]) / (2 * h))
    numeric = torch.tensor(numeric, dtype=torch.float64)
    error = float((hyper - numeric).norm() / numeric.norm())
    assert error < 1e-4, error
    assert torch.allclose(hyper, exact, rtol=1e-5, atol=1e-9)
    assert float((first - numeric).norm() / numeric.norm()) > 100 * error
