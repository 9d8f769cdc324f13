"""Tabular benchmark lookup on NAS-Bench-201 / NATS-Bench TSS (Dong et al., TPAMI 2021).

The default protocol searches on the noisy single-seed 200-epoch accuracy and reports the
seed-averaged 200-epoch accuracy as `test_acc`, so a strategy never sees the number it
is judged by. The 12-epoch single-seed column is the low fidelity. The published tables
hold test-set accuracies only: `val_acc` is the single-seed (or 12-epoch) test figure,
or the seed average itself with `noise="mean"`.

The table ships with the package (`data/nb201_tss.npz`, built by
`scripts/build_nb201_table.py` from the CSV export of the NATS-Bench release, MIT
licence; see docs/benchmark-data.md); a `data_path` or the CSV under
`$NASFORGE_DATA_DIR` (or `../shared/data`) takes precedence.
"""

from __future__ import annotations

import time
from collections import Counter
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from nasforge.architecture import Architecture
from nasforge.constraints import count_flops, count_params
from nasforge.data import data_file
from nasforge.errors import DataFormatError, DataNotFoundError
from nasforge.evaluators.base import EvaluationContext, Evaluator, Result
from nasforge.spaces.nb201 import OPERATIONS, NB201Space
from nasforge.tasks import BENCHMARK_TASKS, benchmark_task

if TYPE_CHECKING:
    import pandas as pd

DATASETS = tuple(BENCHMARK_TASKS)
FIDELITIES = (12, 200)
NOISE_MODES = ("one_seed", "mean")
TABLE_FILE = "nb201/nats_tss_test_acc.csv"
TABLE_COLUMNS = tuple(
    f"{d}_{suffix}" for suffix in ("200ep", "200ep_one_seed", "12ep_one_seed") for d in DATASETS
)
PACKAGED_TABLE = Path(__file__).with_name("data") / "nb201_tss.npz"
SCALE = 10_000  # the packaged table stores accuracy (%) x SCALE as int32; -1 is missing
TABLE_SOURCE = (
    "the NATS-Bench TSS accuracy table (15,625 rows; see docs/benchmark-data.md, or point "
    "--data-path at the official NATS-Bench release)"
)


def _column(dataset: str, fidelity: int, noise: str) -> str:
    return f"{dataset}_{fidelity}ep" + ("_one_seed" if noise == "one_seed" else "")


@lru_cache(maxsize=4)
def _load_table(path: str, mtime: float) -> pd.DataFrame:
    """The accuracy table indexed by NB201Space.index, read once per file version."""
    import pandas as pd  # only for CSVs and releases: pandas 3 loads pyarrow on import

    source = Path(path)
    if source.suffix == ".csv":
        try:
            frame = pd.read_csv(source)
        except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as err:
            raise DataFormatError(f"{source} is not a readable CSV file: {err}") from None
    else:
        from nasforge.evaluators.nats_release import read_nats_release

        frame = read_nats_release(source)
    expected = ["arch", *TABLE_COLUMNS]
    missing = [c for c in expected if c not in frame.columns]
    if missing:
        raise DataFormatError(f"{source} lacks the column(s) {', '.join(missing)}")
    space = NB201Space()
    try:
        index = [space.index(space.parse(text)) for text in frame["arch"].astype(str)]
    except ValueError as err:
        raise DataFormatError(f"{source} holds a bad architecture string: {err}") from None
    frame = frame.set_index(pd.Index(index, name="index")).sort_index()
    if len(frame) != len(space) or frame.index.has_duplicates:
        raise DataFormatError(
            f"{source} has {len(frame)} rows ({frame.index.nunique()} distinct architectures); "
            f"expected all {len(space)} NAS-Bench-201 architectures once each"
        )
    values = frame[expected[1:]].apply(pd.to_numeric, errors="coerce")
    full = [c for c in values.columns if "_200ep" in c]
    if values[full].isna().any().any():  # 12-epoch gaps are allowed: NB201 v1.0 lacks some
        raise DataFormatError(f"{source} has missing or non-numeric 200-epoch accuracies")
    return pd.concat([frame[["arch"]], values], axis=1)


@lru_cache(maxsize=2)
def packaged_table(path: Path = PACKAGED_TABLE) -> dict[str, np.ndarray]:
    """The table shipped with the package: accuracy column name -> values in
    NB201Space.index order (NaN where missing). Numpy only, a few MB."""
    try:
        with np.load(path) as packed:
            values, columns = packed["values"], [str(c) for c in packed["columns"]]
    except (OSError, KeyError, ValueError) as err:
        raise DataFormatError(f"{path} is not a packaged NAS-Bench-201 table: {err}") from None
    if values.shape != (len(NB201Space()), len(columns)) or set(columns) != set(TABLE_COLUMNS):
        raise DataFormatError(f"{path} is not a packaged NAS-Bench-201 table; rebuild it")
    accuracy = np.where(values < 0, np.nan, values / SCALE)
    return {name: accuracy[:, i] for i, name in enumerate(columns)}


def table_location(data_path: str | Path | None = None) -> Path:
    """Where the table is read from: `data_path`; else the CSV under the data directory
    when it is there; else the packaged table. DataNotFoundError when none exists."""
    if data_path:
        path = Path(data_path).expanduser()
        if not path.exists():
            raise DataNotFoundError(
                f"benchmark data not found at {path}; give the NATS-Bench table CSV or an "
                "official NATS-Bench / NAS-Bench-201 release (see docs/benchmark-data.md)"
            )
        return path
    try:
        return data_file(TABLE_FILE, "NAS-Bench-201 table", TABLE_SOURCE)
    except DataNotFoundError:
        if PACKAGED_TABLE.is_file():
            return PACKAGED_TABLE
        raise


def read_table(path: Path) -> dict[str, np.ndarray]:
    """The accuracy columns of the table at `path` (from `table_location`) in
    NB201Space.index order, read and checked once per file version."""
    if path.suffix == ".npz":
        return packaged_table(path)
    frame = _load_table(str(path.resolve()), path.stat().st_mtime)
    return {name: frame[name].to_numpy() for name in TABLE_COLUMNS}


@lru_cache(maxsize=1024)
def _cell_cost(dataset: str, op_counts: tuple[int, ...]) -> tuple[int, int]:
    """(params, flops) of the NAS-Bench-201 network for a cell with these op counts.

    Every edge maps C channels to C at the same resolution, so the cost depends on how
    many edges carry each operation, not on which: one built network per count vector.
    """
    space = NB201Space()
    ops = [op for op, n in zip(OPERATIONS, op_counts) for _ in range(n)]
    arch = Architecture.from_parts(space.name, space.labels, tuple(ops))
    task = benchmark_task(dataset)
    model = space.build(arch, task)
    return count_params(model), count_flops(model, task.input_shape)


class NB201Benchmark(Evaluator):
    """Looks up NAS-Bench-201 accuracies instead of training.

    `noise="one_seed"` (default) searches on one training seed's accuracy, `"mean"` on
    the seed average; `fidelity` is 200 or 12 epochs. `data_path` overrides the table
    location (a CSV like the shared one, or an official NATS-Bench / NAS-Bench-201 file);
    without it the data directory's CSV, else the packaged table (`source_` says which).
    """

    def __init__(
        self,
        dataset: str = "cifar10",
        noise: str = "one_seed",
        fidelity: int = 200,
        cost_metrics: bool = True,
        data_path: str | Path | None = None,
    ) -> None:
        self.dataset = dataset
        self.noise = noise
        self.fidelity = fidelity
        self.cost_metrics = cost_metrics
        self.data_path = data_path

    def setup(self) -> NB201Benchmark:
        """Check the settings and load the table (done on first use otherwise)."""
        if self.dataset not in DATASETS:
            raise ValueError(f"unknown dataset {self.dataset!r}; accepted: {', '.join(DATASETS)}")
        if self.noise not in NOISE_MODES:
            raise ValueError(
                f"unknown noise mode {self.noise!r}; accepted: {', '.join(NOISE_MODES)}"
            )
        if self.fidelity not in FIDELITIES:
            raise ValueError(f"fidelity must be one of {FIDELITIES} epochs, got {self.fidelity}")
        if self.fidelity == 12 and self.noise == "mean":
            raise ValueError("the 12-epoch column has a single seed only; use noise='one_seed'")
        path = table_location(self.data_path)
        table = read_table(path)
        self.source_ = path
        self.space_ = NB201Space()
        self.test_ = table[_column(self.dataset, 200, "mean")]
        self.columns_ = {
            f: table[_column(self.dataset, f, "one_seed" if f == 12 else self.noise)]
            for f in FIDELITIES
        }
        if np.isnan(self.columns_[12]).any():
            del self.columns_[12]  # evaluate() then names the fidelities this table has
            if self.fidelity == 12:
                raise DataFormatError(f"{path} has no 12-epoch results for {self.dataset}")
        return self

    def optimum(self) -> float:
        """The best seed-averaged test accuracy in the space (regret is measured to this)."""
        if not hasattr(self, "space_"):
            self.setup()
        return float(self.test_.max())

    def evaluate(self, arch: Architecture, context: EvaluationContext | None = None) -> Result:
        start = time.perf_counter()
        if not hasattr(self, "space_"):
            self.setup()
        fidelity = context.fidelity if context and context.fidelity else self.fidelity
        if fidelity not in self.columns_:
            raise ValueError(
                f"fidelity must be one of {tuple(self.columns_)} epochs here, got {fidelity}"
            )
        if arch.space != self.space_.name or arch.labels != self.space_.labels:
            self.space_.validate(arch)  # raises a ValueError saying what does not match
        try:
            index = self.space_.index(arch)
        except KeyError:
            self.space_.validate(arch)  # raises a ValueError naming the bad choice
            raise
        metrics = {
            "val_acc": float(self.columns_[fidelity][index]),
            "test_acc": float(self.test_[index]),
            "epochs": float(fidelity),
        }
        if self.cost_metrics:
            counts = Counter(arch.choice_values)
            params, flops = _cell_cost(self.dataset, tuple(counts[op] for op in OPERATIONS))
            metrics["params"], metrics["flops"] = float(params), float(flops)
        return Result(metrics, cost_s=time.perf_counter() - start)
