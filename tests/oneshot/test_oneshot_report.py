"""`nasforge report` on a one-shot run directory: the supernet's choice, training curves,
entropy and architecture weights, next to what every run report shows."""

from __future__ import annotations

import json
import re

from typer.testing import CliRunner

from nasforge.cli import app
from nasforge.run.oneshot import oneshot

runner = CliRunner()


def test_report_of_a_darts_run_shows_the_supernet(small_digits, tiny_space, tmp_path):
    result = oneshot(
        data=small_digits, method="darts", space=tiny_space, epochs=3, batch_size=48,
        retrain=True, final_epochs=1, output_dir=tmp_path, name="run", export=False,
    )  # fmt: skip
    page = tmp_path / "report.html"
    done = runner.invoke(app, ["report", str(tmp_path / "run"), "-o", str(page)])
    assert done.exit_code == 0, done.output
    text = page.read_text()
    assert "<title>one-shot search (darts) run</title>" in text
    assert tiny_space.format(result.arch) in text
    for part in ("supernet training by epoch", "mean entropy of the architecture weights",
                 "architecture weights at the last epoch", "retrained test accuracy",
                 f"{result.test_acc:.2f} %", f"{100 * result.skip_share:.2f} %"):  # fmt: skip
        assert part in text, part
    heatmap = json.loads(re.search(r'Plotly.newPlot\("oneshot-weights", (\[.*?\]), \{', text)[1])
    assert heatmap[0]["x"] == list(tiny_space.choices("1<-0"))  # operations as columns
    assert len(heatmap[0]["y"]) == 6  # one row per edge
    derived = [report.arch for report in result.epochs]
    assert all(tiny_space.format(arch) in text for arch in derived)  # the epoch table
    assert "best val_acc so far" not in text  # one recorded choice: no search curve


def test_a_corrupt_oneshot_record_is_one_line_and_exit_2(small_digits, tiny_space, tmp_path):
    oneshot(data=small_digits, method="gdas", space=tiny_space, epochs=1, batch_size=48,
            output_dir=tmp_path, name="run")  # fmt: skip
    (tmp_path / "run" / "oneshot.json").write_text("{not json")
    done = runner.invoke(app, ["report", str(tmp_path / "run"), "-o", str(tmp_path / "r.html")])
    assert done.exit_code == 2
    assert "is not a one-shot record" in done.output and len(done.output.strip().splitlines()) == 1
    assert not (tmp_path / "r.html").exists()
