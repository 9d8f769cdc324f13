"""Imported once by the worker fork server so that forked workers start warm: nasforge
with PyTorch, and Optuna's database storage with the SQLAlchemy and Alembic modules it
otherwise imports lazily when a storage is first opened (about half a second each)."""

from __future__ import annotations

import optuna

import nasforge.execution  # noqa: F401 - imported for its side effect: the import itself

optuna.logging.set_verbosity(optuna.logging.WARNING)
optuna.storages.RDBStorage("sqlite:///:memory:")
