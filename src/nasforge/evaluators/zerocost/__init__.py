"""Zero-cost proxies: training-free scores of an untrained model, registered in `PROXIES`.

Every proxy is a function `proxy(model, batch, loss) -> float` (larger is better), where
`batch = (inputs, targets)` and `loss(outputs, targets)` defaults to cross-entropy. Proxies
never change the model they are given. `DATA_FREE` proxies read only the batch's shape.
"""

from __future__ import annotations

from nasforge.evaluators.zerocost.activation import meco, nwot, zen
from nasforge.evaluators.zerocost.cost import flops, l2_norm, params
from nasforge.evaluators.zerocost.data import SOURCES, proxy_batch
from nasforge.evaluators.zerocost.jacobian import epe_nas, jacov
from nasforge.evaluators.zerocost.saliency import (
    fisher,
    grad_norm,
    grasp,
    plain,
    snip,
    synflow,
    zico,
)
from nasforge.registry import PROXIES

_PROXIES = {
    "synflow": synflow,
    "snip": snip,
    "grasp": grasp,
    "fisher": fisher,
    "grad_norm": grad_norm,
    "jacov": jacov,
    "nwot": nwot,
    "zen": zen,
    "epe_nas": epe_nas,
    "l2_norm": l2_norm,
    "plain": plain,
    "params": params,
    "flops": flops,
    "zico": zico,
    "meco": meco,
}
for _name, _proxy in _PROXIES.items():
    PROXIES.add(_name, _proxy)

DATA_FREE = frozenset({"synflow", "zen", "params", "flops", "l2_norm"})


def needs_data(name: str) -> bool:
    """Whether the proxy registered as `name` reads the batch's inputs or labels."""
    PROXIES.get(name)  # raises a ValueError listing the known proxies
    return name not in DATA_FREE


__all__ = [
    "DATA_FREE",
    "SOURCES",
    "epe_nas",
    "fisher",
    "flops",
    "grad_norm",
    "grasp",
    "jacov",
    "l2_norm",
    "meco",
    "needs_data",
    "nwot",
    "params",
    "plain",
    "proxy_batch",
    "snip",
    "synflow",
    "zen",
    "zico",
]
