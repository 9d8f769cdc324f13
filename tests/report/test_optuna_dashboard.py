"""The study a search writes opens in optuna-dashboard too (its own server, over HTTP):
same trials, states, values and architecture choices as parameters."""

from __future__ import annotations

import json
import threading
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest
from live_server import fetch

from nasforge.study import load_study, storage_url


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args) -> None:
        pass


def test_study_opens_in_optuna_dashboard(storage):
    optuna_dashboard = pytest.importorskip("optuna_dashboard")
    app = optuna_dashboard.wsgi(storage_url(storage))
    server = make_server("127.0.0.1", 0, app, handler_class=_Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_port}"
        status, _, body = fetch(base + "/api/studies")
        assert status == 200
        studies = {s["study_name"]: s for s in json.loads(body)["study_summaries"]}
        assert set(studies) == {"main", "other", "empty"}
        status, _, body = fetch(base + f"/api/studies/{studies['main']['study_id']}?after=0")
        assert status == 200
        trials = json.loads(body)["trials"]
        ours = {t.number: t for t in load_study(storage, "main").trials(include_running=True)}
        assert len(trials) == len(ours) == 15
        states = {t["number"]: t["state"] for t in trials}
        assert sorted(states.values()).count("Complete") == 12
        for trial in trials:
            mine = ours[trial["number"]]
            if mine.ok:
                assert trial["values"][0] == pytest.approx(mine.metrics["val_acc"])
                params = {p["name"]: p["param_external_value"] for p in trial["params"]}
                assert params == {k: str(v) for k, v in mine.arch.items()}
        assert {states[n] for n, t in ours.items() if t.state == "infeasible"} == {"Pruned"}
        assert {states[n] for n, t in ours.items() if t.state == "failed"} == {"Fail"}
    finally:
        server.shutdown()
        server.server_close()
