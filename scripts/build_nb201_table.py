"""Build the NAS-Bench-201 / NATS-Bench TSS table that ships with nasforge.

Reads the CSV export of the official NATS-Bench release (or the release itself, any
path `--data-path` accepts) and writes `src/nasforge/evaluators/data/nb201_tss.npz`:
the nine accuracy columns as int32 hundredths of a hundredth (value x 10,000, exact for
the CSV's 4 decimals; -1 marks a missing 12-epoch result), rows in `NB201Space.index`
order so no architecture strings are stored, plus the source file's SHA-256.

usage: python scripts/build_nb201_table.py [SOURCE] [--output PATH]
       (SOURCE defaults to $NASFORGE_DATA_DIR/nb201/nats_tss_test_acc.csv)
"""

from __future__ import annotations

import argparse
import hashlib
from pathlib import Path

import numpy as np

from nasforge.data import data_file
from nasforge.evaluators.tabular import (
    PACKAGED_TABLE,
    SCALE,
    TABLE_COLUMNS,
    TABLE_FILE,
    TABLE_SOURCE,
    packaged_table,
    read_table,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", nargs="?", type=Path, default=None)
    parser.add_argument("--output", type=Path, default=PACKAGED_TABLE)
    args = parser.parse_args()
    source = args.source or data_file(TABLE_FILE, "NAS-Bench-201 table", TABLE_SOURCE)
    table = read_table(source)  # checked on load
    values = np.stack([table[name] for name in TABLE_COLUMNS], axis=1).astype(np.float64)
    scaled = np.where(np.isnan(values), -1, np.rint(values * SCALE)).astype(np.int32)
    if np.abs(scaled[scaled >= 0] / SCALE - values[scaled >= 0]).max() > 0.5 / SCALE:
        raise SystemExit(f"{source} has more than 4 decimals; the packed table would round")
    digest = hashlib.sha256(source.read_bytes()).hexdigest() if source.is_file() else ""
    args.output.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        args.output, values=np.asfortranarray(scaled), columns=np.array(TABLE_COLUMNS),
        source=np.array(source.name), sha256=np.array(digest),
    )  # fmt: skip
    rebuilt = packaged_table(args.output)
    same = all(
        np.allclose(rebuilt[name], values[:, i], atol=0.5 / SCALE, equal_nan=True)
        for i, name in enumerate(TABLE_COLUMNS)
    )
    print(f"wrote {args.output} ({args.output.stat().st_size / 1024:.0f} KiB) from {source}"
          f" (sha256 {digest[:12]}); round trip {'exact' if same else 'DIFFERS'}")  # fmt: skip
    if not same:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
