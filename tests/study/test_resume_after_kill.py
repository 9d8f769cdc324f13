"""A search process killed with SIGKILL mid-run and resumed: no completed trial lost, the
interrupted architecture evaluated again, the final trial count as requested."""

from __future__ import annotations

import sys

from nasforge.testing.crash import kill_and_resume

TRIALS = 12


def test_sigkill_then_resume_loses_no_completed_trial(tmp_path):
    command = [
        sys.executable, "-m", "nasforge.cli", "search", "--data", "digits", "--space", "mlp",
        "--trials", str(TRIALS), "--epochs", "2", "--output", str(tmp_path), "--name", "killed",
        "--no-progress", "--no-export", "--threads", "1",
    ]  # fmt: skip
    report = kill_and_resume(command, tmp_path / "killed", kill_after=3)
    assert report.resume_exit_code == 0, report.resume_error
    assert 3 <= report.completed_before < TRIALS
    assert report.lost == 0
    assert report.interrupted <= 1  # one trial was running when the process died
    assert report.interrupted_redone == report.interrupted  # ... and was proposed again
    assert report.evaluated == TRIALS
    assert report.ok
    assert (tmp_path / "killed" / "model.pt").exists()
