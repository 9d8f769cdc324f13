"""Opening Optuna's storage for a study: URLs, SQLite settings, and the two ways in.

A study is *created* by the one driver that starts a search; everyone else *reads* it
(`nasforge show`, `load_study`, workers). A reader never writes: it never creates tables
or folders, and a database that is still being created (or a file that is not a study
database at all) is a one-line error, not a schema written into it.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any

from nasforge.errors import NasforgeError

STUDY_FILE = "study.db"
MEMORY = "memory"
_VERSION_TABLES = ("version_info", "alembic_version")  # filled last when Optuna creates
_SCHEMA_TABLES = ("studies", "trials", *_VERSION_TABLES)


class StudyError(NasforgeError):
    """The study cannot be opened, created or continued as asked."""


def storage_url(location: str | Path) -> str:
    """An SQLAlchemy URL for `location`: URLs pass through, a directory means its
    `study.db`, any other path is a SQLite file; "memory" keeps the study in this process."""
    text = str(location)
    if "://" in text or text == MEMORY:
        return text
    path = Path(text)
    if path.is_dir() or not path.suffix:
        path = path / STUDY_FILE
    return f"sqlite:///{path.resolve()}"


def sqlite_path(url: str) -> Path | None:
    """The file of a `sqlite:///` URL, None for other storages."""
    return Path(url.removeprefix("sqlite:///")) if url.startswith("sqlite:///") else None


def open_for_writing(url: str):
    """The storage a driver creates a study in. Its folder must exist already (we make
    run directories, never folders a storage URL names); concurrent creators of one
    schema retry instead of failing on `table ... already exists`."""
    path = sqlite_path(url)
    if path is not None and not path.parent.is_dir():
        raise StudyError(
            f"cannot create the study database {path}: folder {path.parent} does not exist"
        )
    for attempt in range(5):
        try:
            return _open(url, create=True)
        except StudyError as error:
            if "already exists" not in str(error) or attempt == 4:
                raise
            time.sleep(0.05 * (attempt + 1))  # another process is creating the schema
    raise AssertionError("unreachable")


def open_for_reading(url: str):
    """The storage of an existing study, opened without writing anything to it."""
    path = sqlite_path(url)
    if path is not None:
        _check_sqlite_study(path)
    elif url != MEMORY:
        _check_server_study(url)
    return _open(url, create=False)


def open_in_worker(url: str):
    """The storage as a worker opens it: the driver has created and checked the schema."""
    return _open(url, create=False)


def _check_sqlite_study(path: Path) -> None:
    """One-line errors for a missing file, an empty one, one being created, or another
    kind of file; opened read-only so nothing is written."""
    if not path.exists():
        raise StudyError(f"no study database at {path}")
    if path.is_dir():
        raise StudyError(f"{path} is a folder, not a study database")
    if path.stat().st_size == 0:
        raise StudyError(f"{path} is empty: not a study database (or one still being created)")
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
        try:
            tables = connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
            stamped = _stamped({row[0] for row in tables}, connection.execute)
        finally:
            connection.close()
    except sqlite3.DatabaseError as error:
        raise StudyError(f"{path} is not a study database: {error}") from None
    if not stamped:
        raise StudyError(
            f"{path} is not a study database (or one still being created); try again shortly"
        )


def _check_server_study(url: str) -> None:
    """The same check on a database server (PostgreSQL, MySQL), with SELECTs only: Optuna's
    storage writes its version rows wherever they are missing, even when only reading."""
    import sqlalchemy

    try:
        engine = sqlalchemy.create_engine(url, **_engine_kwargs(url))
    except ImportError as error:
        raise StudyError(_missing_driver(url.split("://")[0], error)) from error
    try:
        with engine.connect() as connection:
            tables = set(sqlalchemy.inspect(connection).get_table_names())
            stamped = _stamped(tables, lambda sql: connection.execute(sqlalchemy.text(sql)))
    except sqlalchemy.exc.SQLAlchemyError as error:
        raise StudyError(f"cannot open the study storage {redact(url)}: {error}") from error
    finally:
        engine.dispose()
    if not stamped:
        where = redact(url)
        raise StudyError(f"{where} holds no study (or one still being created); try again shortly")


def _stamped(tables: set[str], execute) -> bool:
    """Whether Optuna's schema is complete: its tables, and the version rows it writes
    last (`execute(sql)` returns a cursor or result)."""
    return set(_SCHEMA_TABLES) <= tables and all(
        execute(f"SELECT COUNT(*) FROM {name}").fetchone()[0] > 0 for name in _VERSION_TABLES
    )


def _open(url: str, create: bool):
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    if url == MEMORY:
        return optuna.storages.InMemoryStorage()
    try:
        storage = optuna.storages.RDBStorage(
            url, engine_kwargs=_engine_kwargs(url), skip_compatibility_check=not create,
            skip_table_creation=not create,
        )  # fmt: skip
        if url.startswith("sqlite"):
            _write_ahead_log(storage.engine, create)
        return storage
    except ImportError as error:
        raise StudyError(_missing_driver(url.split("://")[0], error)) from error
    except Exception as error:  # sqlalchemy's OperationalError and friends
        raise StudyError(f"cannot open the study storage {redact(url)}: {error}") from error


def _missing_driver(scheme: str, error: ImportError) -> str:
    if not scheme.startswith("postgresql"):
        return f"cannot open {scheme} storage: its database driver is missing ({error})"
    if scheme == "postgresql+psycopg2":
        return "postgresql+psycopg2:// needs psycopg2: pip install psycopg2-binary"
    return (
        f"{scheme}:// needs psycopg 3: pip install 'nasforge[postgres]' "
        "(or write postgresql+psycopg2:// to use an installed psycopg2)"
    )


def _engine_kwargs(url: str) -> dict[str, Any]:
    if url.startswith("sqlite"):
        # Parallel worker processes write to one file: wait for the lock, do not fail.
        return {"connect_args": {"timeout": 60}}
    return {"pool_pre_ping": True}


def _write_ahead_log(engine, create: bool) -> None:
    """SQLite in write-ahead-log mode with normal sync: a commit no longer waits for the
    disk, yet a killed process loses nothing committed (only a power cut could). The
    creator switches the file to WAL (a property of the file); others only set the sync."""
    from sqlalchemy import event

    def pragmas(connection, _record) -> None:
        cursor = connection.cursor()
        if create:
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    event.listen(engine, "connect", pragmas)
    engine.dispose()  # connections opened while Optuna set up the tables lack the pragmas


def redact(url: str) -> str:
    """`url` without its password."""
    if "@" not in url or "://" not in url:
        return url
    scheme, rest = url.split("://", 1)
    credentials, host = rest.rsplit("@", 1)
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}"
