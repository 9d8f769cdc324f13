"""SIGKILL a `nasforge search` mid-run and resume it, `--repeats` times at different
points: completed trials lost (target 0 in every repetition) and the final trial count.

usage: python benchmarks/resume_after_kill.py [--repeats 10] [--trials 12]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from nasforge.testing.crash import kill_and_resume


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--trials", type=int, default=12)
    args = parser.parse_args()
    failures = 0
    for repeat in range(args.repeats):
        kill_after = 2 + repeat % max(args.trials - 3, 1)
        with tempfile.TemporaryDirectory() as output:
            command = [
                sys.executable, "-m", "nasforge.cli", "search", "--data", "digits",
                "--space", "mlp", "--trials", str(args.trials), "--epochs", "2",
                "--output", output, "--name", "run", "--no-progress", "--no-export",
                "--threads", "1", "--seed", str(repeat),
            ]  # fmt: skip
            report = kill_and_resume(command, Path(output) / "run", kill_after=kill_after)
        good = report.ok and report.evaluated == args.trials
        failures += not good
        print(
            f"repeat {repeat}: killed after {report.completed_before} completed, lost "
            f"{report.lost}, interrupted {report.interrupted} (redone "
            f"{report.interrupted_redone}), final evaluations {report.evaluated}/{args.trials}"
            + ("" if good else f"  FAILED {report.resume_error}")
        )
    print(
        f"{args.repeats - failures}/{args.repeats} repetitions lost no completed trial and "
        f"ended with the requested count ({'ok' if failures == 0 else 'MISSED'})"
    )


if __name__ == "__main__":
    main()
