"""Gradient-based one-shot methods on a `Supernet`, registered by name in `METHODS`.

- `darts`: softmax mixing, bi-level optimisation, first or second order (Liu, Simonyan
  & Yang, "DARTS: Differentiable Architecture Search", ICLR 2019).
- `gdas`: one operation per edge sampled by Gumbel-softmax with a straight-through
  gradient, temperature annealed from 10 to 0.1 (Dong & Yang, "Searching for a Robust
  Neural Architecture in Four GPU Hours", CVPR 2019).
- `pcdarts`: a 1/K channel sample through the operations and edge normalisation (Xu et
  al., "PC-DARTS: Partial Channel Connections for Memory-Efficient Architecture
  Search", ICLR 2020).
- `drnas`: mixing weights drawn from a Dirichlet whose concentration is learnt, with a
  KL pull towards the uniform Dirichlet (Chen et al., "DrNAS: Dirichlet Neural
  Architecture Search", ICLR 2021).
"""

from __future__ import annotations

import torch

from nasforge.oneshot.base import Batch, OneShotMethod
from nasforge.oneshot.supernet import Supernet

Weights = dict[str, torch.Tensor]


class DARTS(OneShotMethod):
    """DARTS: operations mixed by softmax(alpha); alpha follows the validation loss.
    `order=2` uses the unrolled hypergradient (one virtual SGD step of size
    `learning_rate`, its Hessian-vector product by central finite differences)."""

    name = "darts"

    def __init__(
        self, epochs: int = 20, batch_size: int = 64, learning_rate: float = 0.025,
        arch_learning_rate: float = 3e-3, order: int = 1, warmup_epochs: int = 0,
        seed: int = 0, threads: int | None = 1, device: str = "cpu",
    ) -> None:  # fmt: skip
        super().__init__(
            epochs,
            batch_size,
            learning_rate,
            arch_learning_rate,
            warmup_epochs,
            seed,
            threads,
            device,
        )
        self.order = order

    def check(self) -> None:
        super().check()
        if self.order not in (1, 2):
            raise ValueError(f"DARTS order must be 1 or 2, got {self.order}")

    def training_weights(self, supernet: Supernet, progress: float) -> Weights:
        return self.mixture(supernet)

    def arch_gradients(
        self, supernet: Supernet, train: Batch, val: Batch, lr: float
    ) -> list[torch.Tensor]:
        if self.order == 1:
            return super().arch_gradients(supernet, train, val, lr)
        return unrolled_hypergradient(supernet, self, train, val, lr, self.weight_decay)


class PCDARTS(DARTS):
    """PC-DARTS: DARTS with 1/`partial` of the channels through each mixed edge (the rest
    bypass it, then channels shuffle) and edges into a node weighted by softmax(beta)."""

    name = "pcdarts"
    partial_default = 4

    def __init__(
        self, epochs: int = 20, batch_size: int = 64, learning_rate: float = 0.025,
        arch_learning_rate: float = 3e-3, partial: int = 4, warmup_epochs: int = 0,
        seed: int = 0, threads: int | None = 1, device: str = "cpu",
    ) -> None:  # fmt: skip
        super().__init__(
            epochs, batch_size, learning_rate, arch_learning_rate, 1, warmup_epochs, seed,
            threads, device,
        )  # fmt: skip
        self.partial = partial

    def make_supernet(self, space, task) -> Supernet:
        return Supernet(space, task, partial=self.partial, edge_normalisation=True, seed=self.seed)


class GDAS(OneShotMethod):
    """GDAS: each forward runs one operation per edge, the hard Gumbel-softmax sample of
    softmax(alpha / tau), with the soft sample's gradient; tau falls linearly from
    `tau_max` to `tau_min` over the epochs."""

    name = "gdas"
    sparse = True

    def __init__(
        self, epochs: int = 20, batch_size: int = 64, learning_rate: float = 0.025,
        arch_learning_rate: float = 3e-3, tau_max: float = 10.0, tau_min: float = 0.1,
        warmup_epochs: int = 0, seed: int = 0, threads: int | None = 1, device: str = "cpu",
    ) -> None:  # fmt: skip
        super().__init__(
            epochs,
            batch_size,
            learning_rate,
            arch_learning_rate,
            warmup_epochs,
            seed,
            threads,
            device,
        )
        self.tau_max = tau_max
        self.tau_min = tau_min

    def training_weights(self, supernet: Supernet, progress: float) -> Weights:
        tau = self.tau_max - (self.tau_max - self.tau_min) * progress
        result = {}
        for edge, alpha in supernet.alpha.items():
            noise = torch.empty(alpha.shape, dtype=alpha.dtype).exponential_(
                generator=self.generator_
            )
            gumbel = -noise.log().to(alpha.device)
            soft = torch.softmax((torch.log_softmax(alpha, 0) + gumbel) / tau, dim=0)
            hard = torch.zeros_like(soft).scatter_(0, soft.argmax().view(1), 1.0)
            result[edge] = hard - soft.detach() + soft
        return result

    def evaluation_weights(self, supernet: Supernet) -> tuple[Weights, bool]:
        """The argmax operation per edge: GDAS trains single paths."""
        result = {}
        for edge, alpha in supernet.alpha.items():
            result[edge] = torch.zeros_like(alpha).scatter_(0, alpha.argmax().view(1), 1.0)
        return result, True


class DrNAS(OneShotMethod):
    """DrNAS: weights ~ Dirichlet(elu(alpha) + 1), reparameterised (pathwise gradient);
    the validation loss adds `kl_weight` x KL(Dirichlet || Dirichlet(1)). The mixture for
    derivation and validation is the Dirichlet mean."""

    name = "drnas"

    def __init__(
        self, epochs: int = 20, batch_size: int = 64, learning_rate: float = 0.025,
        arch_learning_rate: float = 3e-3, kl_weight: float = 1e-3, warmup_epochs: int = 0,
        seed: int = 0, threads: int | None = 1, device: str = "cpu",
    ) -> None:  # fmt: skip
        super().__init__(
            epochs,
            batch_size,
            learning_rate,
            arch_learning_rate,
            warmup_epochs,
            seed,
            threads,
            device,
        )
        self.kl_weight = kl_weight

    @staticmethod
    def concentration(alpha: torch.Tensor) -> torch.Tensor:
        return torch.nn.functional.elu(alpha) + 1.0

    def mixture(self, supernet: Supernet) -> Weights:
        result = {}
        for edge, alpha in supernet.alpha.items():
            concentration = self.concentration(alpha)
            result[edge] = concentration / concentration.sum()
        return result

    def training_weights(self, supernet: Supernet, progress: float) -> Weights:
        # torch's Dirichlet sampler takes no generator: fork the global one, seeded
        seed = int(torch.randint(0, 2**62, (1,), generator=self.generator_))
        with torch.random.fork_rng():
            torch.manual_seed(seed)
            return {
                edge: torch.distributions.Dirichlet(self.concentration(alpha)).rsample()
                for edge, alpha in supernet.alpha.items()
            }

    def arch_penalty(self, supernet: Supernet) -> torch.Tensor:
        dirichlet = torch.distributions.Dirichlet
        total = torch.zeros((), device=supernet.device)
        for alpha in supernet.alpha.values():
            concentration = self.concentration(alpha)
            prior = dirichlet(torch.ones_like(concentration))
            total = total + torch.distributions.kl_divergence(dirichlet(concentration), prior)
        return self.kl_weight * total


def unrolled_hypergradient(
    supernet: Supernet, method: OneShotMethod, train: Batch, val: Batch, xi: float,
    weight_decay: float = 0.0, epsilon: float = 0.01,
) -> list[torch.Tensor]:  # fmt: skip
    """DARTS's second-order gradient of L_val(w', alpha), w' = w - xi (grad_w L_train + wd w),
    with respect to the architecture parameters: grad_alpha L_val(w') - xi H v, where
    v = grad_w' L_val(w') and H v = (grad_alpha L_train(w+) - grad_alpha L_train(w-)) / 2r,
    w+- = w +- r v, r = epsilon / |v|. The weights are the same afterwards."""
    params = supernet.weight_parameters()
    arch = supernet.arch_parameters()
    saved = [p.detach().clone() for p in params]
    grads = torch.autograd.grad(method.loss(supernet, train), params)
    with torch.no_grad():
        for p, g in zip(params, grads):
            p.sub_(xi * (g + weight_decay * p))
    outer = torch.autograd.grad(
        method.loss(supernet, val) + method.arch_penalty(supernet),
        arch + params, allow_unused=True,
    )  # fmt: skip
    d_arch = [torch.zeros_like(a) if g is None else g for a, g in zip(arch, outer)]
    v = [torch.zeros_like(p) if g is None else g for p, g in zip(params, outer[len(arch) :])]
    radius = epsilon / float(torch.sqrt(sum((g * g).sum() for g in v)).clamp_min(1e-12))
    sides = []
    for sign in (1.0, -1.0):
        with torch.no_grad():
            for p, w, g in zip(params, saved, v):
                p.copy_(w + sign * radius * g)
        loss = method.loss(supernet, train)
        sides.append(torch.autograd.grad(loss, arch, allow_unused=True))
    with torch.no_grad():
        for p, w in zip(params, saved):
            p.copy_(w)
    result = []
    for d, plus, minus, a in zip(d_arch, *sides, arch):
        plus = torch.zeros_like(a) if plus is None else plus
        minus = torch.zeros_like(a) if minus is None else minus
        result.append(d - xi * (plus - minus) / (2 * radius))
    return result
