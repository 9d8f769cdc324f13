"""Where the loop's jobs are evaluated: in this process, in local worker processes, or as
Ray tasks. Each executor takes a `Job` and returns a future of the finished `Trial`; the
worker writes the outcome to the recorder itself."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor

from nasforge.errors import NasforgeError
from nasforge.evaluators.base import Evaluator

EvaluateJob = Callable[..., object]


class Inline:
    """Evaluates each job in this process when it is submitted."""

    def __init__(self, evaluate_job: EvaluateJob, evaluator: Evaluator, recorder, objectives):
        self.evaluate_job = evaluate_job
        self.args = (evaluator, recorder, tuple(objectives))

    def run(self, job):
        """Evaluate `job` now and return its trial."""
        return self.evaluate_job(*self.args, job)

    def submit(self, job) -> Future:
        future: Future = Future()
        future.set_result(self.run(job))
        return future

    def close(self, broken: bool = False) -> None:
        pass


_WORKER: tuple | None = None


def _init_worker(evaluate_job, evaluator, recorder, objectives: tuple, threads: int) -> None:
    global _WORKER
    import torch

    torch.set_num_threads(threads)
    _WORKER = (evaluate_job, evaluator, recorder, objectives)


def _run_in_worker(job):
    assert _WORKER is not None, "worker process was not initialised"
    evaluate_job, *args = _WORKER
    return evaluate_job(*args, job)


def threads_per_worker(workers: int) -> int:
    """PyTorch threads for each of `workers` processes sharing this machine's cores."""
    return max(1, (os.cpu_count() or 1) // workers)


class Processes:
    """A pool of local worker processes, started by a fork server (a clean process, so
    PyTorch's thread pools are never forked mid-use); each gets the evaluator once."""

    def __init__(
        self, evaluate_job: EvaluateJob, evaluator, recorder, objectives: Sequence[str],
        workers: int,
    ) -> None:  # fmt: skip
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["nasforge._preload"])  # imports paid once, not per worker
        self.pool = ProcessPoolExecutor(
            workers, mp_context=context, initializer=_init_worker,
            initargs=(evaluate_job, evaluator, recorder, tuple(objectives),
                      threads_per_worker(workers)),
        )  # fmt: skip

    def submit(self, job) -> Future:
        return self.pool.submit(_run_in_worker, job)

    def close(self, broken: bool = False) -> None:
        """Wait for running jobs; after a worker died, end the others at once instead
        (Python 3.11's pool can wait forever on survivors of a broken pool)."""
        if broken:
            for process in list(getattr(self.pool, "_processes", {}).values()):
                process.kill()
            self.pool.shutdown(wait=False, cancel_futures=True)
        else:
            self.pool.shutdown(wait=True, cancel_futures=True)


class Ray:
    """Ray tasks on a Ray cluster: a local one by default, `address` for an existing one.
    Every worker must reach the study's storage (PostgreSQL when they are on several
    machines)."""

    def __init__(
        self, evaluate_job: EvaluateJob, evaluator, recorder, objectives: Sequence[str],
        workers: int, address: str | None,
    ) -> None:  # fmt: skip
        try:
            import ray
        except ImportError as error:
            raise NasforgeError(
                "Ray is not installed; pip install 'nasforge[ray]' to run workers on Ray"
            ) from error
        self.ray = ray
        self.started = not ray.is_initialized()
        if self.started:
            if address:
                ray.init(address=address, log_to_driver=False)
            else:
                ray.init(
                    num_cpus=workers, include_dashboard=False, log_to_driver=False,
                    object_store_memory=100 * 1024**2,
                )  # fmt: skip
        self.remote = ray.remote(num_cpus=1, max_retries=0)(_ray_task)
        self.shared = (
            evaluate_job, ray.put(evaluator), recorder, tuple(objectives),
            threads_per_worker(workers),
        )  # fmt: skip

    def submit(self, job) -> Future:
        return self.remote.remote(*self.shared, job).future()

    def close(self, broken: bool = False) -> None:
        if self.started:
            self.ray.shutdown()


def _ray_task(evaluate_job, evaluator, recorder, objectives, threads, job):
    import torch

    torch.set_num_threads(threads)
    return evaluate_job(evaluator, recorder, objectives, job)
