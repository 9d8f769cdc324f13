"""What the commands print when their output is a file or a pipe: the run directory
first, one plain progress line per finished trial, and architecture strings whole at 80
columns, so the `best:` line pastes into `nasforge parse`."""

from __future__ import annotations

import os
import re
import subprocess
import sys

ENV = {**os.environ, "COLUMNS": "80"}


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "nasforge.cli", *args],
        capture_output=True, text=True, env=ENV, timeout=300,
    )  # fmt: skip


def test_search_to_a_file_prints_plain_progress_and_whole_architectures(tmp_path):
    searched = _cli(
        "search", "--data", "digits", "--space", "nb201", "--trials", "2", "--epochs", "1",
        "--confirm-top", "1", "--no-export", "--threads", "1", "--output", str(tmp_path),
    )  # fmt: skip
    assert searched.returncode == 0, searched.stderr
    progress = searched.stderr.strip().splitlines()
    assert progress[0] == f"run directory {tmp_path / 'digits-nb201'}"
    assert len(progress) == 4 and progress[3] == "fitting the ResNet baseline on the same splits"
    for number, line in enumerate(progress[1:3], start=1):
        assert re.fullmatch(
            rf"trial {number}/2 done: val \d+\.\d\d%, best \d+\.\d\d% \(\d+ s\)", line
        ), line

    best = (tmp_path / "digits-nb201" / "best_arch.txt").read_text().strip()
    assert len(best) > 80  # longer than the terminal: it must still come out whole
    assert f"best: {best}\n" in searched.stdout
    assert "…" not in searched.stdout
    pasted = searched.stdout.split("best: ", 1)[1].splitlines()[0]
    parsed = _cli("parse", pasted)
    assert parsed.returncode == 0, parsed.stderr

    shown = _cli("show", str(tmp_path / "digits-nb201"))
    assert shown.returncode == 0, shown.stderr
    assert "…" not in shown.stdout
    assert f"best validation accuracy: {best} (trial" in shown.stdout


def test_bench_to_a_file_prints_plain_progress(tmp_path):
    benched = _cli(
        "bench", "--strategies", "random", "--seeds", "2", "--budget", "5", "--workers", "1",
        "--output", str(tmp_path),
    )  # fmt: skip
    assert benched.returncode == 0, benched.stderr
    lines = benched.stderr.strip().splitlines()
    assert [re.sub(r"\(\d+ s\)", "(T)", line) for line in lines] == [
        "runs 1/2 done (T)",
        "runs 2/2 done (T)",
    ]
    assert "…" not in benched.stdout
