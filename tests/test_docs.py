"""The docs stay current: every registered name is in the registry table of
docs/concepts.md, and every command and option of `nasforge` is in docs/cli.md."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest
import typer

from nasforge.cli import app
from nasforge.predictors import PREDICTORS
from nasforge.registry import EVALUATORS, METHODS, PROXIES, SPACES, STRATEGIES

DOCS = Path(__file__).resolve().parents[1] / "docs"
REGISTRIES = {
    "SPACES": SPACES, "STRATEGIES": STRATEGIES, "EVALUATORS": EVALUATORS,
    "PROXIES": PROXIES, "PREDICTORS": PREDICTORS, "METHODS": METHODS,
}  # fmt: skip


def _registry_row(name: str) -> str:
    text = (DOCS / "concepts.md").read_text()
    rows = [line for line in text.splitlines() if line.startswith(f"| `{name}` |")]
    assert rows, f"docs/concepts.md has no registry table row for {name}"
    return rows[0]


@pytest.mark.parametrize("registry", sorted(REGISTRIES))
def test_every_registered_name_is_documented(registry):
    row = _registry_row(registry)
    documented = set(re.findall(r"`([^`]+)`", row))
    missing = [n for n in REGISTRIES[registry].names() if n not in documented]
    assert not missing, f"docs/concepts.md's {registry} row lacks {missing}"


def _commands(group: click.Group, prefix: str = "nasforge"):
    for name, command in group.commands.items():
        path = f"{prefix} {name}"
        if isinstance(command, click.Group):
            yield from _commands(command, path)
        else:
            yield path, command


def test_every_command_and_option_is_in_the_cli_page():
    text = (DOCS / "cli.md").read_text()
    missing = []
    for path, command in _commands(typer.main.get_command(app)):
        if f"`{path}" not in text:
            missing.append(path)
        for parameter in command.params:
            for option in parameter.opts if isinstance(parameter, click.Option) else []:
                if option.startswith("--") and option != "--help" and option not in text:
                    missing.append(f"{path} {option}")
    assert not missing, f"docs/cli.md lacks {missing}"
