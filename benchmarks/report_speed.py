"""Speed targets of issue 17, measured as a person sees them:

- dashboard first page under 1 s with 5,000 trials in the study (headless Debian
  Chromium through Playwright: from navigation to the first page of trial rows, fresh
  browser profile each time; the charts' time is printed too);
- a finished trial shows within 2 s (a trial finished by another process while the page
  is open, until its row is on the page);
- `nasforge report` on a 20-seed x 4-strategy bench directory under 10 s (the whole
  command, as a process).

    python benchmarks/report_speed.py [--bench DIR] [--study DIR] [--repeats 5]

Without --bench it runs `nasforge bench` (4 strategies x 20 seeds x 300 queries) first;
without --study it writes a 5,000-trial NAS-Bench-201 study first (~1 min).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "report"))
from live_server import add_trials, free_port, start_dashboard

from nasforge.spaces import NB201Space
from nasforge.study import Study, load_study, space_choices

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip


def spread(values: list[float]) -> str:
    return (f"min {min(values):.3f} s, median {statistics.median(values):.3f} s, "
            f"max {max(values):.3f} s over {len(values)}")  # fmt: skip


def make_study(folder: Path, trials: int) -> None:
    space = NB201Space()
    study = Study.create(folder, "big", attrs={"space": "nb201", "objectives": ["val_acc"]})
    study.choices = space_choices(space)
    add_trials(study, space, trials, seed=0)


def dashboard_figures(folder: Path, repeats: int) -> None:
    from playwright.sync_api import sync_playwright

    port = free_port()
    server = start_dashboard(folder, port)
    url = f"http://127.0.0.1:{port}/?study=big"
    try:
        first, inside, charts = [], [], []
        with sync_playwright() as driver:
            for k in range(repeats):
                with tempfile.TemporaryDirectory() as profile:
                    context = driver.chromium.launch_persistent_context(
                        profile, executable_path="/usr/bin/chromium", args=FLAGS,
                        headless=True, viewport={"width": 1400, "height": 1000},
                    )  # fmt: skip
                    page = context.new_page()
                    start = time.perf_counter()
                    page.goto(url, wait_until="commit")
                    page.wait_for_selector("tr[data-trial]")
                    first.append(time.perf_counter() - start)
                    inside.append(float(page.evaluate("document.body.dataset.tableMs")) / 1000)
                    page.wait_for_function("document.body.dataset.chartsMs", timeout=60_000)
                    charts.append(time.perf_counter() - start)
                    if k == repeats - 1:
                        study = load_study(folder, "big")
                        study.choices = space_choices(NB201Space())
                        live = []
                        for step in range(repeats):
                            begun = time.perf_counter()
                            number = add_trials(study, NB201Space(), 1, seed=1000 + step)[0]
                            page.wait_for_selector(f"tr[data-trial='{number}']", timeout=10_000)
                            live.append(time.perf_counter() - begun)
                    context.close()
        rows = len(load_study(folder, "big"))
        print(f"dashboard, {rows - repeats} trials: first page of rows {spread(first)}")
        print(f"  the same by the page's own clock (navigation start to rows): {spread(inside)}")
        print(f"dashboard, charts drawn (plotly.js loaded): {spread(charts)}")
        print(f"dashboard: finished trial on the page {spread(live)} (page polls every 0.5 s)")
    finally:
        server.terminate()
        server.wait(timeout=20)


def report_figures(bench: Path, repeats: int) -> None:
    seconds = []
    with tempfile.TemporaryDirectory() as out:
        for _ in range(repeats):
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", "nasforge.cli", "report", str(bench), "-o",
                            f"{out}/report.html"], check=True, capture_output=True)  # fmt: skip
            seconds.append(time.perf_counter() - start)
        size = Path(out, "report.html").stat().st_size / 1e6
    import pandas as pd

    curves = pd.read_csv(bench / "curves.csv", usecols=["strategy", "seed"])
    shape = f"{curves['seed'].nunique()} seeds x {curves['strategy'].nunique()} strategies"
    print(f"nasforge report on {bench} ({shape}, {size:.1f} MB): {spread(seconds)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bench", type=Path, help="a nasforge bench result directory")
    parser.add_argument("--study", type=Path, help="a folder holding the 5,000-trial study")
    parser.add_argument("--trials", type=int, default=5000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        study = args.study or Path(scratch) / "study"
        if not (study / "study.db").exists():
            study.mkdir(parents=True, exist_ok=True)
            print(f"writing a {args.trials}-trial study to {study} ...", flush=True)
            make_study(study, args.trials)
        dashboard_figures(study, args.repeats)
        bench = args.bench
        if bench is None:
            print("running nasforge bench (4 strategies x 20 seeds x 300 queries) ...", flush=True)
            subprocess.run([sys.executable, "-m", "nasforge.cli", "bench", "--output", scratch,
                            "--no-progress"], check=True, capture_output=True)  # fmt: skip
            bench = Path(scratch) / "nb201-cifar10"
        report_figures(bench, args.repeats)


if __name__ == "__main__":
    main()
