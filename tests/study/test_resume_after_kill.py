"""A search process killed with SIGKILL mid-run and resumed: no completed trial lost, the
interrupted architectures evaluated again, the final trial count as requested."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from nasforge.study import load_study

TRIALS = 12


def _command(output, *extra: str) -> list[str]:
    return [
        sys.executable, "-m", "nasforge.cli", "search", "--data", "digits", "--space", "mlp",
        "--trials", str(TRIALS), "--epochs", "2", "--output", str(output), "--name", "killed",
        "--no-progress", "--no-export", "--threads", "1", *extra,
    ]  # fmt: skip


def _completed(run_dir):
    try:
        return [t for t in load_study(run_dir).trials() if t.state == "complete"]
    except Exception:  # not created yet
        return []


def test_sigkill_then_resume_loses_no_completed_trial(tmp_path):
    run_dir = tmp_path / "killed"
    process = subprocess.Popen(
        _command(tmp_path), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 120
    while len(_completed(run_dir)) < 3:
        assert process.poll() is None, process.stderr.read().decode()
        assert time.monotonic() < deadline, "the search made no progress"
        time.sleep(0.05)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    before = {t.number: (t.arch, t.metrics) for t in _completed(run_dir)}
    assert 3 <= len(before) < TRIALS

    resumed = subprocess.run(_command(tmp_path, "--resume"), capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr

    trials = load_study(run_dir).trials(include_running=True)
    after = {t.number: (t.arch, t.metrics) for t in trials if t.state == "complete"}
    assert all(after[n] == before[n] for n in before)  # nothing completed was lost or redone
    assert sum(t.state in ("complete", "failed") for t in trials) == TRIALS
    interrupted = [t for t in trials if t.state == "interrupted"]
    assert len(interrupted) <= 1  # one trial was running when the process died
    for trial in interrupted:  # ... and its architecture was proposed again first
        assert any(t.arch == trial.arch and t.number > trial.number for t in trials if t.ok)
    assert (run_dir / "model.pt").exists()
