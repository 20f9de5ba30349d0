"""``kreg check``: build, count and smoke-train architectures, one result each.

Each architecture is checked on its own: whatever fails (a phase raising, a
non-finite metric) becomes that architecture's result, and the next one is
checked as usual. With ``jobs > 1`` the architectures are spread over worker
processes (spawned, so each imports TensorFlow once and shares nothing).
"""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from kreg.catalogue import Catalogue, Entry
from kreg.errors import ArchitectureFailure, KregError, describe_exception

CHECK_STEPS = 3
"""Smoke-training steps per architecture."""

CHECK_BATCH_SIZE = 8
"""The largest batch a check trains with (smaller when the architecture's own is)."""

SMOKE_PRESET = "smoke"
"""The preset a check builds with, when the architecture has one."""


@dataclass
class CheckResult:
    """The outcome of checking one architecture.

    Attributes:
        architecture: str. Its name.
        passed: bool. Every phase succeeded and every metric stayed finite.
        phase: str or None. The phase that failed (``"build"``, ``"inspect"``,
            ``"data"``, ``"train"``, ...).
        cause: str or None. What went wrong, on one line.
        preset: str or None. The preset it was built with.
        params: dict[str, dict[str, int]]. Per component, ``total``, ``trainable``
            and ``non_trainable`` (:func:`kreg.inspect_tools.params.count_params`).
        steps: int. Training steps run.
        steps_per_second: float or None. Speed after the first step.
        metrics: dict[str, dict[str, Any]]. Each metric's first and last value.
        trained: bool. False when the architecture has no data adapter.
        seconds: float. Wall time of the whole check.
    """

    architecture: str
    passed: bool = False
    phase: str | None = None
    cause: str | None = None
    preset: str | None = None
    params: dict[str, dict[str, int]] = field(default_factory=dict)
    steps: int = 0
    steps_per_second: float | None = None
    metrics: dict[str, dict[str, Any]] = field(default_factory=dict)
    trained: bool = False
    seconds: float = 0.0

    def fail(self, phase: str, cause: BaseException | str) -> CheckResult:
        """Mark the check failed in ``phase`` and return it."""
        self.passed, self.phase, self.cause = False, phase, describe_exception(cause)
        return self

    def to_json(self) -> dict[str, Any]:
        """Return the row ``kreg check --json`` prints."""
        return {
            "architecture": self.architecture,
            "passed": self.passed,
            "phase": self.phase,
            "cause": self.cause,
            "preset": self.preset,
            "params": self.params,
            "trained": self.trained,
            "steps": self.steps,
            "steps_per_second": None if self.steps_per_second is None else round(self.steps_per_second, 3),
            "metrics": self.metrics,
            "seconds": round(self.seconds, 3),
        }


def check_architecture(entry: Entry, steps: int = CHECK_STEPS) -> CheckResult:
    """Build ``entry`` (its smoke preset if any), count its parameters and smoke-train it.

    Never raises for a failure of the architecture: the result says which
    phase failed and why.

    Args:
        entry: Entry. The architecture.
        steps: int. Training steps.

    Returns:
        CheckResult.
    """
    started = time.perf_counter()
    result = CheckResult(entry.name, preset=SMOKE_PRESET if SMOKE_PRESET in entry.architecture.presets else None)
    try:
        _run_check(entry, steps, result)
    except ArchitectureFailure as failure:
        result.fail(failure.phase, failure.cause)
    except KregError as error:  # e.g. the smoke preset breaks a builder's validation
        result.fail("build", error)
    except Exception as error:  # kreg's own code path failing still must not stop the others
        result.fail("check", error)
    result.seconds = time.perf_counter() - started
    return result


def _run_check(entry: Entry, steps: int, result: CheckResult) -> None:
    from kreg.running.building import build_fresh, resolve_hyperparameters
    from kreg.inspect_tools.params import count_params
    from kreg.running.training import TrainOptions, train_model

    hyperparameters = resolve_hyperparameters(entry, (), result.preset)
    built = build_fresh(entry, hyperparameters)  # frees the previous architecture's graphs and names
    try:
        result.params = {name: count_params(model).to_json() for name, model in built.components.items()}
    except Exception as error:
        raise ArchitectureFailure(entry.name, "inspect", error) from error
    if entry.architecture.data_adapter is None:
        result.passed = True
        return
    batch_size = min(entry.architecture.batch_size, CHECK_BATCH_SIZE)
    trained = train_model(entry, built.model, hyperparameters, TrainOptions(steps=steps, batch_size=batch_size, quiet=True))
    result.trained, result.steps = True, trained.trace.steps
    result.steps_per_second = trained.trace.steps_per_second
    result.metrics = trained.to_json()["metrics"]
    failure = trained.failure()
    if failure is not None:
        raise failure
    result.passed = True


def check_all(
    entries: Sequence[Entry],
    jobs: int = 1,
    steps: int = CHECK_STEPS,
    disabled: Sequence[str] = (),
    on_result: Callable[[CheckResult], None] | None = None,
) -> list[CheckResult]:
    """Check every entry, in this process or in ``jobs`` worker processes.

    Args:
        entries: Sequence[Entry]. The architectures.
        jobs: int. Worker processes; 1 checks in this process.
        steps: int. Training steps per architecture.
        disabled: Sequence[str]. Plugins the workers must skip too (the workers
            load the catalogue themselves).
        on_result: callable or None. Called with each result as it arrives.

    Returns:
        list[CheckResult]. In the order of ``entries``.
    """
    report = on_result or (lambda result: None)
    if jobs <= 1 or len(entries) <= 1:
        results = []
        for entry in entries:
            results.append(check_architecture(entry, steps))
            report(results[-1])
        return results
    names = [entry.name for entry in entries]
    by_name = _check_in_workers(names, jobs, steps, list(disabled), report)
    return [by_name[name] for name in names]


def _check_in_workers(
    names: list[str], jobs: int, steps: int, disabled: list[str], report: Callable[[CheckResult], None]
) -> dict[str, CheckResult]:
    results, broken = _run_pool(names, jobs, steps, disabled, report)
    # A worker that dies (out of memory, a crash in native code) breaks the whole
    # pool; rerun each architecture it took down alone, so only the culprit fails.
    for name in broken:
        retried, still_broken = _run_pool([name], 1, steps, disabled, report)
        results.update(retried)
        for lost in still_broken:
            results[lost] = CheckResult(lost).fail("check", "the worker process died (out of memory or a crash in native code)")
            report(results[lost])
    return results


def _run_pool(
    names: list[str], jobs: int, steps: int, disabled: list[str], report: Callable[[CheckResult], None]
) -> tuple[dict[str, CheckResult], list[str]]:
    results: dict[str, CheckResult] = {}
    broken: list[str] = []
    threads = max(1, (os.cpu_count() or 1) // jobs)
    pool = concurrent.futures.ProcessPoolExecutor(
        max_workers=min(jobs, len(names)),
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_initialise_worker,
        initargs=(disabled, threads),
    )
    with pool:
        futures = {pool.submit(_check_by_name, name, steps): name for name in names}
        for future in concurrent.futures.as_completed(futures):
            name = futures[future]
            try:
                results[name] = future.result()
            except concurrent.futures.process.BrokenProcessPool:
                broken.append(name)
                continue
            report(results[name])
    return results, broken


_worker_catalogue: Catalogue | None = None


def _initialise_worker(disabled: list[str], threads: int) -> None:
    """Load the catalogue once per worker and share the cores among the workers."""
    global _worker_catalogue
    from kreg.running.building import require_keras
    from kreg.loading import load_catalogue

    _worker_catalogue = load_catalogue(disabled=disabled)
    os.environ.setdefault("OMP_NUM_THREADS", str(threads))
    require_keras()
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(threads)
    tf.config.threading.set_inter_op_parallelism_threads(threads)


def _check_by_name(name: str, steps: int) -> CheckResult:
    assert _worker_catalogue is not None, "worker not initialised"
    return check_architecture(_worker_catalogue.get(name), steps)
