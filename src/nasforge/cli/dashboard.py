"""`nasforge dashboard`: a local web page that follows a run's study while it runs."""

from __future__ import annotations

import socket
from typing import Annotated

import typer

from nasforge.cli.common import USER_ERRORS, _fail, console


def dashboard_command(
    run: Annotated[str, typer.Argument(help="Run directory, study.db file, or storage URL.")],
    port: Annotated[int, typer.Option(help="Port to listen on (1-65535).")] = 8080,
    host: Annotated[
        str, typer.Option(help="Address to listen on; other than 127.0.0.1 opens it to others.")
    ] = "127.0.0.1",
) -> None:
    """Serve a live dashboard of a run's trials (every asset local, read-only)."""
    from nasforge.report.dashboard import create_app

    if not 1 <= port <= 65535:
        _fail(ValueError(f"--port must be between 1 and 65535, got {port}"))
    try:
        app = create_app(run)
        _check_free(host, port)
    except USER_ERRORS as error:
        _fail(error)
    if not _loopback(host):
        console.print(
            f"[bold yellow]warning:[/] listening on {host}: anyone who can reach this machine "
            "can read the study (its settings and trials); the dashboard has no password"
        )
    shown = f"[{host}]" if ":" in host else host
    console.print(f"dashboard of {run} at http://{shown}:{port}/ (Ctrl-C to stop)")
    import uvicorn

    uvicorn.run(app, host=host, port=port, log_level="warning")


def _loopback(host: str) -> bool:
    """Whether `host` is only reachable from this machine (127.0.0.0/8, ::1, localhost)."""
    import ipaddress

    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _check_free(host: str, port: int) -> None:
    """An `OSError` naming the address unless this process may listen on it."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            raise OSError(f"cannot listen on {host}:{port}: {error.strerror or error}") from None
