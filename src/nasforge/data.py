"""Where reference data lives: `NASFORGE_DATA_DIR`, else `../shared/data` beside the repo."""

from __future__ import annotations

import os
from pathlib import Path

from nasforge.errors import DataNotFoundError

_REPO_ROOT = Path(__file__).resolve().parents[2]


def data_dir() -> Path:
    """The reference-data directory (not checked for existence)."""
    env = os.environ.get("NASFORGE_DATA_DIR")
    if env:
        return Path(env).expanduser()
    # An editable install sits in the repo; a regular install is found from the working dir.
    candidates = [_REPO_ROOT.parent / "shared" / "data", Path.cwd().parent / "shared" / "data"]
    return next((path for path in candidates if path.is_dir()), candidates[0])


def data_file(relative: str, what: str, source: str) -> Path:
    """Path of `relative` under `data_dir()`; a `DataNotFoundError` saying what to get if absent."""
    path = data_dir() / relative
    if not path.is_file():
        raise DataNotFoundError(
            f"{what} not found at {path}. Get {source} and save it as {relative} under "
            f"$NASFORGE_DATA_DIR (now {data_dir()})."
        )
    return path
