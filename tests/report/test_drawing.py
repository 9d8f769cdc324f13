"""Drawings of every registered space, as SVG a browser parses and PNG an image reader
opens, and `nasforge draw`."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from nasforge.architecture import Architecture
from nasforge.cli import app
from nasforge.registry import SPACES
from nasforge.report.drawing import architecture_svg, draw, layout, to_svg
from nasforge.spaces import get_space
from nasforge.spaces.drawing import CellDrawing, LayerDrawing

SVG = "{http://www.w3.org/2000/svg}"
CELL = "|nor_conv_3x3~0|+|none~0|skip_connect~1|+|avg_pool_3x3~0|nor_conv_1x1~1|nor_conv_3x3~2|"


@pytest.mark.parametrize("name", SPACES.names())
def test_every_registered_space_draws_as_svg_and_png(name, tmp_path):
    space = get_space(name)
    rng = np.random.default_rng(0)
    for k in range(5):
        arch = space.sample(rng)
        root = ElementTree.fromstring(architecture_svg(space, arch))
        assert root.tag == f"{SVG}svg" and float(root.get("width")) > 50
        texts = [t.text for t in root.iter(f"{SVG}text")]
        assert texts, "a drawing says what it shows"
        png = draw(space, arch, tmp_path / f"{k}.png")
        with Image.open(png) as image:
            assert image.format == "PNG" and image.size[0] > 100
            assert len(np.unique(np.asarray(image.convert("L")))) > 10  # not a blank canvas


def test_nb201_cell_is_a_dag_with_labelled_coloured_edges():
    space = get_space("nb201")
    drawing = space.drawing(space.parse(CELL))
    assert isinstance(drawing, CellDrawing) and len(drawing.edges) == 6
    root = ElementTree.fromstring(to_svg(layout(drawing)))
    paths = list(root.iter(f"{SVG}path"))
    assert len(paths) == 6 and len(list(root.iter(f"{SVG}circle"))) == 4
    dashed = [p for p in paths if p.get("stroke-dasharray")]
    assert len(dashed) == 1  # the one zero op
    labels = [t.text for t in root.iter(f"{SVG}text")]
    assert sorted(labels.count(op) for op in ("conv3x3", "conv1x1", "skip", "avg3x3")) == [
        1, 1, 1, 2,
    ]  # fmt: skip
    colours = {t.text: t.get("fill") for t in root.iter(f"{SVG}text") if t.text != "none"}
    assert len({colours[op] for op in ("conv3x3", "conv1x1", "skip", "avg3x3")}) == 4
    other = space.parse("|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|none~0|none~1|none~2|")
    again = ElementTree.fromstring(architecture_svg("nb201", other))
    fills = {t.get("fill") for t in again.iter(f"{SVG}text") if t.text == "conv3x3"}
    assert fills == {colours["conv3x3"]}  # one operation, one colour, in every drawing


def test_chain_is_a_block_strip_and_mlp_layer_bars():
    chain = get_space("chain")
    arch = chain.parse("w1.0 | k3e1 | k5e6 k3e3 se | k7e6 k3e3 k3e1 | k5e3 se")
    drawing = chain.drawing(arch)
    assert isinstance(drawing, LayerDrawing) and len(drawing.layers) == 7
    groups = [layer.group for layer in drawing.layers]
    assert groups[:3] == ["stage 1", "stage 2 +SE", "stage 2 +SE"]
    svg = architecture_svg(chain, arch)
    assert len(re.findall("<rect", svg)) == 7 and ">stage 4 +SE<" in svg
    mlp = get_space("mlp")
    bars = mlp.drawing(mlp.parse("mlp:64-32-256:relu:dropout=0.1:norm=batch")).layers
    assert [b.label for b in bars] == ["64", "32", "256"]
    assert bars[2].size > bars[0].size > bars[1].size  # taller for wider layers


def test_a_space_without_its_own_drawing_gets_one_block_per_decision():
    from nasforge.spaces.base import SearchSpace

    class Plain(SearchSpace):
        name = "plain"

        def sample(self, rng):
            return Architecture("plain", {"depth": 3, "act": "relu"})

        def mutate(self, arch, rng):
            return arch

        def build(self, arch, task):
            raise NotImplementedError

    arch = Plain().sample(None)
    svg = architecture_svg(Plain(), arch)
    assert ">3<" in svg and ">relu<" in svg and len(re.findall("<rect", svg)) == 2


def test_draw_command_writes_svg_and_png(tmp_path):
    runner = CliRunner()
    done = runner.invoke(app, ["draw", CELL, "--space", "nb201", "-o", str(tmp_path / "c.svg")])
    assert done.exit_code == 0, done.output
    assert ElementTree.parse(tmp_path / "c.svg").getroot().tag == f"{SVG}svg"
    text = "mlp:64-32:relu:dropout=0.0:norm=none"
    done = runner.invoke(app, ["draw", text, "--space", "mlp", "-o", str(tmp_path / "m/m.png")])
    assert done.exit_code == 0 and (tmp_path / "m" / "m.png").stat().st_size > 1000


@pytest.mark.parametrize(
    "args, message",
    [
        (["|bad~0|", "--space", "nb201"], "malformed NAS-Bench-201 string"),
        (["|bad~0|"], "'|bad~0|' is no architecture of chain, conv1d, darts"),
        ([CELL, "--space", "nope"], "unknown search space 'nope'"),
        ([CELL, "-o", "cell.pdf"], "--output must end in .svg or .png"),
    ],
)
def test_draw_command_bad_input_is_one_line_and_exit_2(args, message, tmp_path):
    done = CliRunner().invoke(app, ["draw", *args], catch_exceptions=False)
    assert done.exit_code == 2 and message in done.output
    assert "Traceback" not in done.output and not list(tmp_path.iterdir())


def test_draw_command_reads_a_run_directory_json_or_text_file(tmp_path):
    space = get_space("mlp")
    arch = space.sample(np.random.default_rng(0))
    run = tmp_path / "run"
    run.mkdir()
    (run / "best_arch.json").write_text(arch.to_json() + "\n")
    (run / "best_arch.txt").write_text(space.format(arch) + "\n")
    runner = CliRunner()
    for source in (run, run / "best_arch.json", run / "best_arch.txt"):
        out = tmp_path / f"{source.name}.svg"
        done = runner.invoke(app, ["draw", str(source), "-o", str(out)])  # no --space
        assert done.exit_code == 0, done.output
        assert space.format(arch) in out.read_text()  # the title
    parsed = runner.invoke(app, ["parse", str(run)])  # parse reads the same sources
    assert parsed.exit_code == 0 and '"space": "mlp"' in parsed.output, parsed.output
    (tmp_path / "empty.txt").write_text("")
    for source, message in ((tmp_path / "empty.txt", "the file is empty"),
                            (tmp_path, "no best_arch.json")):  # fmt: skip
        done = runner.invoke(app, ["draw", str(source), "-o", str(tmp_path / "x.svg")])
        assert done.exit_code == 2 and message in done.output
        assert not (tmp_path / "x.svg").exists()
