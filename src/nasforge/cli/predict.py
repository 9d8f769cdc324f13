"""`nasforge predict`: apply a finished table search to new rows."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from nasforge.cli.common import USER_ERRORS, _fail, console


def predict(
    run: Annotated[Path, typer.Argument(help="Run directory of a finished table search.")],
    data: Annotated[Path, typer.Argument(help="Table of new rows: .csv, .tsv or .parquet.")],
    output: Annotated[
        Path,
        typer.Option("--output", "-o", help="Where to write predictions (.csv, .tsv, .parquet)."),
    ] = Path("predictions.csv"),
) -> None:
    """Predict new rows with a run's model and saved preprocessing (probabilities too for
    classes); columns it does not use are ignored, missing ones imputed and reported."""
    from nasforge.run.predict import predict_file

    try:
        path, predictions = predict_file(run, data, output)
    except USER_ERRORS as error:
        _fail(error)
    for note in predictions.attrs.get("notes", []):
        console.print(f"note: {note}", highlight=False)
    console.print(f"{len(predictions)} predictions written to {path}")
