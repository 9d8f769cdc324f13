"""`nasforge proxies`: evaluate zero-cost proxies against a tabular benchmark."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from nasforge._progress import progress_bar
from nasforge.cli.common import (
    USER_ERRORS,
    BenchDatasetOption,
    BenchSpaceOption,
    DataPathOption,
    ProgressOption,
    _at_least,
    _check_output,
    _fail,
    _names,
    console,
    print_table,
)

proxies_app = typer.Typer(
    help="Zero-cost proxies: training-free scores of untrained networks.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@proxies_app.command("eval")
def evaluate(
    space: BenchSpaceOption = "nb201",
    dataset: BenchDatasetOption = "cifar10",
    proxies: Annotated[
        str, typer.Option(help="Comma-separated proxy names (nasforge.PROXIES).")
    ] = "synflow,params,flops,l2_norm,zen",
    n: Annotated[int, typer.Option(help="Architectures sampled from the space.")] = 1000,
    seed: Annotated[int, typer.Option(help="Seed of the sample, initialisation and batch.")] = 0,
    data: Annotated[
        str, typer.Option(help="Batch for data-dependent proxies: gaussian or digits.")
    ] = "gaussian",
    batch_size: Annotated[int, typer.Option(help="Examples in that batch.")] = 64,
    labelled: Annotated[
        int, typer.Option(help="Archs whose accuracy fits the weighted ensemble.")
    ] = 50,
    data_path: DataPathOption = None,
    output: Annotated[Path, typer.Option(help="Directory for scores.csv and results.json.")] = Path(
        "proxy-results"
    ),
    threads: Annotated[int, typer.Option(help="PyTorch CPU threads (0: PyTorch's default).")] = 1,
    progress: ProgressOption = True,
    device: Annotated[
        str, typer.Option(help="Where to score: cpu, auto (CUDA when present), cuda or cuda:N.")
    ] = "cpu",
) -> None:
    """Correlate proxies with the benchmark's test accuracy on sampled architectures."""
    import torch

    from nasforge.bench.proxies import evaluate_proxies
    from nasforge.devices import resolve_device

    _at_least(1, batch_size=batch_size)
    _at_least(0, threads=threads)
    _check_output(output)
    try:
        resolve_device(device)
    except ValueError as error:
        _fail(error)
    if threads > 0:
        torch.set_num_threads(threads)
    try:
        with progress_bar(progress, n, "scoring") as update:
            result = evaluate_proxies(
                _names(proxies), space, dataset, n, seed, data, batch_size, labelled,
                data_path, progress=lambda done, total: update(done), device=device,
            )  # fmt: skip
        paths = result.save(output / f"{space}-{dataset}")
    except USER_ERRORS as error:
        _fail(error)
    print_table(result.table())
    console.print(f"results written to {paths['json'].parent}/ (scores.csv, results.json)")
