"""Seeing a search: architecture drawings (`drawing`), the live dashboard (`dashboard`)
and self-contained HTML reports of runs and benchmarks (`html`). Loaded lazily: a bench
report never imports torch."""

from __future__ import annotations

__all__ = ["architecture_svg", "draw", "write_report"]


def __getattr__(name: str):
    if name in ("architecture_svg", "draw"):
        from nasforge.report import drawing

        return getattr(drawing, name)
    if name == "write_report":
        from nasforge.report.html import write_report

        return write_report
    raise AttributeError(f"module 'nasforge.report' has no attribute {name!r}")
