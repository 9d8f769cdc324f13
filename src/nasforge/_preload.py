"""Imported once by the worker fork server so that forked workers start warm: nasforge
with PyTorch, and Optuna's database storage with the SQLAlchemy and Alembic modules it
otherwise imports lazily when a storage is first opened (about half a second each)."""

from __future__ import annotations

import optuna

# imported for their side effect, the import itself (PyTorch, spaces, strategies, training)
import nasforge.evaluators.training
import nasforge.run.loop
import nasforge.spaces
import nasforge.strategies  # noqa: F401

optuna.logging.set_verbosity(optuna.logging.WARNING)
optuna.storages.RDBStorage("sqlite:///:memory:")
