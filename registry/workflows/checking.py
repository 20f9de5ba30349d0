"""``kreg check``: the pipeline over every matching architecture, one result each.

Each architecture is checked on its own: whatever fails (a phase raising, a
non-finite metric) becomes that architecture's result, and the next one is
checked as usual. With ``jobs > 1`` the architectures are spread over worker
processes (:mod:`kreg.running.workers`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from kreg.catalogue import Entry
from kreg.errors import ArchitectureFailure
from kreg.phases import Phase
from kreg.running.workers import run_in_workers
from kreg.workflows.pipeline import SMOKE_STEPS, Inspection, PipelineOptions, PipelineResult, run_pipeline

CHECK_STEPS = SMOKE_STEPS
"""Smoke-training steps per architecture of ``kreg check`` (``--steps``)."""


def check_pipeline(steps: int = CHECK_STEPS) -> PipelineOptions:
    """The stages ``kreg check`` runs: build (smoke preset), count parameters, smoke-train."""
    return PipelineOptions(inspection=Inspection.COUNT, steps=steps)


def check_one(entry: Entry, steps: int = CHECK_STEPS) -> PipelineResult:
    """Check one architecture as ``kreg check`` does; never raises for its failure."""
    return run_pipeline(entry, check_pipeline(steps))


def check_all(
    entries: Sequence[Entry],
    jobs: int = 1,
    steps: int = CHECK_STEPS,
    disabled: Sequence[str] = (),
    on_result: Callable[[PipelineResult], None] | None = None,
) -> list[PipelineResult]:
    """Check every entry, in this process or in ``jobs`` worker processes.

    Args:
        entries: Sequence[Entry]. The architectures.
        jobs: int. Worker processes; 1 checks in this process.
        steps: int. Training steps per architecture.
        disabled: Sequence[str]. Plugins the workers must skip too (the workers
            load the catalogue themselves).
        on_result: callable or None. Called with each result as it arrives.

    Returns:
        list[PipelineResult]. In the order of ``entries``.
    """
    report = on_result or (lambda result: None)
    if jobs <= 1 or len(entries) <= 1:
        results = []
        for entry in entries:
            results.append(check_one(entry, steps))
            report(results[-1])
        return results
    names = [entry.name for entry in entries]
    by_name = run_in_workers(
        _CheckTask(steps), names, jobs, disabled, on_result=lambda name, result: report(result), on_lost=_lost
    )
    return [by_name[name] for name in names]


class _CheckTask:
    """``check_one`` with its steps, picklable for the worker processes."""

    def __init__(self, steps: int):
        self.steps = steps

    def __call__(self, entry: Entry) -> PipelineResult:
        return check_one(entry, self.steps).detached()


def _lost(name: str) -> PipelineResult:
    cause = "the worker process died (out of memory or a crash in native code)"
    return PipelineResult(name).fail(None, ArchitectureFailure(name, Phase.CHECK, cause))

