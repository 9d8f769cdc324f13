"""NPENAS: neural-predictor-guided evolution (Wei, Niu, Tang, Wang, Hu & Liang, "NPENAS:
neural predictor guided evolution for neural architecture search", IEEE TNNLS 2022),
the NPENAS-NP variant.

After `initial` random architectures, each round fits a predictor to the history (by
default the GIN graph network where the space has a graph form, else the MLP ensemble on
the space's best encoding, one-hot for `mlp` and `chain`), lets the best `parents`
architectures produce many offspring (all their unseen neighbours plus random multi-edit
mutations), and evaluates the `batch_size` offspring with the best predicted score.
"""

from __future__ import annotations

import numpy as np

from nasforge.architecture import Architecture
from nasforge.history import History
from nasforge.predictors import check_predictor, create_predictor, default_predictor
from nasforge.spaces.base import SearchSpace
from nasforge.strategies.bananas import PredictorGuided, mutation_candidates
from nasforge.tasks import Task


class NPENAS(PredictorGuided):
    """Evolution whose offspring are filtered by a predictor (registry name `predictor`;
    None: `default_predictor(space)`). `task` reaches predictors that build networks
    (`zc`); None means the NAS-Bench-201 cifar10 task, for benchmark look-ups."""

    def __init__(
        self,
        initial: int = 10,
        batch_size: int = 10,
        predictor: str | None = None,
        parents: int = 10,
        mutations: int = 20,
        max_edits: int = 2,
        metric: str = "val_acc",
        maximize: bool = True,
        allow_duplicates: bool = False,
        task: Task | str | None = None,
    ) -> None:
        self.initial = initial
        self.batch_size = batch_size
        self.predictor = predictor
        self.parents = parents
        self.mutations = mutations
        self.max_edits = max_edits
        self.metric = metric
        self.maximize = maximize
        self.allow_duplicates = allow_duplicates
        self.task = task

    def check(self, space: SearchSpace) -> None:
        super().check(space)
        for name in ("parents", "mutations", "max_edits"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)}")
        check_predictor(self.predictor or default_predictor(space), space)

    def plan(
        self,
        space: SearchSpace,
        archs: list[Architecture],
        scores: np.ndarray,
        history: History,
        rng: np.random.Generator,
    ) -> list[Architecture]:
        self.predictor_name_ = self.predictor or default_predictor(space)
        seed = int(rng.integers(2**31))
        model = create_predictor(self.predictor_name_, space, seed, self.task)
        model.fit(archs, scores)
        candidates = mutation_candidates(
            space,
            archs,
            scores,
            history,
            rng,
            self.parents,
            self.mutations,
            self.max_edits,
            self.allow_duplicates,
        )
        if not candidates:
            return []
        predicted = model.predict(candidates)
        self.predictor_ = model
        return [candidates[i] for i in np.argsort(-predicted, kind="stable")]
