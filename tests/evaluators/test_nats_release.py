"""Tests for the NATS-Bench / NAS-Bench-201 release reader, on tiny fake releases.

The fakes mirror the nesting written by NATS-Bench's ``tss-collect.py`` and read by the
official API (``ArchResults.state_dict`` / ``ResultsCount.state_dict``): per architecture
``{hp: {'arch_index', 'arch_str', 'dataset_seed', 'all_results': {(dataset, seed): {...,
'epochs', 'eval_acc1es': {'<split>@<epoch>': acc}}}}}``.
"""

from __future__ import annotations

import bz2
import math
import os
import pickle
import tarfile
from collections import OrderedDict
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import torch

from nasforge.data import data_dir
from nasforge.errors import DataFormatError, DataNotFoundError
from nasforge.evaluators.nats_release import COLUMNS, read_nats_release

ARCHS = [
    "|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|",
    "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|",
    "|avg_pool_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|avg_pool_3x3~0|avg_pool_3x3~1|avg_pool_3x3~2|",
]
# Evaluation splits per training set, as in the release.
SPLITS = {
    "cifar10-valid": ("x-valid", "ori-test"),
    "cifar10": ("ori-test",),
    "cifar100": ("ori-test", "x-valid", "x-test"),
    "ImageNet16-120": ("ori-test", "x-valid", "x-test"),
}
EPOCHS = {"200": 200, "12": 12}
# Seeds per architecture: NATS-Bench uses 777/888/999 for 200 epochs and 111/777 for 12.
SEEDS = {"200": [[777, 888, 999], [777], [888, 999]], "12": [[111, 777], [111], [777]]}
BASE = {"cifar10-valid": 80.0, "cifar10": 90.0, "cifar100": 60.0, "ImageNet16-120": 30.0}
OFFSET = {"ori-test": 0.0, "x-valid": 0.25, "x-test": 0.5}


def final_acc(index: int, hp: str, dataset: str, seed: int, split: str) -> float:
    """The fake's accuracy after the last epoch; distinct per index/hp/dataset/seed/split."""
    return BASE[dataset] + index - (10.0 if hp == "12" else 0.0) + seed / 1000 + OFFSET[split]


def results_count(index: int, hp: str, dataset: str, seed: int) -> dict[str, Any]:
    """A ``ResultsCount.state_dict()`` as stored in the release (weights cleared)."""
    epochs = EPOCHS[hp]
    accs, losses, times = {}, {}, {}
    for split in SPLITS[dataset]:
        for epoch in range(epochs):
            key = f"{split}@{epoch}"
            last = epoch == epochs - 1
            accs[key] = final_acc(index, hp, dataset, seed, split) if last else 10.0 + epoch / 100
            losses[key], times[key] = 1.0, 0.5
    return {
        "name": dataset,
        "net_state_dict": None,
        "train_acc1es": {e: 50.0 for e in range(epochs)},
        "train_acc5es": {e: 90.0 for e in range(epochs)},
        "train_losses": {e: 1.5 for e in range(epochs)},
        "train_times": OrderedDict((e, 7.0) for e in range(epochs)),
        "arch_config": {"channel": 16, "num_cells": 5, "arch_str": ARCHS[index], "class_num": 10},
        "params": np.float64(0.3), "flop": np.float64(40.1),  # numpy scalars, as in the release
        "seed": str(seed), "epochs": epochs, "latency": [0.012],
        "eval_names": list(SPLITS[dataset]),
        "eval_acc1es": accs, "eval_times": times, "eval_losses": losses,
    }  # fmt: skip


def arch_results(index: int, hp: str, datasets: tuple[str, ...] = tuple(SPLITS)) -> dict:
    """An ``ArchResults.state_dict()`` for one architecture and one hp."""
    seeds = SEEDS[hp][index]
    return {
        "arch_index": index,
        "arch_str": ARCHS[index],
        "all_results": {(d, s): results_count(index, hp, d, s) for d in datasets for s in seeds},
        "dataset_seed": {d: sorted(seeds) for d in datasets},
        "clear_net_done": True,
    }


def hp2info(index: int) -> OrderedDict:
    """What ``{index:06d}.pickle.pbz2`` holds: ``OrderedDict({'12': ..., '200': ...})``."""
    return OrderedDict([("12", arch_results(index, "12")), ("200", arch_results(index, "200"))])


def save_pbz2(obj: Any, path: Path, protocol: int = 4) -> Path:
    """Like NATS-Bench's ``pickle_save``: a bz2-compressed pickle."""
    with bz2.BZ2File(path, "wb") as fh:
        pickle.dump(obj, fh, protocol=protocol)
    return path


def meta() -> dict[str, Any]:
    return {"meta_archs": ARCHS, "total_archs": len(ARCHS), "arch2infos": None,
            "evaluated_indexes": set()}  # fmt: skip


def make_simple_dir(root: Path, name_fmt: str = "{:06d}") -> Path:
    """A fake ``NATS-tss-v1_0-3ffb9-simple`` directory."""
    root.mkdir(parents=True)
    save_pbz2(meta(), root / "meta.pickle.pbz2")
    for index in range(len(ARCHS)):
        save_pbz2(hp2info(index), root / f"{name_fmt.format(index)}.pickle.pbz2")
    return root


def expected(twelve_epochs: bool = True) -> pd.DataFrame:
    """The table the reader must produce for the fakes, computed from the spec above."""
    tests = (("cifar10", "ori-test"), ("cifar100", "x-test"), ("ImageNet16-120", "x-test"))
    rows = []
    for i, arch in enumerate(ARCHS):
        s200, s12 = SEEDS["200"][i], SEEDS["12"][i]
        row = [arch]
        row += [sum(final_acc(i, "200", d, s, t) for s in s200) / len(s200) for d, t in tests]
        row += [final_acc(i, "200", d, min(s200), t) for d, t in tests]
        row += [final_acc(i, "12", d, min(s12), t) if twelve_epochs else math.nan
                for d, t in tests]  # fmt: skip
        rows.append(row)
    return pd.DataFrame(rows, columns=list(COLUMNS))


def test_simple_directory(tmp_path: Path) -> None:
    frame = read_nats_release(make_simple_dir(tmp_path / "NATS-tss-v1_0-3ffb9-simple"))
    pd.testing.assert_frame_equal(frame, expected())
    assert list(frame.columns) == list(COLUMNS)
    # Spot checks written out: arch 0, seeds 777/888/999 (mean) and 777 (one seed), 111 (12ep).
    assert frame.loc[0, "cifar10_200ep"] == pytest.approx(90.888)
    assert frame.loc[0, "cifar100_200ep"] == pytest.approx(60.5 + 0.888)  # x-test, not ori-test
    assert frame.loc[0, "cifar10_200ep_one_seed"] == pytest.approx(90.777)
    assert frame.loc[0, "imagenet16-120_12ep_one_seed"] == pytest.approx(20.5 + 0.111)
    assert frame.loc[2, "cifar10_200ep_one_seed"] == pytest.approx(92.888)


def test_unpadded_file_names_and_progress(tmp_path: Path) -> None:
    root = make_simple_dir(tmp_path / "simple", name_fmt="{:d}")
    pd.testing.assert_frame_equal(read_nats_release(str(root), progress=True), expected())


def test_decimals_matches_csv_rounding(tmp_path: Path) -> None:
    frame = read_nats_release(make_simple_dir(tmp_path / "simple"), decimals=4)
    assert frame.loc[0, "cifar10_200ep"] == 90.888
    assert frame.loc[1, "cifar10_12ep_one_seed"] == 81.111


def test_columns_match_reference_csv() -> None:
    csv = data_dir() / "nb201" / "nats_tss_test_acc.csv"
    if not csv.is_file():
        pytest.skip(f"{csv} not available")
    assert list(pd.read_csv(csv, nrows=1).columns) == list(COLUMNS)


def test_tar_archive_with_meta_last(tmp_path: Path) -> None:
    root = make_simple_dir(tmp_path / "NATS-tss-v1_0-3ffb9-simple")
    tar_path = tmp_path / "NATS-tss-v1_0-3ffb9-simple.tar"
    with tarfile.open(tar_path, "w") as tar:
        for path in sorted(root.iterdir(), key=lambda p: p.name == "meta.pickle.pbz2"):
            tar.add(path, arcname=f"{root.name}/{path.name}")
    pd.testing.assert_frame_equal(read_nats_release(tar_path), expected())


def test_single_benchmark_pickle(tmp_path: Path) -> None:
    data = {**meta(), "arch2infos": {i: hp2info(i) for i in range(len(ARCHS))},
            "evaluated_indexes": set(range(len(ARCHS)))}  # fmt: skip
    path = save_pbz2(data, tmp_path / "NATS-tss-v1_0-3ffb9.pickle.pbz2")
    pd.testing.assert_frame_equal(read_nats_release(path), expected())


def test_old_numpy_module_names(tmp_path: Path) -> None:
    """Pickles written under numpy 1.x name ``numpy.core.multiarray.scalar``."""
    raw = pickle.dumps(hp2info(0), protocol=2)
    old = raw.replace(b"numpy._core.multiarray\nscalar", b"numpy.core.multiarray\nscalar")
    assert b"numpy.core.multiarray\nscalar" in old
    root = make_simple_dir(tmp_path / "simple")
    with bz2.BZ2File(root / "000000.pickle.pbz2", "wb") as fh:
        fh.write(old)
    pd.testing.assert_frame_equal(read_nats_release(root), expected())


def nb201_dict(v10: bool = False) -> dict[str, Any]:
    """The dict in NAS-Bench-201-v1_*.pth: hp keys 'less' (12 epochs) and 'full' (200)."""
    less_sets = ("cifar10-valid",) if v10 else tuple(SPLITS)  # v1.0: LESS only cifar10-valid
    infos = {i: {"less": arch_results(i, "12", less_sets), "full": arch_results(i, "200")}
             for i in range(len(ARCHS))}  # fmt: skip
    return {"meta_archs": ARCHS, "total_archs": len(ARCHS), "arch2infos": infos,
            "evaluated_indexes": set(range(len(ARCHS)))}  # fmt: skip


@pytest.mark.parametrize("zipfile", [False, True], ids=["legacy-format", "zip-format"])
def test_nas_bench_201_v11_pth(tmp_path: Path, zipfile: bool) -> None:
    path = tmp_path / "NAS-Bench-201-v1_1-096897.pth"
    torch.save(nb201_dict(), path, _use_new_zipfile_serialization=zipfile)
    pd.testing.assert_frame_equal(read_nats_release(path), expected())


def test_nas_bench_201_v10_pth_has_no_12_epoch_test_columns(tmp_path: Path) -> None:
    path = tmp_path / "NAS-Bench-201-v1_0-e61699.pth"
    torch.save(nb201_dict(v10=True), path)
    pd.testing.assert_frame_equal(read_nats_release(path), expected(twelve_epochs=False))


def assert_one_line(exc: pytest.ExceptionInfo[Exception], name: str) -> None:
    message = str(exc.value)
    assert "\n" not in message and name in message


def test_missing_path(tmp_path: Path) -> None:
    with pytest.raises(DataNotFoundError) as exc:
        read_nats_release(tmp_path / "NATS-tss-v1_0-3ffb9-simple")
    assert isinstance(exc.value, FileNotFoundError)
    assert_one_line(exc, "NATS-tss-v1_0-3ffb9-simple")


def test_missing_architecture_file(tmp_path: Path) -> None:
    root = make_simple_dir(tmp_path / "simple")
    (root / "000001.pickle.pbz2").unlink()
    with pytest.raises(DataNotFoundError) as exc:
        read_nats_release(root)
    assert_one_line(exc, "000001.pickle.pbz2")


def test_directory_without_meta(tmp_path: Path) -> None:
    with pytest.raises(DataFormatError) as exc:
        read_nats_release(tmp_path)
    assert_one_line(exc, "meta.pickle.pbz2")


@pytest.mark.parametrize(
    "name", ["NATS-tss-v1_0-3ffb9.pickle.pbz2", "NAS-Bench-201-v1_1-096897.pth", "x.tar", "x.csv"]
)
def test_garbage_file(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(os.urandom(64) + b"not a release")
    with pytest.raises(DataFormatError) as exc:
        read_nats_release(path)
    assert_one_line(exc, name)


def test_corrupt_architecture_file(tmp_path: Path) -> None:
    root = make_simple_dir(tmp_path / "simple")
    (root / "000002.pickle.pbz2").write_bytes(bz2.compress(b"garbage"))
    with pytest.raises(DataFormatError) as exc:
        read_nats_release(root)
    assert_one_line(exc, "000002.pickle.pbz2")


def test_wrong_nesting(tmp_path: Path) -> None:
    root = make_simple_dir(tmp_path / "simple")
    save_pbz2({"200": {"arch_str": ARCHS[1], "all_results": []}}, root / "000001.pickle.pbz2")
    with pytest.raises(DataFormatError) as exc:
        read_nats_release(root)
    assert_one_line(exc, "000001.pickle.pbz2")


def test_arch_string_mismatch(tmp_path: Path) -> None:
    root = make_simple_dir(tmp_path / "simple")
    save_pbz2(hp2info(0), root / "000001.pickle.pbz2")
    with pytest.raises(DataFormatError, match="000001"):
        read_nats_release(root)


class _Exploit:
    """Unpickling this would run a shell command."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Any, ...]:
        return (os.system, (f"touch {self.marker}",))


def test_forbidden_class_in_pickle_is_refused(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    root = make_simple_dir(tmp_path / "simple")
    save_pbz2({**meta(), "evil": _Exploit(marker)}, root / "meta.pickle.pbz2")
    with pytest.raises(DataFormatError, match="forbidden global") as exc:
        read_nats_release(root)
    assert_one_line(exc, "meta.pickle.pbz2")
    assert not marker.exists()


def test_forbidden_class_in_pth_is_refused(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    path = tmp_path / "NAS-Bench-201-v1_1-096897.pth"
    torch.save({**nb201_dict(), "evil": _Exploit(marker)}, path)
    with pytest.raises(DataFormatError) as exc:
        read_nats_release(path)
    assert_one_line(exc, path.name)
    assert not marker.exists()
