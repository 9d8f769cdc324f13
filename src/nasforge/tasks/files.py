"""Tasks from the user's array files: a `.npz` of arrays, or an image folder with one
sub-folder per class (tables: `nasforge.tasks.tables`)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from nasforge.errors import DataFormatError
from nasforge.tasks.base import Task
from nasforge.tasks.splits import make_task

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp")


def as_images(x: np.ndarray) -> np.ndarray:
    """(n, h, w) gains a channel axis; channels-last (n, h, w, c<=4) becomes channels-first."""
    if x.ndim == 3:
        return x[:, None]
    if x.ndim == 4 and x.shape[-1] in (1, 3, 4) and x.shape[1] not in (1, 3, 4):
        return np.transpose(x, (0, 3, 1, 2))
    return x


def read_npz(
    path: Path, required: tuple[str, ...] = ("x_train", "y_train")
) -> dict[str, np.ndarray]:
    """The arrays of a `.npz` archive with at least the `required` ones (images, tables,
    series and tokens share this), or a DataFormatError naming what is wrong."""
    try:
        with np.load(path, allow_pickle=False) as archive:
            arrays = {key: archive[key] for key in archive.files}
    except (ValueError, OSError) as err:
        raise DataFormatError(f"{path}: not a readable .npz archive ({err})") from None
    missing = [k for k in required if k not in arrays]
    if missing:
        raise DataFormatError(
            f"{path}: missing array(s) {', '.join(missing)}; found {', '.join(arrays) or 'none'}"
        )
    return arrays


def read_image(file: Path):
    """The image in `file`, loaded (a PIL image), or a DataFormatError naming it."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(file) as image:
            image.load()
            return image.copy()
    except (UnidentifiedImageError, OSError):
        raise DataFormatError(
            f"{file}: not an image file (accepted: {', '.join(IMAGE_SUFFIXES)})"
        ) from None


def load_npz(path: Path, **split: float | int) -> Task:
    """Arrays `x_train`, `y_train` and optionally `x_test`, `y_test`; 2-D inputs are tabular,
    3-D / 4-D inputs images."""
    arrays = read_npz(path)
    x = arrays["x_train"]
    if x.ndim not in (2, 3, 4):
        raise DataFormatError(f"{path}: x_train must be 2-D, 3-D or 4-D, got shape {x.shape}")
    x_test = arrays.get("x_test")
    if x.ndim > 2:
        x = as_images(x)
        x_test = None if x_test is None else as_images(x_test)
    return make_task(
        path.stem,
        x,
        arrays["y_train"],
        x_test=x_test,
        y_test=arrays.get("y_test"),
        source=str(path),
        **split,
    )  # type: ignore[arg-type]


def image_array(pictures: list, mode: str, size: tuple[int, int]) -> np.ndarray:
    """PIL images as one float32 (n, channels, height, width) array of 0-255 pixels, each
    converted to `mode` (L: grey, RGB) and resized to `size` (width, height)."""
    x = np.stack([np.asarray(p.convert(mode).resize(size)) for p in pictures])
    return as_images(x if mode == "RGB" else x[..., None]).astype(np.float32)


def load_image_folder(root: Path, **split: float | int) -> Task:
    """One sub-folder per class; images are resized to the first image's size and kept
    grayscale only if every image is."""
    classes = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    if not classes:
        raise DataFormatError(f"{root}: no class sub-folders (expected {root}/<class>/<image>)")
    files, labels = [], []
    for label, folder in enumerate(classes):
        images = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))
        if not images:
            raise DataFormatError(f"{folder}: empty class folder")
        files.extend(images)
        labels.extend([label] * len(images))
    pictures = [read_image(file) for file in files]
    mode = "L" if all(p.mode in ("L", "1") for p in pictures) else "RGB"
    size = pictures[0].size
    x = image_array(pictures, mode, size) / 255.0
    task = make_task(root.name, x, np.array(labels), source=str(root), **split)  # type: ignore[arg-type]
    names = tuple(c.name for c in classes)
    return Task(**{**task.__dict__, "class_names": names})
