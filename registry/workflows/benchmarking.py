"""``kreg bench``: measured speed and memory of architectures, beside kreg's estimates.

Each architecture is measured at each batch size in a child process of its
own (:mod:`kreg.running.workers`, as ``kreg check``), under a time limit, one
at a time so that the timings do not share the cores; what is measured, and
how, is :mod:`kreg.running.measuring`. A failure (the build, a step, a batch
that does not fit memory, the time limit) is that row's result; Ctrl-C stops
the run with the rows so far and no process left running.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kreg.catalogue import Entry
from kreg.errors import ArchitectureFailure, KregUsageError, describe_exception
from kreg.processes import Interrupted
from kreg.running.measuring import Measurement, measure
from kreg.running.workers import run_isolated

BENCH_TIMEOUT = 900.0
"""Seconds one architecture at one batch size may take (build, warm-up, repeats, estimate)."""


@dataclass(frozen=True)
class BenchResult:
    """One row of ``kreg bench``: a measurement, or why there is none.

    Attributes:
        architecture: str. Its name.
        batch_size: int. Examples per batch.
        dtype: str. The Keras dtype policy.
        measurement: Measurement or None. None when it failed.
        phase: str or None. What failed.
        cause: str or None. Why.
    """

    architecture: str
    batch_size: int
    dtype: str
    measurement: Measurement | None = None
    phase: str | None = None
    cause: str | None = None

    @property
    def passed(self) -> bool:
        """A measurement was made."""
        return self.measurement is not None

    def to_json(self) -> dict[str, Any]:
        """The ``kreg bench --json`` object of one architecture and batch size (docs/bench.md)."""
        record: dict[str, Any] = {
            "architecture": self.architecture,
            "status": "ok" if self.passed else "fail",
            "batch_size": self.batch_size,
            "dtype": self.dtype,
        }
        if self.measurement is None:
            return {**record, "phase": self.phase, "cause": self.cause}
        return {**record, **_measurement_json(self.measurement)}


def _measurement_json(measured: Measurement) -> dict[str, Any]:
    batch, inference, training = measured.batch_size, measured.inference, measured.training
    estimate = measured.estimate_bytes
    return {
        "device": measured.device,
        "inference": None
        if inference is None
        else {
            "latency_s": inference.median_s,
            "examples_per_s": batch / inference.median_s,
            "spread_s": inference.spread_s,
            "repeats": inference.runs,
        },
        "training": {
            "step_s": training.median_s,
            "examples_per_s": batch / training.median_s,
            "spread_s": training.spread_s,
            "repeats": training.runs,
        },
        "memory": {
            "peak_bytes": measured.peak_bytes,
            "estimate_bytes": estimate,
            "ratio": measured.peak_bytes / estimate if estimate else None,
            "peak_method": measured.peak_method,
            "resident_peak_bytes": measured.resident_peak_bytes,
        },
        "compute": {
            "macs": measured.macs,
            "training_step_macs": measured.training_step_macs,
            "inference_macs_per_s": None
            if measured.macs is None or inference is None
            else measured.macs * batch / inference.median_s,
            "training_macs_per_s": (
                None if measured.training_step_macs is None else measured.training_step_macs * batch / training.median_s
            ),
        },
    }


@dataclass
class BenchRun:
    """Every row, and whether the run was interrupted.

    Attributes:
        results: list[BenchResult]. By batch size, then in the order the architectures were given.
        interrupted: Interrupted or None. The signal that ended the run early.
    """

    results: list[BenchResult] = field(default_factory=list)
    interrupted: Interrupted | None = None

    @property
    def failed(self) -> list[BenchResult]:
        """The rows without a measurement."""
        return [result for result in self.results if not result.passed]


class _BenchTask:
    """:func:`measure` at one batch size and dtype, picklable for the child processes; never raises for a failure."""

    def __init__(self, batch_size: int, dtype: str, repeats: int):
        self.batch_size, self.dtype, self.repeats = batch_size, dtype, repeats

    def __call__(self, entry: Entry) -> BenchResult:
        try:
            measured = measure(entry, self.batch_size, self.dtype, self.repeats)
        except ArchitectureFailure as failure:
            return self.failed(entry.name, failure)
        return BenchResult(entry.name, self.batch_size, self.dtype, measured)

    def lost(self, name: str, failure: ArchitectureFailure, seconds: float) -> BenchResult:
        """The row of a child that died or ran out of time (an abort under the memory limit: out of memory)."""
        return self.failed(name, _aborted_is_out_of_memory(failure))

    def failed(self, name: str, failure: ArchitectureFailure) -> BenchResult:
        """The row of a failure: its phase and cause."""
        return BenchResult(
            name, self.batch_size, self.dtype, phase=str(failure.phase), cause=describe_exception(failure.cause)
        )


def _aborted_is_out_of_memory(failure: ArchitectureFailure) -> ArchitectureFailure:
    """A child that aborted (``std::bad_alloc``) under its memory limit ran out of memory: say so."""
    cause = describe_exception(failure.cause)
    if "SIGABRT" in cause:
        return ArchitectureFailure(
            failure.architecture, failure.phase, f"{cause} (out of memory: an allocation failed)"
        )
    return failure


def bench_all(
    entries: Sequence[Entry],
    batch_sizes: Sequence[int],
    dtype: str = "float32",
    repeats: int = 5,
    timeout: float | None = BENCH_TIMEOUT,
    disabled: Sequence[str] = (),
    on_result: Callable[[BenchResult], None] | None = None,
) -> BenchRun:
    """Measure every entry at every batch size, each in a child process of its own, one at a time.

    Args:
        entries: Sequence[Entry]. The architectures.
        batch_sizes: Sequence[int]. Batch sizes, each measured in a fresh process.
        dtype: str. A Keras dtype policy (:data:`kreg.running.measuring.DTYPES`).
        repeats: int. Timed calls after the warm-up.
        timeout: float or None. Seconds per architecture and batch size; None for no limit.
        disabled: Sequence[str]. Plugins a child skips if it must load the catalogue itself.
        on_result: callable or None. Called with each row as it arrives.

    Returns:
        BenchRun. Never raises for an architecture's failure, nor for Ctrl-C.
    """
    report = on_result or (lambda result: None)
    run = BenchRun()
    for batch_size in batch_sizes:
        task = _BenchTask(batch_size, dtype, repeats)
        isolated = run_isolated(
            task,
            entries,
            jobs=1,
            timeout=timeout,
            disabled=disabled,
            on_result=lambda name, result: report(result),
            on_lost=task.lost,
        )
        run.results.extend(isolated.results[entry.name] for entry in entries if entry.name in isolated.results)
        if isolated.interrupted is not None:
            run.interrupted = isolated.interrupted
            break
    return run


def read_bench(path: str | Path, architecture: str) -> list[dict[str, Any]]:
    """The rows of ``architecture`` in a ``kreg bench --json`` file (for ``kreg review --bench``).

    Raises:
        KregUsageError: the file cannot be read, is not ``kreg bench --json``'s
            output, or has no row for ``architecture``.
    """
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise KregUsageError(f"--bench {path}: cannot read it as kreg bench --json output ({error})") from None
    rows = data if isinstance(data, list) else [data]
    if not all(isinstance(row, dict) and "architecture" in row and "status" in row for row in rows):
        raise KregUsageError(f"--bench {path}: not kreg bench --json output (objects with architecture and status)")
    mine = [row for row in rows if row["architecture"] == architecture]
    if not mine:
        found = ", ".join(sorted({str(row["architecture"]) for row in rows})) or "none"
        raise KregUsageError(f"--bench {path} has no row for {architecture!r} (it has: {found})")
    return mine
