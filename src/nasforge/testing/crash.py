"""Kill a search process with SIGKILL mid-run, resume it, and compare the study before and
after: the check behind nasforge's promise that a crash loses no completed trial."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from nasforge.study import StoredTrial, load_study


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


def _completed(run_dir: Path) -> list[StoredTrial]:
    if not (run_dir / "study.db").exists():
        return []
    try:
        return [t for t in load_study(run_dir).trials() if t.state == "complete"]
    except Exception:  # the study is being created right now
        return []


def kill_and_resume(
    command: Sequence[str], run_dir: str | Path, kill_after: int = 3, timeout_s: float = 300
) -> CrashReport:
    """Run `command` (a search writing its study to `run_dir`), SIGKILL it once
    `kill_after` trials are complete, then run it again with `--resume` to the end."""
    run_dir = Path(run_dir)
    process = subprocess.Popen(list(command), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + timeout_s
    while len(_completed(run_dir)) < kill_after:
        if process.poll() is not None:
            raise RuntimeError(f"the search ended before the kill: {process.stderr.read()!r}")
        if time.monotonic() > deadline:
            process.kill()
            raise TimeoutError(f"fewer than {kill_after} trials completed in {timeout_s} s")
        time.sleep(0.02)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    process.stderr.close()
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
