"""`nasforge dashboard` over HTTP, as a browser uses it: a real server process on
127.0.0.1 over a real SQLite study, every endpoint, a run in progress, empty studies,
failed and infeasible trials, and the one-line errors."""

from __future__ import annotations

import json
import time
import xml.etree.ElementTree as ElementTree

import numpy as np
import pytest
from live_server import add_trials, fetch, fetch_json, free_port, start_dashboard
from typer.testing import CliRunner

from nasforge.cli import app
from nasforge.spaces import NB201Space
from nasforge.study import load_study, space_choices


def test_page_and_every_asset_come_from_the_server(server):
    status, headers, body = fetch(server + "/")
    assert status == 200 and headers["content-type"].startswith("text/html")
    page = body.decode()
    scripts = ["/static/dashboard.js", "/static/dashboard.css"]
    assert all(src in page for src in scripts)
    assert "http://" not in page and "https://" not in page  # nothing from elsewhere
    for name in [*scripts, "/static/plotly.min.js"]:
        status, headers, body = fetch(server + name)
        assert status == 200 and len(body) > 1000, name
    script = fetch(server + "/static/dashboard.js")[2].decode()
    assert "https://" not in script and "/static/plotly.min.js" in script
    assert fetch(server + "/static/secrets.txt")[0] == 404


def test_studies_and_summary(server):
    listing = fetch_json(server + "/api/studies")
    assert {s["name"]: s["trials"] for s in listing["studies"]} == {
        "main": 15, "other": 3, "empty": 0,
    }  # fmt: skip
    summary = fetch_json(server + "/api/studies/main")
    assert summary["settings"]["strategy"] == "evolution" and summary["directions"] == ["maximize"]
    assert summary["counts"] == {"complete": 12, "failed": 1, "infeasible": 1, "running": 1}
    status, _, body = fetch(server + "/api/studies/nope")
    assert status == 404 and "no study 'nope'" in json.loads(body)["error"]


def test_trial_rows_carry_states_metrics_and_failure_reasons(server, storage):
    rows = fetch_json(server + "/api/studies/main/trials")
    assert len(rows) == 15
    by_state = {}
    for row in rows:
        by_state.setdefault(row["state"], []).append(row)
    assert by_state["failed"][0]["failure"] == "NaN loss at epoch 2"
    assert by_state["failed"][0]["metrics"]["val_acc"] is None  # NaN travels as null
    assert by_state["infeasible"][0]["failure"] == "params 2.0M > 1.0M"
    assert by_state["running"][0]["metrics"] == {}
    stored = {t.number: t for t in load_study(storage, "main").trials()}
    for row in by_state["complete"]:
        assert row["metrics"]["val_acc"] == pytest.approx(stored[row["number"]].metrics["val_acc"])
        assert row["text"] == stored[row["number"]].text and row["space"] == "nb201"


def test_charts_best_so_far_pareto_and_operations(server, storage):
    charts = fetch_json(server + "/api/studies/main/charts")
    done = [t for t in load_study(storage, "main").trials() if t.ok]
    values = [t.metrics["val_acc"] for t in done]
    best = charts["best"]["data"][1]["y"]
    assert best == pytest.approx(np.maximum.accumulate(values).round(4).tolist())
    front = charts["pareto"]["data"][1]
    assert front["x"] == sorted(front["x"]) and len(front["x"]) >= 1
    ops = charts["operations"]
    assert ops["completed"] == 12 and ops["top"] == 5
    assert [d["decision"] for d in ops["decisions"]] == list(NB201Space().labels)
    for decision in ops["decisions"]:
        assert sum(c["top"] for c in decision["choices"]) == pytest.approx(1.0)
        assert sum(c["all"] for c in decision["choices"]) == pytest.approx(1.0)


def test_drawings_of_trials(server):
    rows = fetch_json(server + "/api/studies/main/trials")
    status, headers, body = fetch(
        server + f"/api/studies/main/trials/{rows[0]['number']}/drawing.svg"
    )
    assert status == 200 and headers["content-type"].startswith("image/svg+xml")
    assert ElementTree.fromstring(body).tag.endswith("svg")
    assert fetch(server + "/api/studies/main/trials/999/drawing.svg")[0] == 404


def test_empty_study(server):
    assert fetch_json(server + "/api/studies/empty/trials") == []
    charts = fetch_json(server + "/api/studies/empty/charts")
    assert charts["best"]["data"][0]["y"] == [] and charts["operations"]["decisions"] == []
    assert fetch_json(server + "/api/studies/empty")["counts"] == {}


def test_a_run_in_progress_shows_each_finished_trial_within_2_s(server, storage):
    """The page asks twice a second with the ETag it has; the server answers 304 until the
    study changes, then the new rows."""
    url = server + "/api/studies/main/trials"
    status, headers, _ = fetch(url)
    tag = headers["etag"]
    assert fetch(url, {"If-None-Match": tag})[0] == 304
    study = load_study(storage, "main")
    study.choices = space_choices(NB201Space())
    running = next(t for t in study.trials(include_running=True) if t.state == "running")
    for step in range(3):
        if step == 0:
            study.finish(running.number, {"val_acc": 99.0, "fidelity": 12.0}, cost_s=1.0)
            number = running.number
        else:
            number = add_trials(study, NB201Space(), 1, seed=10 + step)[0]
        finished = time.monotonic()
        while True:  # as the page polls
            status, headers, body = fetch(url, {"If-None-Match": tag})
            if status == 200:
                rows = {r["number"]: r for r in json.loads(body)}
                if number in rows and rows[number]["state"] == "complete":
                    break
            assert time.monotonic() - finished < 2.0, "a finished trial did not show within 2 s"
            time.sleep(0.2)
        tag = headers["etag"]
    summary = fetch_json(server + "/api/studies/main")
    assert summary["counts"]["complete"] == 15 and "running" not in summary["counts"]
    assert max(fetch_json(server + "/api/studies/main/charts")["best"]["data"][1]["y"]) == 99.0


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda p: p / "missing", "no study database at"),
        (lambda p: (p / "study.db").write_bytes(b"not a database, just bytes" * 50) and p,
         "is not a study database"),
        (lambda p: (p / "study.db").touch() or p, "is empty: not a study database"),
    ],
)  # fmt: skip
def test_missing_or_corrupt_run_is_one_line_and_exit_2(tmp_path, make, message):
    location = make(tmp_path)
    done = CliRunner().invoke(app, ["dashboard", str(location), "--port", str(free_port())])
    assert done.exit_code == 2 and message in done.output
    assert len(done.output.strip().splitlines()) == 1


def test_bad_port_and_busy_port(storage):
    done = CliRunner().invoke(app, ["dashboard", str(storage), "--port", "70000"])
    assert done.exit_code == 2 and "--port must be between 1 and 65535" in done.output
    port = free_port()
    process = start_dashboard(storage, port)
    try:
        done = CliRunner().invoke(app, ["dashboard", str(storage), "--port", str(port)])
        assert done.exit_code == 2 and f"cannot listen on 127.0.0.1:{port}" in done.output
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_another_host_warns(storage):
    """Listening on all interfaces prints a warning first, then serves (we ask it over
    127.0.0.1 only)."""
    import os
    import subprocess
    import sys

    port = free_port()
    command = [sys.executable, "-m", "nasforge.cli", "dashboard", str(storage), "--host",
               "0.0.0.0", "--port", str(port)]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               env={**os.environ, "PYTHONUNBUFFERED": "1"})  # fmt: skip
    try:
        first = process.stdout.readline().decode()
        assert first.startswith("warning: listening on 0.0.0.0") and "no password" in first
        assert "dashboard of" in process.stdout.readline().decode()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                assert fetch(f"http://127.0.0.1:{port}/api/studies")[0] == 200
                break
            except OSError:
                time.sleep(0.2)
        else:
            raise AssertionError("no answer on 127.0.0.1")
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_loopback_hosts_do_not_warn():
    from nasforge.cli.dashboard import _loopback

    assert _loopback("127.0.0.1") and _loopback("127.0.0.2") and _loopback("::1")
    assert _loopback("localhost") and not _loopback("0.0.0.0") and not _loopback("192.0.2.1")


def test_dashboard_follows_a_real_search_while_it_runs(tmp_path):
    """The dashboard serves a shared storage before the search starts; `nasforge search`
    in another process writes its study there: the study appears, its completed count
    grows while the search runs, and ends at what the run wrote."""
    import os
    import subprocess
    import sys

    import optuna

    url = f"sqlite:///{tmp_path / 'shared.db'}"
    optuna.storages.RDBStorage(url)  # an empty storage with Optuna's schema
    dashboard = start_dashboard(url, port := free_port())
    command = [
        sys.executable, "-m", "nasforge.cli", "search", "--data", "wine", "--space", "mlp",
        "--trials", "12", "--epochs", "10", "--confirm-top", "1", "--no-export",
        "--no-progress", "--output", str(tmp_path), "--name", "live", "--storage", url,
    ]  # fmt: skip
    search = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              env={**os.environ, "PYTHONUNBUFFERED": "1"})  # fmt: skip
    base = f"http://127.0.0.1:{port}/api/studies"
    try:
        assert fetch_json(base)["studies"] == [] or search.poll() is None
        seen = []
        deadline = time.monotonic() + 180
        while search.poll() is None and time.monotonic() < deadline:
            status, _, body = fetch(base + "/live")
            if status == 200:
                seen.append(json.loads(body)["counts"].get("complete", 0))
            time.sleep(0.1)
        assert search.wait(timeout=120) == 0, search.stderr.read().decode()[-2000:]
        final = fetch_json(base + "/live")
        done = sum(t.state == "complete" for t in load_study(url, "live").trials())
        assert final["counts"].get("complete", 0) == done >= 1
        assert len(set(seen)) >= 2 and seen == sorted(seen)  # it grew as the search ran
        assert [s["name"] for s in fetch_json(base)["studies"]] == ["live"]
    finally:
        search.kill()
        dashboard.terminate()
        dashboard.wait(timeout=20)
