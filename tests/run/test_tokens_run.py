"""A token search end to end: cellular-automaton sequences with a held-out rule, the
per-position default space (conv1d), per-cell accuracy, ONNX export with token ids."""

from __future__ import annotations

import json

from nasforge.run.search import search

ECA = "eca:rules=30+90:held-out=110:width=8:context=2:examples=60"


def test_eca_search_reports_per_cell_accuracy_on_a_held_out_rule(tmp_path):
    result = search(ECA, trials=3, epochs=2, threads=1, confirm_top=2, confirm_folds=2,
                    output_dir=tmp_path, optimizer="adamw", learning_rate=0.003)  # fmt: skip
    assert len(result.confirmation) == 2  # cross-validation folds of per-position labels
    assert result.space.name == "conv1d" and result.task.per_position  # the per-position default
    info = json.loads(result.files["summary"].read_text())
    assert 30.0 < info["test_acc"] <= 100.0
    assert info["baseline"]["model"] == "HistGradientBoostingClassifier"
    assert 30.0 < info["baseline"]["test_acc"] <= 100.0
    assert info["onnx_max_abs_diff"] < 1e-4
    best = result.best.metrics
    assert best["params"] > 0 and best["peak_memory"] > 0 and 0 < best["val_acc"] <= 100
