"""A search process killed with SIGKILL mid-run and resumed: no completed trial lost, the
interrupted architecture evaluated again, the final trial count as requested."""

from __future__ import annotations

import sys

from nasforge.testing.crash import kill_and_resume

TRIALS = 24  # fast MLP trials: enough of them that the kill lands mid-search


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


def test_ctrl_c_says_how_to_resume(tmp_path):
    import signal
    import subprocess
    import time

    from nasforge.study import load_study

    def started() -> bool:
        try:
            return any(t.ok for t in load_study(tmp_path / "digits-mlp").trials())
        except Exception:  # not created yet
            return False

    command = [
        sys.executable, "-m", "nasforge.cli", "search", "--data", "digits", "--space", "mlp",
        "--trials", "500", "--epochs", "4", "--output", str(tmp_path), "--no-progress",
        "--no-export", "--threads", "1",
    ]  # fmt: skip
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        # a shell's background jobs ignore SIGINT, and children inherit that: undo it
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while not started():
        assert process.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    output, _ = process.communicate(timeout=60)
    assert process.returncode == 130, output
    assert "run the same command with --resume --name digits-mlp" in " ".join(output.split())
    assert "Traceback" not in output
