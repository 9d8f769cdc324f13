"""Helpers shared by the `nasforge` command and its sub-command modules."""

from __future__ import annotations

import typer
from rich.console import Console

from nasforge.errors import NasforgeError

console = Console()
USER_ERRORS = (NasforgeError, ValueError, FileNotFoundError, NotADirectoryError)


def _fail(error: BaseException) -> None:
    message = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    Console(stderr=True, soft_wrap=True).print(f"[bold red]error:[/] {message}", highlight=False)
    raise typer.Exit(2)


def _names(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]
