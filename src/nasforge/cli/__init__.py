"""The `nasforge` command: parse options, call the API, print. One module per
sub-command; errors become one line and exit code 2."""

from __future__ import annotations

import typer

from nasforge.cli.bench import bench_command
from nasforge.cli.dashboard import dashboard_command
from nasforge.cli.draw import draw_command
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
app.command()(show)
app.command()(parse)
app.command("draw")(draw_command)
app.command("dashboard")(dashboard_command)
app.command()(predict)
app.command("report")(report_command)
app.add_typer(proxies_app, name="proxies")
app.add_typer(predictors_app, name="predictors")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
