"""Bad options and file-system problems: one line on stderr, exit 2, no traceback, and
nothing done first (the data given does not even exist, so any work would fail on it)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from nasforge.cli import app

runner = CliRunner()
NO_DATA = "/nonexistent/data.csv"  # loading it would fail: the option must fail first
NO_TABLE = "/nonexistent/table.csv"


def _one_line_error(result, *words: str) -> str:
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.output, result.output
    assert lines[0].startswith("error: ") and all(w in lines[0] for w in words), lines[0]
    return lines[0]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--epochs", "0"], "epochs must be at least 1, got 0"),
        (["--threads", "-2"], "threads must be at least 1, got -2"),
        (["--time-budget", "-1"], "time_budget_s must be a positive number"),
        (["--time-budget", "0"], "time_budget_s must be a positive number"),
        (["--confirm-folds", "0"], "confirm_folds must be at least 2"),
        (["--confirm-folds", "1"], "set confirm_top=1"),
        (["--confirm-top", "1", "--confirm-folds", "1"], "confirm_folds must be at least 2"),
        (["--confirm-top", "0"], "confirm_top must be at least 1, got 0"),
        (["--trials", "0"], "trials must be at least 1, got 0"),
        (["--workers", "0"], "workers must be at least 1, got 0"),
        (["--workers", "-1"], "workers must be at least 1, got -1"),
        (["--final-epochs", "0"], "final_epochs must be at least 1, got 0"),
        (["--max-params", "-5"], "max_params must be a positive limit, got -5"),
        (["--learning-rate", "-1"], "learning_rate must be positive, got -1.0"),
        (["--learning-rate", "nan"], "learning_rate must be positive, got nan"),
        (["--max-flops", "0"], "max_flops must be a positive limit, got 0"),
        (["--max-peak-memory", "nan"], "max_peak_memory must be a positive limit, got nan"),
    ],
)
def test_search_options_are_checked_before_any_work(tmp_path, options, message):
    out = tmp_path / "runs"
    result = runner.invoke(app, ["search", "--data", NO_DATA, *options, "--output", str(out)])
    _one_line_error(result, message)
    assert not out.exists()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--strategy", "bananas", "--strategy-option", "initial=1"], "initial must be at least 2"),
        (["--strategy", "evolution", "--strategy-option", "tournament_size=50"], "tournament_size"),
        (["--strategy", "npenas", "--strategy-option", "predictor=gin"], "encodings graph"),
        (["--strategy", "sh", "--strategy-option", "eta=1"], "eta >= 2"),
        (["--strategy", "naswot", "--strategy-option", "samples=0"], "samples >= 1"),
    ],
)
def test_strategy_settings_are_checked_before_the_run_directory(tmp_path, options, message):
    out = tmp_path / "runs"
    args = ["search", "--data", "wine", "--space", "mlp", *options, "--output", str(out)]
    _one_line_error(runner.invoke(app, args), message)
    assert not out.exists()


@pytest.mark.parametrize(
    ("command", "message"),
    [
        (["show", "/nonexistent", "--top", "-1"], "top must be at least 0"),
        (
            [
                "bench",
                "--strategies",
                "bananas",
                "--strategy-option",
                "batch_size=0",
                "--data-path",
                NO_TABLE,
            ],
            "batch_size must be at least 1",
        ),
        (["bench", "--workers", "-1", "--data-path", NO_TABLE], "--workers must be at least 0"),
        (["bench", "--seeds", "0", "--data-path", NO_TABLE], "seeds must be at least 1"),
        (["bench", "--budget", "0", "--data-path", NO_TABLE], "budget must be at least 1"),
        (["predictors", "eval", "--workers", "-1", "--data-path", NO_TABLE], "--workers"),
        (["predictors", "eval", "--seeds", "0", "--data-path", NO_TABLE], "at least one seed"),
        (["proxies", "eval", "--batch-size", "0", "--data-path", NO_TABLE], "--batch-size"),
        (["proxies", "eval", "--threads", "-1", "--data-path", NO_TABLE], "--threads"),
        (["proxies", "eval", "--n", "1", "--data-path", NO_TABLE], "n must be between 2"),
    ],
)
def test_other_commands_check_options_first(command, message):
    _one_line_error(runner.invoke(app, command), message)


OUTPUT_COMMANDS = [
    ["search", "--data", "wine", "--trials", "1", "--epochs", "1"],
    ["bench", "--seeds", "1", "--budget", "5"],
    ["proxies", "eval", "--n", "5"],
    ["predictors", "eval", "--seeds", "1", "--train-sizes", "10", "--test-size", "20"],
]


@pytest.mark.parametrize("command", OUTPUT_COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_an_output_under_a_file_is_one_line(tmp_path, command):
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    result = runner.invoke(app, [*command, "--output", str(blocker / "sub")])
    _one_line_error(result, str(blocker), "is a file, not a folder")
    result = runner.invoke(app, [*command, "--output", str(blocker)])
    _one_line_error(result, "is a file, not a folder")
    assert blocker.read_text() == "not a folder"


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
@pytest.mark.parametrize("command", OUTPUT_COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_a_read_only_output_is_one_line(tmp_path, command):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        result = runner.invoke(app, [*command, "--output", str(locked / "sub")])
        _one_line_error(result, "no permission to write")
    finally:
        locked.chmod(0o755)
    assert list(locked.iterdir()) == []


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux's /proc")
def test_a_file_system_error_during_work_is_one_line(tmp_path):
    """/proc looks writable to root but refuses new folders: the error comes from the
    run directory's creation, after the checks, and is still one line."""
    result = runner.invoke(
        app, ["search", "--data", "wine", "--trials", "1", "--output", "/proc/nasforge-runs"]
    )
    _one_line_error(result, "/proc/nasforge-runs")


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["search", "--trials", "abc"], ["--trials", "search --help"]),
        (["search", "--bogus"], ["No such option: --bogus"]),
        (["frob"], ["No such command 'frob'"]),
    ],
)
def test_usage_errors_of_the_command_are_one_line(args, words):
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "nasforge.cli", *args], capture_output=True, text=True, timeout=120
    )
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2 and len(lines) == 1, done.stderr
    assert lines[0].startswith("error: ") and all(w in lines[0] for w in words), lines[0]
