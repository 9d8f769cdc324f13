"""Architecture drawings: a space's `drawing(arch)` (plain data, `nasforge.spaces.drawing`)
is laid out once as a list of shapes, then written as SVG (for the web; tiny, text stays
text) or PNG through matplotlib (for reports and slides).
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from nasforge.architecture import Architecture
from nasforge.spaces.drawing import CellDrawing, CellsDrawing, LayerDrawing

# Okabe-Ito: distinguishable under the common colour-vision deficiencies.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#F0E442", "#444")
FAINT = "#b8b8b8"
INK = "#222"
FONT = "DejaVu Sans, Helvetica, Arial, sans-serif"
SHORT_NAMES = (
    ("nor_conv_", "conv"), ("sep_conv_", "sep"), ("dil_conv_", "dil"),
    ("avg_pool_", "avg"), ("max_pool_", "max"), ("skip_connect", "skip"),
)  # fmt: skip


@dataclass
class Scene:
    """Shapes in pixel coordinates (y down); each shape is a tuple whose first item names
    its kind: rect, curve, polygon, circle or text."""

    width: float
    height: float
    shapes: list[tuple] = field(default_factory=list)


def short_name(operation: str) -> str:
    """`nor_conv_3x3` -> `conv3x3`, `skip_connect` -> `skip`: labels that fit an edge."""
    for prefix, short in SHORT_NAMES:
        if operation.startswith(prefix):
            return short + operation[len(prefix) :]
    return operation


def colour(kind: str, vocabulary: tuple[str, ...], absent: tuple[str, ...] = ()) -> str:
    """The colour of `kind`, fixed by its place in the space's vocabulary."""
    if kind in absent:
        return FAINT
    present = [k for k in vocabulary if k not in absent]
    index = present.index(kind) if kind in present else len(present)
    return PALETTE[index % len(PALETTE)]


def layout(drawing: CellDrawing | CellsDrawing | LayerDrawing, title: bool = False) -> Scene:
    """The shapes of `drawing`, with its title on top when `title`."""
    if isinstance(drawing, CellsDrawing):
        scene = _stacked([layout(cell, title=True) for cell in drawing.cells])
    elif isinstance(drawing, CellDrawing):
        scene = _cell(drawing)
    else:
        scene = _layers(drawing)
    if title and drawing.title:
        scene.shapes = [_shift(shape, 22) for shape in scene.shapes]
        scene.height += 22
        scene.shapes.append(("text", 8, 15, drawing.title, 11, INK, "start", "normal"))
        scene.width = max(scene.width, 16 + 6.2 * len(drawing.title))
    return scene


def _stacked(scenes: list[Scene]) -> Scene:
    """Scenes one under the other, left-aligned."""
    stacked = Scene(max(scene.width for scene in scenes), 0.0)
    for scene in scenes:
        stacked.shapes.extend(_shift(shape, stacked.height) for shape in scene.shapes)
        stacked.height += scene.height
    return stacked


def _shift(shape: tuple, dy: float) -> tuple:
    kind = shape[0]
    if kind == "rect" or kind == "circle" or kind == "text":
        return (kind, shape[1], shape[2] + dy, *shape[3:])
    if kind == "curve":
        x0, y0, cx, cy, x1, y1 = shape[1:7]
        return (kind, x0, y0 + dy, cx, cy + dy, x1, y1 + dy, *shape[7:])
    points = tuple((x, y + dy) for x, y in shape[1])
    return (kind, points, *shape[2:])


def _cell(drawing: CellDrawing) -> Scene:
    """Nodes left to right; an edge between neighbours is straight, a longer one arcs
    above or below (alternating), higher the more nodes it skips."""
    gap, radius, pad = 118.0, 15.0, 22.0
    arcs = []
    side_of_span: dict[int, int] = {}
    for source, target, op in sorted(drawing.edges, key=lambda e: (e[1] - e[0], e[0])):
        span = target - source
        side = 0
        if span > 1:
            count = side_of_span.get(span, 0)
            side_of_span[span] = count + 1
            side = -1 if count % 2 == 0 else 1
        arcs.append((source, target, op, side * 44.0 * span))
    up = max([-b / 2 for *_, b in arcs if b < 0] + [0.0]) + 14
    down = max([b / 2 for *_, b in arcs if b > 0] + [0.0]) + 14
    mid = pad + max(up, radius)
    width = 2 * pad + 2 * radius + gap * (len(drawing.nodes) - 1)
    scene = Scene(width, mid + max(down, radius) + pad)
    x_of = [pad + radius + gap * k for k in range(len(drawing.nodes))]
    labels = []
    for source, target, op, bend in arcs:
        faint = op in drawing.absent
        ink = colour(op, drawing.operations, drawing.absent)
        x0, x1 = x_of[source], x_of[target]
        cx, cy = (x0 + x1) / 2, mid + bend
        start = _towards(x0, mid, cx, cy, radius)
        end = _towards(x1, mid, cx, cy, radius + 1)
        scene.shapes.append(("curve", *start, cx, cy, *end, ink, 1.4 if faint else 2.4, faint))
        scene.shapes.append(("polygon", _arrow_head(end, (cx, cy), 8.0), ink))
        lx, ly = (x0 + 2 * cx + x1) / 4, (2 * mid + 2 * cy) / 4
        labels.append(("text", lx, ly + 4, short_name(op), 11, FAINT if faint else ink,
                       "middle", "bold"))  # fmt: skip
    for k, name in enumerate(drawing.nodes):
        scene.shapes.append(("circle", x_of[k], mid, radius, "#fff", INK))
        scene.shapes.append(("text", x_of[k], mid + 4, name, 11, INK, "middle", "normal"))
    scene.shapes.extend(labels)
    return scene


def _towards(x: float, y: float, cx: float, cy: float, distance: float) -> tuple[float, float]:
    """The point `distance` from (x, y) in the direction of (cx, cy)."""
    length = math.hypot(cx - x, cy - y) or 1.0
    return x + (cx - x) / length * distance, y + (cy - y) / length * distance


def _arrow_head(tip: tuple[float, float], towards: tuple[float, float], size: float):
    angle = math.atan2(tip[1] - towards[1], tip[0] - towards[0])
    left = (tip[0] - size * math.cos(angle - 0.42), tip[1] - size * math.sin(angle - 0.42))
    right = (tip[0] - size * math.cos(angle + 0.42), tip[1] - size * math.sin(angle + 0.42))
    return (tip, left, right)


def _layers(drawing: LayerDrawing) -> Scene:
    """Blocks left to right, bottom-aligned, height by `size`; a stage label above each
    group and a detail line under each block."""
    block, gap, group_gap, pad, tallest = 48.0, 5.0, 16.0, 10.0, 46.0
    top = pad + 10  # baseline of the group labels
    base = top + 8 + 14 + tallest
    x, previous, scene, right = pad, None, Scene(0, base + 16 + pad), 0.0
    if not drawing.layers:
        scene.shapes.append(("text", pad, base - 20, "(no layers)", 11, FAINT, "start", "normal"))
        scene.width = 110
        return scene
    for layer in drawing.layers:
        if previous is not None and layer.group != previous:
            x += group_gap - gap
        if layer.group and layer.group != previous:
            scene.shapes.append(("text", x, top, layer.group, 10, INK, "start", "bold"))
            right = max(right, x + 6.5 * len(layer.group))
        height = 14 + tallest * min(1.0, max(0.0, layer.size))
        fill = colour(layer.kind, drawing.kinds)
        scene.shapes.append(("rect", x, base - height, block, height, fill, "none", 4.0))
        scene.shapes.append(("text", x + block / 2, base - height / 2 + 4, layer.label, 11,
                             "#fff", "middle", "bold"))  # fmt: skip
        if layer.detail:
            scene.shapes.append(("text", x + block / 2, base + 12, layer.detail, 9, INK,
                                 "middle", "normal"))  # fmt: skip
        x += block + gap
        previous = layer.group
    scene.width = max(x - gap, right) + pad
    return scene


def to_svg(scene: Scene) -> str:
    """The scene as a standalone SVG document."""
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{scene.width:.0f}" '
        f'height="{scene.height:.0f}" viewBox="0 0 {scene.width:.1f} {scene.height:.1f}" '
        f'font-family="{FONT}">'
    ]
    for shape in scene.shapes:
        kind = shape[0]
        if kind == "rect":
            _, x, y, w, h, fill, stroke, rx = shape
            out.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" '
                       f'rx="{rx}" fill="{fill}" stroke="{stroke}"/>')  # fmt: skip
        elif kind == "curve":
            _, x0, y0, cx, cy, x1, y1, ink, width, dashed = shape
            dash = ' stroke-dasharray="4 3"' if dashed else ""
            out.append(f'<path d="M{x0:.1f},{y0:.1f} Q{cx:.1f},{cy:.1f} {x1:.1f},{y1:.1f}" '
                       f'fill="none" stroke="{ink}" stroke-width="{width}"{dash}/>')  # fmt: skip
        elif kind == "polygon":
            points = " ".join(f"{x:.1f},{y:.1f}" for x, y in shape[1])
            out.append(f'<polygon points="{points}" fill="{shape[2]}"/>')
        elif kind == "circle":
            _, x, y, r, fill, stroke = shape
            out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r}" fill="{fill}" '
                       f'stroke="{stroke}" stroke-width="1.4"/>')  # fmt: skip
        else:
            _, x, y, text, size, ink, anchor, weight = shape
            out.append(f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" fill="{ink}" '
                       f'text-anchor="{anchor}" font-weight="{weight}" stroke="#fff" '
                       f'stroke-width="{0 if ink == "#fff" else 3}" paint-order="stroke">'
                       f"{html.escape(text)}</text>")  # fmt: skip
    out.append("</svg>")
    return "".join(out)


def to_png(scene: Scene, path: str | Path, scale: float = 2.0) -> None:
    """The scene drawn with matplotlib into a PNG file, `scale` pixels per SVG pixel."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.patheffects as effects
    import matplotlib.pyplot as plt
    from matplotlib.patches import Circle, FancyBboxPatch, PathPatch, Polygon
    from matplotlib.path import Path as CurvePath

    figure = plt.figure(figsize=(scene.width / 100, scene.height / 100), dpi=100 * scale)
    axes = figure.add_axes((0, 0, 1, 1))
    axes.set_xlim(0, scene.width)
    axes.set_ylim(scene.height, 0)
    axes.axis("off")
    points_per_pixel = 72 / 100
    for shape in scene.shapes:
        kind = shape[0]
        if kind == "rect":
            _, x, y, w, h, fill, _stroke, rx = shape
            axes.add_patch(FancyBboxPatch((x, y), w, h, boxstyle=f"round,pad=0,rounding_size={rx}",
                                          facecolor=fill, edgecolor="none"))  # fmt: skip
        elif kind == "curve":
            _, x0, y0, cx, cy, x1, y1, ink, width, dashed = shape
            codes = [CurvePath.MOVETO, CurvePath.CURVE3, CurvePath.CURVE3]
            axes.add_patch(PathPatch(CurvePath([(x0, y0), (cx, cy), (x1, y1)], codes),
                                     fill=False, edgecolor=ink, linewidth=width * points_per_pixel,
                                     linestyle=(0, (4, 3)) if dashed else "-"))  # fmt: skip
        elif kind == "polygon":
            axes.add_patch(Polygon(shape[1], closed=True, facecolor=shape[2], edgecolor="none"))
        elif kind == "circle":
            _, x, y, r, fill, stroke = shape
            axes.add_patch(Circle((x, y), r, facecolor=fill, edgecolor=stroke, linewidth=1.0))
        else:
            _, x, y, text, size, ink, anchor, weight = shape
            halo = [] if ink == "#fff" else [effects.withStroke(linewidth=2.5, foreground="#fff")]
            align = {"middle": "center", "start": "left", "end": "right"}[anchor]
            axes.text(x, y, text, fontsize=size * points_per_pixel, color=ink, ha=align,
                      va="baseline", fontweight=weight, path_effects=halo)  # fmt: skip
    figure.savefig(path, dpi=100 * scale)
    plt.close(figure)


@lru_cache(maxsize=64)
def registered_space(name: str):
    """The registered space `name` with its default settings, made once."""
    from nasforge.registry import SPACES

    return SPACES.create(name)


@lru_cache(maxsize=4096)
def _svg_cached(space_name: str, arch: Architecture) -> str:
    return to_svg(layout(registered_space(space_name).drawing(arch)))


def architecture_svg(space, arch: Architecture) -> str:
    """The SVG of `arch` in `space` (a space object or registered name; cached by name)."""
    if isinstance(space, str):
        return _svg_cached(space, arch)
    return to_svg(layout(space.drawing(arch)))


def draw(space, arch: Architecture, path: str | Path, title: bool = True) -> Path:
    """Write the drawing of `arch` to `path`: SVG or PNG by its suffix."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".svg", ".png"):
        raise ValueError(f"drawings are written as .svg or .png, not {path.name!r}")
    scene = layout(space.drawing(arch), title=title)
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".svg":
        path.write_text(to_svg(scene))
    else:
        to_png(scene, path)
    return path
