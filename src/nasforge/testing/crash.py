"""Kill a search process with SIGKILL mid-run, resume it, and compare the study before and
after: the check behind nasforge's promise that a crash loses no completed trial."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from nasforge.study import StoredTrial, StudyError, load_study


@dataclass(frozen=True)
class CrashReport:
    """What survived: completed trials before the kill, how many of them were lost or
    changed after the resume, trials interrupted, and the final count of evaluations."""

    completed_before: int
    lost: int
    interrupted: int
    interrupted_redone: int
    evaluated: int
    resume_exit_code: int
    resume_error: str

    @property
    def ok(self) -> bool:
        return (
            self.lost == 0 and self.interrupted == self.interrupted_redone
            and self.resume_exit_code == 0
        )  # fmt: skip


def _trials(run_dir: Path) -> list[StoredTrial]:
    """The study's trials, running ones included; none while it does not exist yet or
    is still being created (the one-line `StudyError` a reader gets then)."""
    if not (run_dir / "study.db").exists():
        return []
    try:
        return load_study(run_dir).trials(include_running=True)
    except StudyError:
        return []


def _completed(run_dir: Path) -> list[StoredTrial]:
    return [t for t in _trials(run_dir) if t.state == "complete"]


def kill_when(
    command: Sequence[str],
    run_dir: str | Path,
    ready: Callable[[list[StoredTrial]], bool],
    timeout_s: float = 300,
) -> None:
    """Run `command` (a search writing its study to `run_dir`) and SIGKILL it as soon as
    `ready(trials)` holds for the study's trials (running ones included)."""
    run_dir = Path(run_dir)
    process = subprocess.Popen(list(command), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + timeout_s
    try:
        while not ready(_trials(run_dir)):
            if process.poll() is not None:
                raise RuntimeError(f"the search ended before the kill: {process.stderr.read()!r}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"the search was not ready to be killed in {timeout_s} s")
            time.sleep(0.02)
    finally:
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
        process.wait()
        process.stderr.close()


def kill_and_resume(
    command: Sequence[str], run_dir: str | Path, kill_after: int = 3, timeout_s: float = 300
) -> CrashReport:
    """Run `command` (a search writing its study to `run_dir`), SIGKILL it once
    `kill_after` trials are complete, then run it again with `--resume` to the end."""
    run_dir = Path(run_dir)
    kill_when(
        command, run_dir, lambda trials: sum(t.state == "complete" for t in trials) >= kill_after,
        timeout_s,
    )  # fmt: skip
    before = {t.number: (t.arch, t.metrics) for t in _completed(run_dir)}
    resumed = subprocess.run(
        [*command, "--resume"], capture_output=True, text=True, timeout=timeout_s
    )
    trials = load_study(run_dir).trials(include_running=True)
    after = {t.number: (t.arch, t.metrics) for t in trials if t.state == "complete"}
    interrupted = [t for t in trials if t.state == "interrupted"]
    redone = [
        t for t in interrupted
        if any(u.ok and u.arch == t.arch and u.number > t.number for u in trials)
    ]  # fmt: skip
    return CrashReport(
        completed_before=len(before),
        lost=sum(after.get(n) != value for n, value in before.items()),
        interrupted=len(interrupted),
        interrupted_redone=len(redone),
        evaluated=sum(t.state in ("complete", "failed") for t in trials),
        resume_exit_code=resumed.returncode,
        resume_error=resumed.stderr[-2000:] if resumed.returncode else "",
    )
