"""What a space says about how an architecture looks: plain data that `nasforge.report`
turns into SVG or PNG. A space answers `space.drawing(arch)` with one of these forms:

- `CellDrawing`: a DAG whose edges carry operations (a NAS-Bench-201 cell);
- `CellsDrawing`: several such DAGs one under the other (DARTS' normal and reduction cell);
- `LayerDrawing`: a left-to-right strip of blocks or layers, optionally grouped into
  stages (MobileNet-style chains, MLPs, conv1d or transformer stacks).

A new space plugs in by returning one of these; it never imports the renderer.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class CellDrawing:
    """Nodes named in order (inputs first); `edges` are `(source, target, operation)`
    node indices. `operations` is the space's whole vocabulary, so every drawing of the
    space colours an operation the same; edges whose operation is in `absent` (the zero
    op) are drawn faint and dashed."""

    nodes: tuple[str, ...]
    edges: tuple[tuple[int, int, str], ...]
    operations: tuple[str, ...]
    absent: tuple[str, ...] = ("none",)
    title: str = ""


@dataclass(frozen=True)
class Layer:
    """One block of a `LayerDrawing`: `label` inside it, `kind` picks its colour,
    `size` in (0, 1] its height, `group` the stage it belongs to, `detail` a second line
    under the label."""

    label: str
    kind: str
    size: float = 1.0
    group: str = ""
    detail: str = ""


@dataclass(frozen=True)
class LayerDrawing:
    """Layers left to right; `kinds` is the vocabulary of `Layer.kind` (stable colours)."""

    layers: tuple[Layer, ...]
    kinds: tuple[str, ...] = field(default=())
    title: str = ""


@dataclass(frozen=True)
class CellsDrawing:
    """Several cells drawn one under the other, each with its own title ("normal cell")."""

    cells: tuple[CellDrawing, ...]
    title: str = ""
