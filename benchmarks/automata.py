"""Transformers on elementary cellular automata: per-cell next-state accuracy on rules
held out from training, and how it moves with encoder depth (the question of Zhang et
al., "Intelligence at the edge of chaos", ICLR 2025, at a CPU-sized scale).

Task: `eca:rules=<train>:held-out=<test>` with `--width` cells and `--context` states per
sequence; the last state's cells are labelled with their next state, the test split is
made of the held-out rules alone. For each depth 1-4 a fixed transformer (h4, d32, ff2,
learned positions) is trained on train + validation and tested on the held-out rules;
`--search` also runs `nasforge.search` with its default space (`conv1d` for per-position
tokens; `--trials`, the best by validation accuracy, no cross-validation). AdamW, same
epochs and batch for all; seeds 0..`--seeds`-1. Beside them the search's baseline
(`nasforge.run.baseline`: gradient boosting on each cell's view of its sequence), fitted
on train + validation for the held-out column and on train alone for the validation
column.

    nice -n 10 python benchmarks/automata.py --seeds 1 --search --trials 4 --epochs 20
"""

from __future__ import annotations

import argparse
import time

import pandas as pd

from nasforge.evaluators.training import TrainingEvaluator
from nasforge.run.baseline import fit_token_model, token_baseline
from nasforge.run.search import search
from nasforge.spaces import TransformerSpace
from nasforge.tasks import load_task

TRAIN_RULES = "30+45+54+60+90+105+110+150+18+22+122+126+146+184"
HELD_OUT = "62+73+106+137"
TRAINING = {"optimizer": "adamw", "learning_rate": 0.003, "batch_size": 32}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument("--width", type=int, default=12)
    parser.add_argument("--context", type=int, default=3)
    parser.add_argument("--examples", type=int, default=100)
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--search", action="store_true")
    parser.add_argument("--trials", type=int, default=8)
    args = parser.parse_args()
    spec = (f"eca:rules={TRAIN_RULES}:held-out={HELD_OUT}:width={args.width}:"
            f"context={args.context}:examples={args.examples}")  # fmt: skip
    space, rows = TransformerSpace(), []
    for seed in range(args.seeds):
        task = load_task(spec, seed=seed)
        start = time.perf_counter()
        found = token_baseline(task, seed)
        _, on_train = fit_token_model(task, task.x_train, task.y_train, seed)
        rows.append({"seed": seed, "model": "baseline " + found["model"],
                     "held_out_acc": found["test_acc"],
                     "train_rules_acc": task.scores(on_train(task.x_val), task.y_val)["val_acc"],
                     "seconds": time.perf_counter() - start})  # fmt: skip
        print(rows[-1], flush=True)
        trainer = TrainingEvaluator(space, task, epochs=args.epochs, seed=seed, threads=1,
                                    **TRAINING)  # fmt: skip
        for depth in (1, 2, 3, 4):
            arch = space.parse(f"transformer:L{depth}-h4-d32-ff2:pos=learned:pool=mean")
            start = time.perf_counter()
            model, _, _ = trainer.train(arch, *task.train_and_val(), args.epochs)
            measured = trainer.measure(model, (task.x_test, task.y_test), "test_")
            rows.append({"seed": seed, "model": f"L{depth}", "held_out_acc": measured["test_acc"],
                         "train_rules_acc": trainer.measure(model, (task.x_val, task.y_val))[
                             "val_acc"], "seconds": time.perf_counter() - start})  # fmt: skip
            print(rows[-1], flush=True)
        if args.search:
            start = time.perf_counter()
            result = search(spec, seed=seed, trials=args.trials, epochs=args.epochs,
                            output_dir=None, export=False, confirm_top=1, **TRAINING)  # fmt: skip
            rows.append({"seed": seed, "model": "searched " + result.space.format(result.best.arch),
                         "held_out_acc": result.test_acc,
                         "train_rules_acc": result.best.metrics["val_acc"],
                         "seconds": time.perf_counter() - start})  # fmt: skip
            print(rows[-1], flush=True)
    frame = pd.DataFrame(rows)
    frame["model"] = frame["model"].where(~frame["model"].str.startswith("searched"), "searched")
    print(
        f"\n{spec}; {args.epochs} epochs, AdamW 3e-3, batch 32; per-cell accuracy %, "
        f"mean over {args.seeds} seeds (train_rules_acc: validation, on training rules)"
    )
    print(frame.groupby("model", sort=False).mean(numeric_only=True).drop(columns="seed")
          .round(2).to_string())  # fmt: skip


if __name__ == "__main__":
    main()
