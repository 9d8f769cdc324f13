"""The package loads its parts on first use: the CLI starts without PyTorch, and the
registries find the built-in components without an explicit import."""

from __future__ import annotations

import subprocess
import sys

import pytest

import nasforge


def _run(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_cli_module_does_not_import_torch_or_optuna():
    out = _run("import sys, nasforge.cli; print('torch' in sys.modules, 'optuna' in sys.modules)")
    assert out.split() == ["False", "False"]


def test_registries_load_their_built_in_components_on_first_use():
    out = _run(
        "from nasforge.registry import PROXIES, SPACES, STRATEGIES\n"
        "print(type(STRATEGIES.create('evolution')).__name__, SPACES.create('mlp').name,"
        " 'synflow' in PROXIES)"
    )
    assert out.split() == ["RegularizedEvolution", "mlp", "True"]


def test_public_names_resolve_lazily_and_unknown_names_fail():
    assert nasforge.RandomSearch.__name__ == "RandomSearch"
    assert set(nasforge.__all__) <= set(dir(nasforge))
    for name in nasforge.__all__:
        assert getattr(nasforge, name) is not None
    with pytest.raises(AttributeError, match="no attribute 'Nothing'"):
        _ = nasforge.Nothing
