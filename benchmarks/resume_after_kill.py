"""SIGKILL a `nasforge search` mid-run and resume it, `--repeats` times per strategy at
different points (seed 0, 2 to 11 completed trials before the kill): completed trials
lost (target 0), and whether the resumed study holds the same trial sequence as an
uninterrupted run of the same command (target: always).

usage: python benchmarks/resume_after_kill.py [--repeats 10] [--trials 14]
           [--strategies random,evolution,local,tpe,bananas]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

from nasforge.study import INTERRUPTED, load_study
from nasforge.testing.crash import kill_and_resume


def command(strategy: str, trials: int, output: str, seed: int) -> list[str]:
    return [
        sys.executable, "-m", "nasforge.cli", "search", "--data", "wine", "--space", "mlp",
        "--strategy", strategy, "--trials", str(trials), "--epochs", "2", "--output", output,
        "--name", "run", "--no-progress", "--no-export", "--threads", "1", "--seed", str(seed),
        "--confirm-top", "1",
    ]  # fmt: skip


def sequence(run_dir: Path) -> list[tuple[str, float | None]]:
    """The jobs of a study in the order they were handed out, interrupted ones left out."""
    trials = sorted(load_study(run_dir).trials(include_running=True), key=lambda t: t.number)
    return [(t.text, t.fidelity) for t in trials if t.state != INTERRUPTED]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--trials", type=int, default=14)
    parser.add_argument("--strategies", default="random,evolution,local,tpe,bananas")
    args = parser.parse_args()
    print("| strategy | kills | lost completed trials | same sequence as uninterrupted |")
    print("|---|---|---|---|")
    missed = 0
    for strategy in args.strategies.split(","):
        lost, same = 0, 0
        with tempfile.TemporaryDirectory() as whole:  # one uninterrupted run per strategy
            subprocess.run(command(strategy, args.trials, whole, 0), check=True,
                           capture_output=True)  # fmt: skip
            expected = sequence(Path(whole) / "run")
            for repeat in range(args.repeats):  # killed at a different point each time
                kill_after = 2 + repeat % max(args.trials - 4, 1)
                with tempfile.TemporaryDirectory() as cut:
                    report = kill_and_resume(
                        command(strategy, args.trials, cut, 0), Path(cut) / "run", kill_after
                    )
                    lost += report.lost
                    same += report.ok and sequence(Path(cut) / "run") == expected
        missed += lost > 0 or same < args.repeats
        print(f"| {strategy} | {args.repeats} | {lost} | {same}/{args.repeats} |", flush=True)
    print("all targets met" if missed == 0 else f"{missed} strategies MISSED a target")


if __name__ == "__main__":
    main()
