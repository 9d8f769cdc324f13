"""One-shot NAS: a weight-sharing supernet trained once (the DARTS family, SPOS) instead
of one training per candidate; methods registered by name in `METHODS`."""

from __future__ import annotations

from nasforge.oneshot.base import EpochReport, OneShotFit, OneShotMethod
from nasforge.oneshot.fewshot import FewShotSPOS, FewShotSupernet, split_supernet
from nasforge.oneshot.methods import DARTS, GDAS, PCDARTS, DrNAS, unrolled_hypergradient
from nasforge.oneshot.selection import SELECTIONS, argmax_selection, perturbation_selection
from nasforge.oneshot.shared_synflow import SharedSynflow
from nasforge.oneshot.spos import SPOS, SupernetEvaluator
from nasforge.oneshot.supernet import EdgeSpace, MixedEdge, Supernet, collapse_share
from nasforge.registry import METHODS

METHODS.add("darts", DARTS)
METHODS.add("gdas", GDAS)
METHODS.add("pcdarts", PCDARTS)
METHODS.add("drnas", DrNAS)
METHODS.add("spos", SPOS)

__all__ = [
    "DARTS", "GDAS", "METHODS", "PCDARTS", "SELECTIONS", "SPOS", "DrNAS", "EdgeSpace",
    "EpochReport", "FewShotSPOS", "FewShotSupernet", "MixedEdge", "OneShotFit",
    "OneShotMethod", "SharedSynflow", "Supernet", "SupernetEvaluator", "argmax_selection",
    "collapse_share", "perturbation_selection", "split_supernet", "unrolled_hypergradient",
]  # fmt: skip
