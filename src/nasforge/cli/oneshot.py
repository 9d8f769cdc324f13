"""`nasforge oneshot`: search by training one supernet, from the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from nasforge.cli.common import USER_ERRORS, _fail, console


def oneshot_command(
    method: Annotated[
        str, typer.Option(help="darts, gdas, pcdarts, drnas or spos (registered methods).")
    ] = "darts",
    data: Annotated[
        str, typer.Option(help="digits, an .npz, image folder or CIFAR dir (as for search).")
    ] = "digits",
    label: Annotated[str | None, typer.Option(help="The label column of a table.")] = None,
    space: Annotated[
        str | None,
        typer.Option(help="Search space with a supernet: nb201 (default) or darts."),
    ] = None,
    space_option: Annotated[
        list[str] | None,
        typer.Option(
            help="A space setting, repeatable: --space-option search_cells=3 (darts: "
            "search_channels, search_cells size the supernet; channels, cells the retrained "
            "network).",
            metavar="KEY=VALUE",
        ),
    ] = None,
    select: Annotated[
        str, typer.Option(help="argmax, or pt (perturbation-based, DARTS-PT).")
    ] = "argmax",
    strategy: Annotated[
        str | None,
        typer.Option(help="A black-box strategy searching the trained supernet (spos: evolution)."),
    ] = None,
    strategy_option: Annotated[
        list[str] | None,
        typer.Option(help="A strategy setting, repeatable: initial=5.", metavar="KEY=VALUE"),
    ] = None,
    trials: Annotated[int, typer.Option(help="Architectures the strategy judges.")] = 50,
    epochs: Annotated[int, typer.Option(help="Supernet training epochs.")] = 20,
    order: Annotated[int, typer.Option(help="DARTS order: 1 or 2 (unrolled).")] = 1,
    few_shot: Annotated[
        str | None,
        typer.Option(
            help="spos: split the supernet on this edge into one sub-supernet per op.",
            metavar="EDGE",
        ),
    ] = None,
    split_epoch: Annotated[
        int | None, typer.Option(help="Few-shot: epochs before the split (default: half).")
    ] = None,
    batch_size: Annotated[int, typer.Option(help="Batch size.")] = 64,
    learning_rate: Annotated[
        float | None, typer.Option(help="Weight learning rate, SGD (default 0.025; spos 0.05).")
    ] = None,
    arch_learning_rate: Annotated[
        float, typer.Option(help="Architecture learning rate (Adam).")
    ] = 3e-3,
    retrain: Annotated[
        bool, typer.Option(help="Retrain the choice on train+val, test and export it.")
    ] = False,
    final_epochs: Annotated[int, typer.Option(help="Retraining epochs.")] = 8,
    seed: Annotated[int, typer.Option(help="Seed for splits, supernet and choice.")] = 0,
    output: Annotated[Path, typer.Option(help="Directory for run directories.")] = Path("runs"),
    threads: Annotated[int, typer.Option(help="PyTorch threads (0: PyTorch's default).")] = 1,
    export: Annotated[bool, typer.Option(help="Export the retrained model to ONNX.")] = True,
    progress: Annotated[bool, typer.Option(help="Print a line per epoch.")] = True,
    name: Annotated[
        str | None, typer.Option(help="Run and study name (default: TASK-SPACE-METHOD).")
    ] = None,
    device: Annotated[
        str, typer.Option(help="Where to train: cpu, auto (CUDA when present), cuda or cuda:N.")
    ] = "cpu",
) -> None:
    """Search by training one weight-sharing supernet; print and record the architecture."""
    from nasforge.run.oneshot import oneshot
    from nasforge.strategies.options import parse_options

    try:
        result = oneshot(
            data=data, method=method, space=space, select=select, strategy=strategy,
            strategy_options=parse_options(strategy_option or ()), trials=trials,
            space_options=parse_options(space_option or (), "space"),
            epochs=epochs, order=order, few_shot=few_shot, split_epoch=split_epoch,
            batch_size=batch_size, learning_rate=learning_rate,
            arch_learning_rate=arch_learning_rate, retrain=retrain, final_epochs=final_epochs,
            seed=seed, output_dir=output, threads=threads or None, export=export,
            progress=progress, name=name, label_column=label, device=device,
        )  # fmt: skip
    except USER_ERRORS as error:
        _fail(error)
    except KeyboardInterrupt:
        console.print("interrupted: nothing was chosen and no run directory is left")
        raise typer.Exit(130) from None
    space_ = result.space
    console.print(f"chosen ({result.method}, {result.select}): {space_.format(result.arch)}")
    console.print(
        f"inherited-weight validation accuracy {result.val_acc:.2f}%, skip/none edges "
        f"{100 * result.skip_share:.0f}%, search {result.search_seconds:.0f} s"
    )
    if result.benchmark:
        scores = ", ".join(f"{d} {acc:.2f}%" for d, acc in result.benchmark.items())
        console.print(f"NAS-Bench-201 test accuracy (200 epochs, seed mean): {scores}")
    if result.test_acc is not None:
        console.print(
            f"test accuracy after retraining on train+val: [bold]{result.test_acc:.2f}%[/]"
        )
    console.print(f"run directory: {result.run_dir}")
