"""Helpers for the report tests: HTTP requests, free ports, a real `nasforge dashboard`
process, trials written into a study as a search writes them."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import numpy as np

from nasforge.spaces import NB201Space
from nasforge.study import Study


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(url: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    """(status, headers, body) of a GET; HTTP errors are answers too."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def fetch_json(url: str):
    status, _, body = fetch(url)
    assert status == 200, (url, status, body[:300])
    return json.loads(body)


def add_trials(study: Study, space: NB201Space, count: int, seed: int) -> list[int]:
    rng = np.random.default_rng(seed)
    numbers = []
    for _ in range(count):
        arch = space.sample(rng)
        number = study.start(arch, space.format(arch), fidelity=12)
        metrics = {"val_acc": float(rng.uniform(80, 95)), "params": float(rng.integers(1e4, 1e6)),
                   "fidelity": 12.0}  # fmt: skip
        study.finish(number, metrics, cost_s=float(rng.uniform(1, 3)))
        numbers.append(number)
    return numbers


def start_dashboard(location, port: int) -> subprocess.Popen:
    """`nasforge dashboard location --port port`, answering before this returns."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "nasforge.cli", "dashboard", str(location), "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(process.stdout.read().decode())
        try:
            fetch(f"http://127.0.0.1:{port}/api/studies")
            return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise AssertionError("the dashboard did not answer within 60 s")
