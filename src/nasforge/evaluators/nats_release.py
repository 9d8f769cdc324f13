"""Read the official NATS-Bench / NAS-Bench-201 topology-search-space release files.

NATS-Bench (Dong, Liu, Musial and Gabrys, "NATS-Bench: Benchmarking NAS Algorithms for
Architecture Topology and Size", TPAMI 2021) publishes its topology search space (TSS,
identical to NAS-Bench-201) in these forms, all read by :func:`read_nats_release`:

* ``NATS-tss-v1_0-3ffb9-simple/`` (or the ``NATS-tss-v1_0-3ffb9-simple.tar`` it is shipped
  in): ``meta.pickle.pbz2`` holds ``{'meta_archs': [arch_str, ...], 'total_archs': 15625,
  'arch2infos': None, 'evaluated_indexes': set()}``, and ``{index:06d}.pickle.pbz2`` holds,
  per architecture, ``OrderedDict({'12': ArchResults, '200': ArchResults})``.
* ``NATS-tss-v1_0-3ffb9.pickle.pbz2`` and NAS-Bench-201's ``NAS-Bench-201-v1_1-096897.pth``
  / ``NAS-Bench-201-v1_0-e61699.pth`` (torch-saved): one dict ``{'meta_archs', 'total_archs',
  'arch2infos': {index: {hp: ArchResults}}, 'evaluated_indexes'}``, with hp keys
  ``'12'``/``'200'`` (NATS-Bench) or ``'less'``/``'full'`` (NAS-Bench-201, where v1.0 has
  12-epoch results for ``cifar10-valid`` only, so those columns are NaN).

Every ``ArchResults`` is a plain dict ``{'arch_index', 'arch_str', 'dataset_seed':
{dataset: sorted seeds}, 'all_results': {(dataset, seed): ResultsCount}, ...}`` and every
``ResultsCount`` a dict with ``'epochs'`` and ``'eval_acc1es'`` (``{'ori-test@199': 94.1,
'x-test@199': ..., ...}``). As in ``get_more_info(index, dataset, hp=..., is_random=...)``
of the official ``nats_bench`` API, the test accuracy is read after the last epoch
(``epochs - 1``) on ``ori-test`` for ``cifar10`` and on ``x-test`` for ``cifar100`` and
``ImageNet16-120``; ``*_200ep`` averages over all seeds (``is_random=False``) and
``*_one_seed`` takes the smallest seed (``is_random=min(seeds)``: 777 for 200 epochs,
111 for 12 epochs where available). Missing results give NaN.

Pickles are read by a restricted unpickler (plain containers and numpy scalars only) and
``.pth`` files with ``torch.load(weights_only=True)``: no arbitrary object is ever built.
Single-file releases are loaded whole (several GB of memory); the ``-simple`` directory
and ``.tar`` are read one architecture file at a time.
"""

from __future__ import annotations

import bz2
import contextlib
import functools
import math
import os
import pickle
import re
import tarfile
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import pandas as pd

from nasforge.errors import DataFormatError, DataNotFoundError

__all__ = ["COLUMNS", "read_nats_release"]

COLUMNS = (
    "arch",
    "cifar10_200ep", "cifar100_200ep", "imagenet16-120_200ep",
    "cifar10_200ep_one_seed", "cifar100_200ep_one_seed", "imagenet16-120_200ep_one_seed",
    "cifar10_12ep_one_seed", "cifar100_12ep_one_seed", "imagenet16-120_12ep_one_seed",
)  # fmt: skip
# (API dataset name, evaluation split whose accuracy get_more_info reports as test-accuracy)
_DATASETS = (("cifar10", "ori-test"), ("cifar100", "x-test"), ("ImageNet16-120", "x-test"))
_HP_KEYS = (("200", "full"), ("12", "less"))  # NATS-Bench key, NAS-Bench-201 key
_META = "meta.pickle.pbz2"
_ARCH_FILE = re.compile(r"^(\d+)\.pickle\.pbz2$")


@functools.cache
def _numpy_globals() -> dict[tuple[str, str], Any]:
    """Numpy's scalar and dtype constructors, under their numpy 1.x and 2.x module names."""
    try:
        from numpy._core.multiarray import scalar
    except ImportError:  # numpy < 2
        from numpy.core.multiarray import scalar  # type: ignore[no-redef]
    return {
        ("numpy.core.multiarray", "scalar"): scalar,
        ("numpy._core.multiarray", "scalar"): scalar,
        ("numpy", "dtype"): np.dtype,
    }


def _why(exc: BaseException) -> str:
    """First line of an exception's message, for one-line errors."""
    lines = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {lines[0]}" if lines else type(exc).__name__


def _latin1(text: str, encoding: str = "latin1") -> bytes:
    """Stand-in for ``_codecs.encode``, which protocol-2 pickles use to store bytes."""
    if encoding != "latin1":
        raise pickle.UnpicklingError(f"refusing _codecs.encode with encoding {encoding!r}")
    return text.encode("latin1")


_SAFE_GLOBALS: dict[tuple[str, str], Any] = {
    ("collections", "OrderedDict"): OrderedDict,
    ("builtins", "set"): set,
    ("builtins", "frozenset"): frozenset,
    ("_codecs", "encode"): _latin1,
}


class _SafeUnpickler(pickle.Unpickler):
    """Unpickler that builds only containers and numpy scalars; any other global is refused."""

    def find_class(self, module: str, name: str) -> Any:
        allowed = _SAFE_GLOBALS.get((module, name)) or _numpy_globals().get((module, name))
        if allowed is None:
            raise pickle.UnpicklingError(f"forbidden global {module}.{name}")
        return allowed


def _load_pbz2(stream: BinaryIO, name: str) -> Any:
    """Decompress and safely unpickle one ``*.pickle.pbz2`` stream."""
    try:
        with bz2.BZ2File(stream, "rb") as raw:
            return _SafeUnpickler(raw).load()
    except Exception as exc:  # nothing but data is built, so any failure is bad content
        raise DataFormatError(
            f"{name}: not a readable NATS-Bench bz2-compressed pickle ({_why(exc)})"
        ) from exc


def _load_pth(path: Path) -> Any:
    """``torch.load(weights_only=True)``, with numpy scalars allowlisted."""
    import torch

    safe: list[Any] = [(obj, f"{mod}.{attr}") for (mod, attr), obj in _numpy_globals().items()]
    # torch also needs the dtype classes that BUILD restores numpy dtypes into
    safe += [type(np.dtype(code)) for code in "?bhilqBHILQefdg"]
    allow = getattr(torch.serialization, "safe_globals", None)  # torch >= 2.5
    try:
        with allow(safe) if allow else contextlib.nullcontext():
            return torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # weights_only: nothing but data is built
        raise DataFormatError(
            f"{path}: cannot be read as a NAS-Bench-201 .pth with torch.load(weights_only=True)"
            f" ({_why(exc)})"
        ) from exc


def _accuracy(archres: Any, dataset: str, setname: str, one_seed: bool, name: str) -> float:
    """Final-epoch accuracy on ``setname``: seed mean, or the smallest seed if ``one_seed``."""
    if archres is None:
        return math.nan
    try:
        seeds = archres["dataset_seed"].get(dataset)
        if not seeds:
            return math.nan
        accs = []
        for seed in [min(seeds)] if one_seed else seeds:
            result = archres["all_results"][(dataset, seed)]
            key = f"{setname}@{int(result['epochs']) - 1}"
            if key not in result["eval_acc1es"]:
                return math.nan
            accs.append(float(result["eval_acc1es"][key]))
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        raise DataFormatError(
            f"{name}: ArchResults for {dataset} lacks the expected 'dataset_seed'/'all_results'"
            f"/'epochs'/'eval_acc1es' nesting ({_why(exc)})"
        ) from exc
    return float(np.mean(accs))  # as ArchResults.get_metrics(..., is_random=False)


def _row(arch: str | None, hp2res: Any, name: str) -> list[Any]:
    """One output row from an architecture's ``{hp: ArchResults}`` mapping.

    ``arch`` is the string listed in the meta data; ``None`` takes the stored ``arch_str``.
    """
    if not isinstance(hp2res, Mapping):
        raise DataFormatError(f"{name}: expected a dict of hp -> ArchResults, got {type(hp2res)}")
    res200, res12 = (next((hp2res[k] for k in keys if k in hp2res), None) for keys in _HP_KEYS)
    if not isinstance(res200, Mapping):
        raise DataFormatError(f"{name}: no 200-epoch results (key '200' or 'full')")
    stored = res200.get("arch_str")
    if arch is not None and stored is not None and stored != arch:
        raise DataFormatError(f"{name}: holds {stored!r} but the meta file lists {arch!r}")
    row: list[Any] = [arch if arch is not None else stored]
    for archres, one_seed in ((res200, False), (res200, True), (res12, True)):
        row += [_accuracy(archres, ds, split, one_seed, name) for ds, split in _DATASETS]
    return row


def _meta_archs(meta: Any, name: str) -> list[str]:
    """The ``meta_archs`` list (architecture strings in index order) of a meta dict."""
    archs = meta.get("meta_archs") if isinstance(meta, Mapping) else None
    if not isinstance(archs, list | tuple) or not all(isinstance(a, str) for a in archs):
        raise DataFormatError(f"{name}: expected a dict with 'meta_archs', a list of arch strings")
    return list(archs)


def _progress(items: Iterable[Any], total: int | None, label: str, show: bool) -> Iterator[Any]:
    """Iterate ``items``, with a rich progress bar if ``show``."""
    if not show:
        yield from items
        return
    from rich.progress import track

    yield from track(items, description=label, total=total)


def _read_directory(root: Path, show: bool) -> list[list[Any]]:
    meta_path = root / _META
    if not meta_path.is_file():
        raise DataFormatError(f"{root}: expected a NATS-Bench '-simple' directory with {_META}")
    with meta_path.open("rb") as fh:
        archs = _meta_archs(_load_pbz2(fh, str(meta_path)), str(meta_path))
    rows = []
    for index in _progress(range(len(archs)), len(archs), "Reading NATS-Bench", show):
        path = root / f"{index:06d}.pickle.pbz2"
        if not path.is_file():
            path = root / f"{index}.pickle.pbz2"
        if not path.is_file():
            raise DataNotFoundError(
                f"{root / f'{index:06d}.pickle.pbz2'}: missing file for"
                f" architecture {index} of {len(archs)} listed in {_META}"
            )
        with path.open("rb") as fh:
            rows.append(_row(archs[index], _load_pbz2(fh, str(path)), str(path)))
    return rows


def _read_tar(path: Path, show: bool) -> list[list[Any]]:
    archs: list[str] | None = None
    rows: dict[int, list[Any]] = {}  # built file by file: the raw dicts are large
    try:
        with tarfile.open(path, "r:*") as tar:
            for member in _progress(tar, None, "Reading NATS-Bench archive", show):
                base = member.name.rsplit("/", 1)[-1]
                match = _ARCH_FILE.match(base)
                if not member.isfile() or (base != _META and match is None):
                    continue
                name = f"{path}:{member.name}"
                data = _load_pbz2(tar.extractfile(member), name)  # type: ignore[arg-type]
                if match is None:
                    archs = _meta_archs(data, name)
                else:  # meta may come later in the archive: check the arch strings then
                    rows[int(match.group(1))] = _row(None, data, name)
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise DataFormatError(f"{path}: not a readable tar archive ({_why(exc)})") from exc
    if archs is None:
        raise DataFormatError(f"{path}: expected a tar of a NATS-Bench directory with {_META}")
    missing = [i for i in range(len(archs)) if i not in rows]
    if missing:
        raise DataNotFoundError(
            f"{path}: no {missing[0]:06d}.pickle.pbz2 in the archive"
            f" ({len(missing)} of {len(archs)} architecture files missing)"
        )
    for index, arch in enumerate(archs):
        if rows[index][0] not in (None, arch):
            raise DataFormatError(
                f"{path}: file {index:06d} holds {rows[index][0]!r} but {_META} lists {arch!r}"
            )
        rows[index][0] = arch
    return [rows[i] for i in range(len(archs))]


def _read_benchmark_dict(data: Any, name: str, show: bool) -> list[list[Any]]:
    archs = _meta_archs(data, name)
    infos = data.get("arch2infos")
    if not isinstance(infos, Mapping):
        raise DataFormatError(f"{name}: expected 'arch2infos', a dict of index -> results")
    rows = []
    for index in _progress(range(len(archs)), len(archs), "Converting", show):
        if index not in infos:
            raise DataFormatError(f"{name}: 'arch2infos' has no entry for architecture {index}")
        rows.append(_row(archs[index], infos[index], f"{name} [arch {index}]"))
    return rows


def read_nats_release(
    path: str | os.PathLike[str], *, progress: bool = False, decimals: int | None = None
) -> pd.DataFrame:
    """Read a NATS-Bench TSS / NAS-Bench-201 release into a table of test accuracies (%).

    ``path`` is a ``NATS-tss-*-simple`` directory or ``.tar``, a ``NATS-tss-*.pickle.pbz2``
    file, or a ``NAS-Bench-201-*.pth`` file. Returns one row per architecture, in release
    index order, with the columns :data:`COLUMNS`. ``decimals=4`` rounds as in
    ``nats_tss_test_acc.csv``; ``progress=True`` shows a progress bar.
    """
    src = Path(path)
    if not src.exists():
        raise DataNotFoundError(
            f"{src}: no such file or directory (expected a NATS-Bench '-simple' directory or"
            " .tar, a NATS-tss-*.pickle.pbz2 or a NAS-Bench-201 .pth)"
        )
    name = src.name.lower()
    if src.is_dir():
        rows = _read_directory(src, progress)
    elif name.endswith(".tar") or name.endswith(".tar.gz") or name.endswith(".tgz"):
        rows = _read_tar(src, progress)
    elif name.endswith(".pbz2"):
        with src.open("rb") as fh:
            rows = _read_benchmark_dict(_load_pbz2(fh, str(src)), str(src), progress)
    elif name.endswith(".pth") or name.endswith(".pt"):
        rows = _read_benchmark_dict(_load_pth(src), str(src), progress)
    else:
        raise DataFormatError(
            f"{src}: unrecognised release layout (expected a directory with"
            f" {_META}, a .tar, a .pickle.pbz2 or a .pth file)"
        )
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    frame[list(COLUMNS[1:])] = frame[list(COLUMNS[1:])].astype("float64")
    return frame.round(decimals) if decimals is not None else frame
