"""Seeing a search: architecture drawings (`drawing`), the live dashboard (`dashboard`)
and self-contained HTML reports of runs and benchmarks (`html`)."""

from nasforge.report.drawing import architecture_svg, draw

__all__ = ["architecture_svg", "draw"]
