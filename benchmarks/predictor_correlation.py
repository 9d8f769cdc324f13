"""Predictor rank correlation on NAS-Bench-201: Kendall tau and Spearman of each predictor
against the held-out seed-mean test accuracy, trained on the noisy one-seed val_acc, per
training size, with fit and query time; checks the issue's target (best predictor
Kendall tau >= 0.65 at 100 training architectures on cifar10).

usage: python benchmarks/predictor_correlation.py [--predictors mlp_ensemble,gp,lgbm,gin,zc]
       [--train-sizes 10,20,50,100,200,500] [--seeds 10] [--test-size 1000] [--output DIR]
"""

from __future__ import annotations

import argparse
import time

from nasforge.bench.predictors import evaluate_predictors

TARGET_SIZE, TARGET_TAU = 100, 0.65


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--predictors", default="mlp_ensemble,gp,lgbm,gin,zc")
    parser.add_argument("--dataset", default="cifar10")
    parser.add_argument("--train-sizes", default="10,20,50,100,200,500")
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--test-size", type=int, default=1000)
    parser.add_argument("--output", default=None, help="also write CSV, JSON and plot here")
    args = parser.parse_args()
    start = time.perf_counter()
    result = evaluate_predictors(
        predictors=args.predictors.split(","),
        dataset=args.dataset,
        train_sizes=[int(s) for s in args.train_sizes.split(",")],
        seeds=args.seeds,
        test_size=args.test_size,
    )
    summary = result.summary()
    print(
        f"{args.dataset}: {args.seeds} seeds, {args.test_size} held-out architectures, "
        f"{time.perf_counter() - start:.0f} s (shared machine: timings are noisy)"
    )
    print(f"{'predictor':<14}{'n':>5}{'kendall':>16}{'spearman':>10}{'fit s':>8}{'query ms':>10}")
    for (name, size), row in summary.iterrows():
        print(
            f"{name:<14}{size:>5}{row['kendall_tau']:>9.3f} ± {row['kendall_std']:.3f}"
            f"{row['spearman']:>10.3f}{row['fit_s']:>8.2f}{row['query_ms']:>10.3f}"
        )
    if args.output:
        print("written:", ", ".join(str(p) for p in result.save(args.output).values()))
    at_target = (
        summary.xs(TARGET_SIZE, level="train_size")
        if TARGET_SIZE in set(summary.index.get_level_values("train_size"))
        else None
    )
    if at_target is not None and args.dataset == "cifar10":
        best = at_target["kendall_tau"].idxmax()
        tau = at_target.loc[best, "kendall_tau"]
        verdict = "ok" if tau >= TARGET_TAU else "MISSED"
        print(f"\nbest at {TARGET_SIZE}: {best} tau {tau:.3f} ({verdict}, target >= {TARGET_TAU})")


if __name__ == "__main__":
    main()
