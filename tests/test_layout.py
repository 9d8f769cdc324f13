"""The package layout of DESIGN.md: imports run one way, from cli/ down to
architecture.py, and every module imports on its own (no import cycles)."""

from __future__ import annotations

import ast
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "nasforge"

# Lower layers never import higher ones; packages of one layer may import each other in one
# direction only (checked below).
LAYERS = {
    0: {"architecture", "errors", "data", "registry", "_progress", "history", "export", "devices"},
    1: {"tasks"},
    2: {"spaces", "constraints"},
    3: {"predictors"},
    4: {"evaluators", "strategies", "study", "oneshot"},
    5: {"run", "bench", "testing", "report"},
    6: {"cli", "_preload", "__init__"},
}
RANK = {name: rank for rank, names in LAYERS.items() for name in names}


def _modules() -> list[str]:
    names = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        if parts[-1] == "__main__":
            continue
        names.append(".".join(parts).removesuffix(".__init__"))
    return names


def _part(module: str) -> str:
    """The top-level part of nasforge a module belongs to (`__init__` for the root)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _imports() -> dict[str, set[str]]:
    """Every nasforge module each module imports, at module level or inside functions."""
    found: dict[str, set[str]] = defaultdict(set)
    for module in _modules():
        path = PACKAGE.parent / Path(*module.split("."))
        path = path / "__init__.py" if path.is_dir() else path.with_suffix(".py")
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("nasforge"):
                found[module].add(node.module)
            elif isinstance(node, ast.Import):
                found[module] |= {a.name for a in node.names if a.name.startswith("nasforge")}
    return found


def test_every_part_of_the_package_has_a_layer():
    parts = {_part(m) for m in _modules()}
    assert parts <= set(RANK), f"add {sorted(parts - set(RANK))} to LAYERS"


def test_imports_run_one_way():
    edges = {(_part(a), _part(b)) for a, deps in _imports().items() for b in deps}
    edges = {(a, b) for a, b in edges if a != b}
    upward = sorted(f"{a} -> {b}" for a, b in edges if RANK[a] < RANK[b])
    assert not upward, f"imports against the layering: {upward}"
    both_ways = sorted(f"{a} <-> {b}" for a, b in edges if (b, a) in edges and a < b)
    assert not both_ways, f"packages importing each other: {both_ways}"


def test_spaces_never_import_predictors():
    offenders = [m for m, deps in _imports().items() if _part(m) == "spaces"
                 and any(_part(d) == "predictors" for d in deps)]  # fmt: skip
    assert not offenders


def test_every_module_imports_alone():
    """Each module imported first, in a fresh nasforge state: an import cycle that only
    works in one import order fails here."""
    script = (
        "import importlib, sys\n"
        "import torch, numpy, optuna, pandas, sklearn  # heavy, loaded once\n"
        "failed = []\n"
        f"for name in {_modules()!r}:\n"
        "    for loaded in [m for m in sys.modules if m.split('.')[0] == 'nasforge']:\n"
        "        del sys.modules[loaded]\n"
        "    try:\n"
        "        importlib.import_module(name)\n"
        "    except Exception as error:\n"
        "        failed.append(f'{name}: {type(error).__name__}: {error}')\n"
        "print('\\n'.join(failed))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "", done.stdout


@pytest.mark.parametrize("name", ["search", "run_study", "benchmark", "load_study"])
def test_public_api_names_resolve(name):
    import nasforge

    assert callable(getattr(nasforge, name))
