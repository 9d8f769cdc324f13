"""End to end in headless Debian Chromium (driven by Playwright, no browser download):
the dashboard page shows the study's rows, sorts, updates live, and is saved as a
screenshot. CI installs chromium (.ci/run) and sets NASFORGE_REQUIRE_CHROMIUM=1."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from live_server import add_trials

from nasforge.spaces import NB201Space
from nasforge.study import load_study, space_choices

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip


@pytest.fixture
def browser(tmp_path):
    if not Path(CHROMIUM).is_file() or shutil.which("chromium") is None:
        if os.environ.get("NASFORGE_REQUIRE_CHROMIUM"):
            pytest.fail("chromium is not installed: apt-get install -y chromium")
        pytest.skip("chromium is not installed (apt-get install -y chromium)")
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as driver:
        context = driver.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=CHROMIUM, args=FLAGS, headless=True,
            viewport={"width": 1400, "height": 1100},
        )  # fmt: skip
        requests = []
        context.on("request", lambda request: requests.append(request.url))
        yield context, requests
        context.close()


def test_dashboard_in_chromium_shows_rows_sorts_updates_and_screenshots(
    browser, server, storage, tmp_path
):
    context, requests = browser
    page = context.new_page()
    page.goto(server + "/?study=main")
    page.wait_for_selector("tr[data-trial]")
    rows = page.locator("#trials tbody tr")
    assert rows.count() == 15
    states = sorted(rows.nth(i).get_attribute("data-state") for i in range(15))
    assert states.count("complete") == 12 and {"failed", "infeasible", "running"} <= set(states)
    failed = page.locator("tr[data-state=failed] td.failure")
    assert failed.inner_text() == "NaN loss at epoch 2"
    assert page.locator("tr[data-state=infeasible] td.failure").inner_text() == "params 2.0M > 1.0M"
    page.wait_for_function("document.body.dataset.chartsMs")
    assert page.locator("#chart-best .main-svg").count() > 0  # plotly drew the curve
    assert page.locator("#operations tbody tr").count() == 6

    page.click("#trials th[data-key='m:val_acc']")  # sort by val_acc, best first
    first = int(rows.nth(0).get_attribute("data-trial"))
    best = max((t for t in load_study(storage, "main").trials() if t.ok),
               key=lambda t: t.metrics["val_acc"])  # fmt: skip
    assert first == best.number

    study = load_study(storage, "main")
    study.choices = space_choices(NB201Space())
    number = add_trials(study, NB201Space(), 1, seed=99)[0]
    page.wait_for_selector(f"tr[data-trial='{number}']", timeout=5000)  # live, no reload
    assert rows.count() == 16
    images = page.locator("td.drawing img")
    images.first.scroll_into_view_if_needed()
    page.wait_for_function("document.querySelector('td.drawing img').naturalWidth > 0")

    shot = tmp_path / "dashboard.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 20_000
    keep = os.environ.get("NASFORGE_SCREENSHOT_DIR")
    if keep:
        shutil.copy(shot, Path(keep) / "dashboard.png")
    outside = [url for url in requests if not url.startswith(server)]
    assert not outside, f"the page asked for {outside}"
    page.select_option("#study", "empty")
    page.wait_for_function("document.getElementById('counts').textContent === 'no trials yet'")
    assert page.locator("#trials tbody tr").count() == 0
