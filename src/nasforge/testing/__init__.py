"""Conformance suites: check that a space or strategy keeps the protocol's promises.

A plugin author tests a new component in one line, e.g. `check_space(MySpace())`.
"""

from __future__ import annotations

from nasforge.testing.conformance import check_space, check_strategy

__all__ = ["check_space", "check_strategy"]
