"""Studies are safe to read at any moment: readers never write, searches being created
survive readers, failed starts leave nothing behind, and trials whose process died are
shown as such."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import sqlalchemy
from typer.testing import CliRunner

from nasforge.cli import app
from nasforge.study import ORPHANED, Study, StudyError, load_study
from nasforge.testing.crash import kill_when

runner = CliRunner()
TINY = [
    "--data", "wine", "--space", "mlp", "--trials", "3", "--epochs", "1", "--no-export",
    "--confirm-top", "1", "--threads", "1", "--no-progress",
]  # fmt: skip


def _nasforge(*args: str) -> list[str]:
    return [sys.executable, "-m", "nasforge.cli", *args]


def _one_line_error(result, *words: str) -> None:
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.output, result.output
    assert all(word in lines[0] for word in words), lines[0]


CREATOR = """
import sys, time
from nasforge.architecture import Architecture
from nasforge.study import Study

study = Study.create(sys.argv[1], "s", attrs={"seed": 0})
for i in range(3):
    number = study.start(Architecture("toy", {"x": i}), str(i))
    time.sleep(0.05)
    study.finish(number, {"val_acc": float(i)})
"""


def _read_while_running(processes, folder: Path, pattern: str) -> tuple[int, int]:
    """Read every study matching `pattern` under `folder` as fast as possible while any
    process runs, with load_study and `nasforge show`; returns the successful reads."""
    reads = shows = 0
    while any(p.poll() is None for p in processes):
        for db in folder.glob(pattern):
            try:
                load_study(db.parent).trials(include_running=True)
                reads += 1
            except StudyError as error:  # a database still being created: one line
                assert "\n" not in str(error)
            shown = runner.invoke(app, ["show", str(db.parent)])
            assert shown.exit_code in (0, 2) and "Traceback" not in shown.output, shown.output
            shows += shown.exit_code == 0
    return reads, shows


def test_studies_being_created_survive_readers(tmp_path):
    creators = [
        subprocess.Popen(
            [sys.executable, "-c", CREATOR, str(tmp_path / f"run{i}")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(3)
    ]
    reads, shows = _read_while_running(creators, tmp_path, "run*/study.db")
    errors = [p.stderr.read() for p in creators]
    assert [p.returncode for p in creators] == [0] * 3, errors
    for i in range(3):
        assert [t.state for t in load_study(tmp_path / f"run{i}").trials()] == ["complete"] * 3
    assert reads + shows > 0


@pytest.mark.slow
def test_searches_survive_readers_from_the_first_moment(tmp_path):
    """Three searches start at once into one output folder under one name, while this
    process reads every study.db the moment it appears, with load_study and `show`."""
    out = tmp_path / "runs"
    command = _nasforge("search", *TINY, "--output", str(out), "--name", "same")
    searches = [
        subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        for _ in range(3)
    ]
    reads, shows = _read_while_running(searches, out, "*/study.db")
    errors = [p.stderr.read() for p in searches]
    assert [p.returncode for p in searches] == [0, 0, 0], errors
    runs = sorted(d.name for d in out.iterdir())
    assert runs == ["same", "same-2", "same-3"]  # each start got its own directory
    for run in runs:
        assert [t.state for t in load_study(out / run).trials()] == ["complete"] * 3
    assert reads > 0 and shows > 0


def test_show_never_writes_into_a_file_that_is_not_a_study(tmp_path):
    empty = tmp_path / "empty.db"
    empty.touch()
    _one_line_error(runner.invoke(app, ["show", str(empty)]), "empty")
    assert empty.stat().st_size == 0
    text = tmp_path / "notes.db"
    text.write_text("not a database, just some text that is long enough " * 20)
    before = text.read_bytes()
    _one_line_error(runner.invoke(app, ["show", str(text)]), "not a study database")
    assert text.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty.db", "notes.db"]


def test_a_storage_in_a_missing_folder_creates_nothing(tmp_path):
    url = f"sqlite:///{tmp_path / 'missing' / 'dir' / 'x.db'}"
    out = tmp_path / "out"
    result = runner.invoke(app, ["search", *TINY, "--storage", url, "--output", str(out)])
    _one_line_error(result, "does not exist")
    assert list(tmp_path.iterdir()) == []


def test_failed_starts_leave_no_run_directory(tmp_path):
    shared = tmp_path / "shared.db"
    Study.create(shared, "taken")
    out = tmp_path / "out"
    taken = runner.invoke(
        app, ["search", *TINY, "--storage", f"sqlite:///{shared}", "--name", "taken",
              "--output", str(out)],
    )  # fmt: skip
    _one_line_error(taken, "already exists")
    assert not out.exists()
    out.mkdir()
    missing = runner.invoke(
        app, ["search", *TINY[2:], "--data", str(tmp_path / "nope.csv"), "--output", str(out)]
    )
    _one_line_error(missing, "nope.csv")
    assert list(out.iterdir()) == []


def test_a_killed_search_shows_its_running_trial_as_orphaned(tmp_path):
    run = tmp_path / "killed"
    command = _nasforge(
        "search", "--data", "digits", "--space", "mlp", "--trials", "50", "--epochs", "30",
        "--output", str(tmp_path), "--name", "killed", "--no-progress", "--no-export",
        "--threads", "1",
    )  # fmt: skip
    kill_when(command, run, lambda trials: any(t.state == "running" for t in trials), 120)
    trials = load_study(run).trials(include_running=True)
    assert [t.state for t in trials].count(ORPHANED) == 1
    shown = runner.invoke(app, ["show", str(run)])
    assert shown.exit_code == 0 and "1 orphaned" in shown.output, shown.output


def test_ctrl_c_leaves_no_trial_running(tmp_path):
    run = tmp_path / "digits-mlp"

    def started() -> bool:
        try:
            return any(t.state == "running" for t in load_study(run).trials(include_running=True))
        except StudyError:
            return False

    process = subprocess.Popen(
        _nasforge("search", "--data", "digits", "--space", "mlp", "--trials", "50", "--epochs",
                  "30", "--output", str(tmp_path), "--no-progress", "--no-export",
                  "--threads", "1"),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while not (run / "study.db").exists() or not started():
        assert process.poll() is None and time.monotonic() < deadline
        time.sleep(0.02)
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=60) == 130
    states = [t.state for t in load_study(run).trials(include_running=True)]
    assert "running" not in states and ORPHANED not in states
    assert states.count("interrupted") == 1


def test_running_trials_of_a_live_process_stay_running(tmp_path, space):
    import numpy as np

    study = Study.create(tmp_path, "s")
    arch = space.sample(np.random.default_rng(0))
    study.start(arch, space.format(arch))
    assert [t.state for t in load_study(tmp_path).trials(include_running=True)] == ["running"]


@pytest.fixture
def empty_postgres_schema():
    """A URL whose tables live in a new, empty PostgreSQL schema (dropped afterwards)."""
    url = os.environ.get("NASFORGE_TEST_POSTGRES_URL")
    if not url:
        if os.environ.get("NASFORGE_REQUIRE_POSTGRES"):
            pytest.fail("NASFORGE_REQUIRE_POSTGRES is set but NASFORGE_TEST_POSTGRES_URL is not")
        pytest.skip("no PostgreSQL server: set NASFORGE_TEST_POSTGRES_URL (.ci/run starts one)")
    schema = f"reader_{uuid.uuid4().hex[:8]}"
    engine = sqlalchemy.create_engine(url)
    with engine.begin() as connection:
        connection.execute(sqlalchemy.text(f"CREATE SCHEMA {schema}"))
    try:
        yield f"{url}?options=-csearch_path%3D{schema}", engine, schema
    finally:
        with engine.begin() as connection:
            connection.execute(sqlalchemy.text(f"DROP SCHEMA {schema} CASCADE"))
        engine.dispose()


def test_a_postgresql_reader_never_writes_the_schema(empty_postgres_schema):
    from optuna.storages._rdb import models  # Optuna's tables, made as its creator makes them

    url, engine, schema = empty_postgres_schema
    with pytest.raises(StudyError, match="holds no study"):
        load_study(url)
    assert sqlalchemy.inspect(engine).get_table_names(schema=schema) == []
    # half created: Optuna's tables are there, its version rows not yet
    half = sqlalchemy.create_engine(url)
    models.BaseModel.metadata.create_all(half)
    half.dispose()
    with pytest.raises(StudyError, match="still being created"):
        load_study(url)
    with engine.connect() as connection:
        rows = connection.execute(sqlalchemy.text(f"SELECT COUNT(*) FROM {schema}.version_info"))
        assert rows.scalar_one() == 0
    Study.create(url, "s")  # the creator finishes and a reader then gets in
    assert load_study(url).name == "s"
