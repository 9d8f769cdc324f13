"""The network a search returns: the winner's final network, or the mean of the final
networks of the best few candidates (`search(ensemble=N)`).

Averaging a few independently trained networks lowers the variance of one training run
(Lakshminarayanan et al. 2017, "Simple and scalable predictive uncertainty estimation
using deep ensembles"); averaging the best few architectures of a search rather than
seeds of one is the cheap end of Zaidi et al. 2021, "Neural ensemble search for
uncertainty estimation and dataset shift". Members come in the order of the
confirmation (best first) and each is trained on train + validation like the winner.
Three members by default: measured against one, two and four on digits, three tables
and three time-series sets (benchmarks/ensemble.py, docs/search.md).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import torch
from torch import nn

from nasforge.architecture import Architecture
from nasforge.constraints import Constraints
from nasforge.evaluators.training import TrainingEvaluator
from nasforge.history import Trial
from nasforge.spaces.base import SearchSpace
from nasforge.tasks import Task

ENSEMBLE_FILE = "ensemble.json"
DEFAULT_ENSEMBLE = 3  # measured against 1, 2 and 4 members: docs/search.md


def default_ensemble(confirm_top: int, several_objectives: bool) -> int:
    """Members when none are asked for: `DEFAULT_ENSEMBLE` within the confirmed
    candidates; one network when the search has several objectives (a Pareto front)
    or no confirmation (`confirm_top=1`: choose by validation alone, cheaply)."""
    if several_objectives or confirm_top == 1:
        return 1
    return min(DEFAULT_ENSEMBLE, confirm_top)


class Ensemble(nn.Module):
    """Networks averaged. For classes, the mean of their probabilities returned as
    log-probabilities, so a softmax of the output gives the mean back and every loss,
    `Task.decode` and ONNX treat it as logits; for regression, the mean output."""

    def __init__(self, members: Sequence[nn.Module], classes: bool) -> None:
        super().__init__()
        self.members = nn.ModuleList(members)
        self.classes = classes

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        outputs = torch.stack([member(x) for member in self.members])
        if not self.classes:
            return outputs.mean(0)
        # (members, batch, classes, ...): class scores are dimension 2
        log_probabilities = torch.log_softmax(outputs, dim=2)
        return torch.logsumexp(log_probabilities, dim=0) - math.log(len(self.members))


def combined(models: Sequence[nn.Module], task: Task) -> nn.Module:
    """One model: the network itself when there is one, their `Ensemble` otherwise."""
    if len(models) == 1:
        return models[0]
    return Ensemble(models, classes=task.target == "classes")


def build_ensemble(space: SearchSpace, archs: Sequence[Architecture], task: Task) -> nn.Module:
    """The untrained model `combined` makes of `archs` (to load a state dict into)."""
    return combined([space.build(arch, task) for arch in archs], task)


def ensemble_description(archs: Sequence[Architecture]) -> str:
    """`ensemble.json`: the member architectures, best first, as JSON."""
    return json.dumps({"members": [a.to_dict() for a in archs]}, indent=1) + "\n"


def read_ensemble(text: str) -> list[Architecture]:
    """The member architectures `ensemble_description` wrote."""
    return [Architecture.from_dict(member) for member in json.loads(text)["members"]]


@dataclass
class FinalModel:
    """What `train_final` made: the model, its members (best first), each member's own
    test metrics and the whole model's measures (both only for an ensemble), and a
    note for each member left out."""

    model: nn.Module
    members: list[Trial]
    member_test_metrics: list[dict[str, float]] = field(default_factory=list)
    measures: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def train_final(
    trainer: TrainingEvaluator,
    chosen: Sequence[Trial],
    epochs: Callable[[Trial], int],
    constraints: Constraints,
) -> FinalModel:
    """Train each of `chosen` (best first) on train + validation for `epochs(trial)`
    epochs and combine them, keeping only as many members as the hard limits allow for
    the whole model. A failed winner raises ValueError; a failed runner-up is left out,
    and `notes` says why for each member left out."""
    task = trainer.task
    train_and_val = task.train_and_val()
    models, members, notes = [], [], []
    for trial in chosen:
        model, _, failure = trainer.train(trial.arch, *train_and_val, epochs(trial))
        if failure is not None and not models:
            raise ValueError(f"retraining the best architecture failed: {failure}")
        if failure is not None:
            notes.append(f"ensemble: trial {trial.number} failed to retrain ({failure}); left out")
            continue
        models.append(model.cpu())  # measured, tested and saved on the CPU
        members.append(trial)
    measures: dict[str, float] = {}
    while len(models) > 1:
        measures = constraints.measure(combined(models, task), task.input_shape)
        broken = constraints.violations(measures)
        if not broken:
            break
        notes.append(
            f"ensemble: {len(models)} members break {broken[0]}; keeping {len(models) - 1}"
        )
        models.pop()
        members.pop()
    if len(models) == 1:
        return FinalModel(models[0], members, notes=notes)
    test = (task.x_test, task.y_test)
    member_metrics = [trainer.measure(m, test, "test_") for m in models]
    return FinalModel(combined(models, task), members, member_metrics, measures, notes)
