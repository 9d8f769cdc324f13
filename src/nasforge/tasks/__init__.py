"""Tasks: what a search is for (input shape, classes, metric, and later the data itself)."""

from __future__ import annotations

from nasforge.tasks.base import BENCHMARK_TASKS, Task, benchmark_task

__all__ = ["BENCHMARK_TASKS", "Task", "benchmark_task"]
