"""`nasforge dashboard`: a local web page over a study storage that follows a running
search. A small Starlette app serves one page, its script, plotly.js from the plotly
package (no request leaves the machine) and JSON read-only from the storage; the page
polls twice a second and the server answers 304 while nothing changed.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from nasforge.report.drawing import architecture_svg
from nasforge.report.views import (
    best_so_far,
    counts,
    operation_stats,
    pareto,
    plotly_js,
    trial_rows,
)
from nasforge.study import Study, StudyError
from nasforge.study.snapshot import TrialReader, trial_count, version
from nasforge.study.storage import open_for_reading, redact, storage_url

STATIC = resources.files("nasforge.report") / "static"


@dataclass
class _Snapshot:
    version: str
    trials: list
    rows: bytes
    charts: bytes


class StudyReader:
    """The studies of one storage, each read again only when its `version` changed."""

    def __init__(self, location: str | Path) -> None:
        self.location = str(location)
        self.url = storage_url(location)
        self.backend = open_for_reading(self.url)  # StudyError: missing or not a study
        self._studies: dict[str, Study] = {}
        self._snapshots: dict[str, _Snapshot] = {}
        self._readers: dict[str, TrialReader] = {}
        self._lock = threading.Lock()

    def names(self) -> list[str]:
        return [s.study_name for s in self.backend.get_all_studies()]

    def study(self, name: str) -> Study:
        if name not in self._studies:
            self._studies[name] = Study(self.url, name, _storage=self.backend)  # StudyError
        return self._studies[name]

    def snapshot(self, name: str) -> _Snapshot:
        """The study's trials, rows and charts as of now (cached per version)."""
        study = self.study(name)
        with self._lock:
            current = version(study)
            cached = self._snapshots.get(name)
            if cached is not None and cached.version == current:
                return cached
            trials = self._readers.setdefault(name, TrialReader(study)).read()
            objectives = list(study.attrs.get("objectives", ["val_acc"]))
            directions = study.directions
            maximize = directions[0] == "maximize"
            charts = {
                "best": best_so_far(trials, objectives[0], maximize),
                "pareto": pareto(trials, objectives, directions),
                "operations": operation_stats(trials, objectives[0], maximize),
            }
            snapshot = _Snapshot(current, trials, _json(trial_rows(trials)), _json(charts))
            self._snapshots[name] = snapshot
            return snapshot

    def summary(self, name: str) -> dict:
        study = self.study(name)
        snapshot = self.snapshot(name)
        summary_file = Path(self.location) / "summary.json"
        chosen = json.loads(summary_file.read_text()) if summary_file.is_file() else None
        return {
            "name": name, "storage": redact(self.url), "settings": study.attrs,
            "directions": study.directions,
            "objectives": list(study.attrs.get("objectives", ["val_acc"])),
            "counts": counts(snapshot.trials), "version": snapshot.version, "chosen": chosen,
        }  # fmt: skip


def _json(value) -> bytes:
    return json.dumps(value, separators=(",", ":"), allow_nan=False).encode()


def create_app(location: str | Path):
    """The dashboard's ASGI app over the storage at `location` (a run directory, a
    SQLite file or a storage URL); a missing or corrupt storage is a `StudyError`."""
    from starlette.applications import Starlette
    from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response
    from starlette.routing import Route

    reader = StudyReader(location)
    for name in reader.names()[:1]:
        reader.snapshot(name)  # the first page is then served from memory

    def missing(error: Exception) -> JSONResponse:
        return JSONResponse({"error": str(error)}, status_code=404)

    async def page(request):
        return HTMLResponse((STATIC / "dashboard.html").read_text())

    async def static(request):
        name = request.path_params["name"]
        if name == "plotly.min.js":
            path = plotly_js()
        elif name in ("dashboard.js", "dashboard.css"):
            path = Path(str(STATIC / name))
        else:
            return Response("not found", status_code=404)
        return FileResponse(path, headers={"Cache-Control": "max-age=3600"})

    async def studies(request):
        rows = [
            {"name": name, "trials": trial_count(reader.study(name))} for name in reader.names()
        ]
        return JSONResponse({"storage": redact(reader.url), "studies": rows})

    async def summary(request):
        try:
            found = reader.summary(request.path_params["name"])
        except StudyError as error:
            return missing(error)
        return cached(request, _json(found), "summary-" + found["version"])

    def cached(request, body: bytes, tag: str) -> Response:
        etag = f'"{tag}"'
        if request.headers.get("if-none-match") == etag:
            return Response(status_code=304, headers={"ETag": etag})
        return Response(body, media_type="application/json", headers={"ETag": etag})

    def of_snapshot(respond):
        """A handler answering from the named study's snapshot (404 when it is missing)."""

        async def handler(request):
            try:
                snapshot = reader.snapshot(request.path_params["name"])
            except StudyError as error:
                return missing(error)
            return respond(request, snapshot)

        return handler

    @of_snapshot
    def trials(request, snapshot):
        return cached(request, snapshot.rows, "rows-" + snapshot.version)

    @of_snapshot
    def charts(request, snapshot):
        return cached(request, snapshot.charts, "charts-" + snapshot.version)

    @of_snapshot
    def drawing(request, snapshot):
        number = request.path_params["number"]
        found = [t for t in snapshot.trials if t.number == number]
        if not found:
            return Response(f"no trial {number}", status_code=404)
        try:
            svg = architecture_svg(found[0].arch.space, found[0].arch)
        except ValueError as error:  # a space this installation does not have
            return Response(str(error), status_code=404)
        return Response(svg, media_type="image/svg+xml",
                        headers={"Cache-Control": "max-age=86400"})  # fmt: skip

    routes = [
        Route("/", page),
        Route("/static/{name}", static),
        Route("/api/studies", studies),
        Route("/api/studies/{name}", summary),
        Route("/api/studies/{name}/trials", trials),
        Route("/api/studies/{name}/charts", charts),
        Route("/api/studies/{name}/trials/{number:int}/drawing.svg", drawing),
    ]
    return Starlette(routes=routes)
