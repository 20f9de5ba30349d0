"""Running architectures in worker processes, so that one dying takes down only itself.

Workers are spawned (each imports TensorFlow once and shares nothing), load the
catalogue themselves and split the machine's cores. This is the one place that
decides where an architecture's plugin code runs: in this process, or in a
worker; process isolation per architecture and time limits belong here.
"""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import os
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from kreg.catalogue import Catalogue, Entry

Result = TypeVar("Result")

Task = Callable[[Entry], Any]
"""What runs for one architecture: a module-level function (workers import it by name)."""


def run_in_workers(
    task: Task,
    names: Sequence[str],
    jobs: int,
    disabled: Sequence[str],
    on_result: Callable[[str, Any], None],
    on_lost: Callable[[str], Any],
) -> dict[str, Any]:
    """Run ``task(entry)`` for each named architecture in ``jobs`` worker processes.

    A worker that dies (out of memory, a crash in native code) breaks the whole
    pool; every architecture it took down is rerun alone, so only the culprit
    is lost.

    Args:
        task: Task. A picklable module-level function of one Entry.
        names: Sequence[str]. The architectures.
        jobs: int. Worker processes.
        disabled: Sequence[str]. Plugins the workers skip when loading the catalogue.
        on_result: callable. Called with each name and result as it arrives.
        on_lost: callable. Makes the result of an architecture whose worker
            died, even alone.

    Returns:
        dict[str, Any]. Results by name.
    """
    results, broken = _run_pool(task, list(names), jobs, list(disabled), on_result)
    for name in broken:
        retried, still_broken = _run_pool(task, [name], 1, list(disabled), on_result)
        results.update(retried)
        for lost in still_broken:
            results[lost] = on_lost(lost)
            on_result(lost, results[lost])
    return results


def _run_pool(
    task: Task, names: list[str], jobs: int, disabled: list[str], on_result: Callable[[str, Any], None]
) -> tuple[dict[str, Any], list[str]]:
    results: dict[str, Any] = {}
    broken: list[str] = []
    threads = max(1, (os.cpu_count() or 1) // jobs)
    pool = concurrent.futures.ProcessPoolExecutor(
        max_workers=min(jobs, len(names)),
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_initialise_worker,
        initargs=(disabled, threads),
    )
    with pool:
        futures = {pool.submit(_run_by_name, task, name): name for name in names}
        for future in concurrent.futures.as_completed(futures):
            name = futures[future]
            try:
                results[name] = future.result()
            except concurrent.futures.process.BrokenProcessPool:
                broken.append(name)
                continue
            on_result(name, results[name])
    return results, broken


# The catalogue a worker process loaded in its initializer: per process, set once.
_worker_catalogue: Catalogue | None = None


def _initialise_worker(disabled: list[str], threads: int) -> None:
    """Load the catalogue once per worker and share the cores among the workers."""
    global _worker_catalogue
    from kreg.loading import load_catalogue
    from kreg.running.keras_runtime import require_keras

    _worker_catalogue = load_catalogue(disabled=disabled)
    os.environ.setdefault("OMP_NUM_THREADS", str(threads))
    require_keras()
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(threads)
    tf.config.threading.set_inter_op_parallelism_threads(threads)


def _run_by_name(task: Task, name: str) -> Any:
    assert _worker_catalogue is not None, "worker not initialised"
    return task(_worker_catalogue.get(name))
