"""The `nasforge` command: parse options, call the API, print. One module per
sub-command; errors become one line and exit code 2."""

from __future__ import annotations

import sys

import typer

from nasforge.cli.bench import bench_command
from nasforge.cli.dashboard import dashboard_command
from nasforge.cli.draw import draw_command
from nasforge.cli.oneshot import oneshot_command
from nasforge.cli.predict import predict
from nasforge.cli.predictors import predictors_app
from nasforge.cli.proxies import proxies_app
from nasforge.cli.report import report_command
from nasforge.cli.search import search_command
from nasforge.cli.show import parse, show

app = typer.Typer(
    help="nasforge: neural architecture search.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command("bench")(bench_command)
app.command("search")(search_command)
app.command("oneshot")(oneshot_command)
app.command()(show)
app.command()(parse)
app.command("draw")(draw_command)
app.command("dashboard")(dashboard_command)
app.command()(predict)
app.command("report")(report_command)
app.add_typer(proxies_app, name="proxies")
app.add_typer(predictors_app, name="predictors")


def main() -> None:
    """Run the command. A usage error (an unknown option or command, a value of the wrong
    type) is one line and exit 2, as every other bad input is; no arguments show help."""
    try:
        code = app(standalone_mode=False)
    except Exception as error:
        # Click's exceptions (typer vendors its own copy of click): they know their message
        if not (hasattr(error, "format_message") and hasattr(error, "exit_code")):
            raise
        if type(error).__name__ == "NoArgsIsHelpError":
            error.show()
            sys.exit(0)
        context = getattr(error, "ctx", None)
        where = f"; see '{context.command_path} --help'" if context is not None else ""
        print(f"error: {error.format_message().rstrip('.')}{where}", file=sys.stderr)
        sys.exit(error.exit_code)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
