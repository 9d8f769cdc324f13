"""`nasforge predict`: apply a finished search's model to new data of its kind."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from nasforge.cli.common import USER_ERRORS, _fail, console


def predict(
    run: Annotated[Path, typer.Argument(help="Run directory of a finished search.")],
    data: Annotated[
        Path,
        typer.Argument(
            help="New data of the run's kind: a table (.csv, .tsv, .parquet); images (a "
            "folder, an image file, a .npz); series (.npz, wide or long .csv, .ts); token "
            "ids (.npz)."
        ),
    ],
    output: Annotated[
        Path,
        typer.Option("--output", "-o", help="Where to write predictions (.csv, .tsv, .parquet)."),
    ] = Path("predictions.csv"),
) -> None:
    """Predict new data with a run's model and saved preprocessing (probabilities too for
    classes); what was ignored, imputed or resized is reported, and labels the data
    carries are scored."""
    from nasforge.run.predict import predict_file, scores_line

    try:
        path, predictions = predict_file(run, data, output)
    except USER_ERRORS as error:
        _fail(error)
    for note in predictions.attrs.get("notes", []):
        console.print(f"note: {note}", highlight=False)
    scored = scores_line(predictions)
    if scored:
        console.print(f"scored against the labels in {data}: {scored}", highlight=False)
    console.print(f"{len(predictions)} predictions written to {path}")
