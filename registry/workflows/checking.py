"""``kreg check``: the pipeline over every matching architecture, one result each.

Each architecture is checked in a child process of its own, under a time
limit (:mod:`kreg.running.workers`): whatever fails (a phase raising, a
non-finite metric, the process exiting, crashing or hanging) becomes that
architecture's result, and the next one is checked as usual. Ctrl-C or
SIGTERM ends the run with the results so far; the rest are marked interrupted.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from kreg.catalogue import Entry
from kreg.defaults import CHECK_STEPS, CHECK_TIMEOUT
from kreg.errors import ArchitectureFailure
from kreg.phases import Phase
from kreg.processes import Interrupted
from kreg.running.workers import Unfinished, run_isolated
from kreg.workflows.pipeline import Inspection, PipelineOptions, PipelineResult, Stage, run_pipeline


@dataclass
class CheckRun:
    """Every architecture's result, and whether the run was interrupted.

    Attributes:
        results: list[PipelineResult]. In the order the entries were given;
            after an interruption, the unfinished ones have ``interrupted`` set.
        interrupted: Interrupted or None. The signal that ended the run early.
    """

    results: list[PipelineResult]
    interrupted: Interrupted | None = None

    @property
    def failed(self) -> list[PipelineResult]:
        """The results that failed (not those interrupted)."""
        return [result for result in self.results if result.status == "fail"]


def check_pipeline(steps: int = CHECK_STEPS) -> PipelineOptions:
    """The stages ``kreg check`` runs: build (smoke preset), count parameters, smoke-train."""
    return PipelineOptions(inspection=Inspection.COUNT, steps=steps)


def check_one(entry: Entry, steps: int = CHECK_STEPS) -> PipelineResult:
    """Check one architecture in this process, as ``kreg check``'s child does; never raises for its failure."""
    return run_pipeline(entry, check_pipeline(steps))


def check_all(
    entries: Sequence[Entry],
    jobs: int = 1,
    steps: int = CHECK_STEPS,
    timeout: float | None = CHECK_TIMEOUT,
    disabled: Sequence[str] = (),
    on_result: Callable[[PipelineResult], None] | None = None,
    require_learning: bool = False,
) -> CheckRun:
    """Check every entry, each in a child process of its own, ``jobs`` at a time.

    Args:
        entries: Sequence[Entry]. The architectures.
        jobs: int. Child processes running at once.
        steps: int. Training steps per architecture.
        timeout: float or None. Seconds each architecture may take; None for no limit.
        disabled: Sequence[str]. Plugins a child skips if it must load the catalogue itself.
        on_result: callable or None. Called with each result as it arrives.
        require_learning: bool. Fail a row whose smoke training did not lower
            its loss (:attr:`PipelineResult.learned` is False).

    Returns:
        CheckRun. Never raises for an architecture's failure, nor for Ctrl-C.
    """
    report = on_result or (lambda result: None)

    def arrived(name: str, result: PipelineResult) -> None:
        if require_learning:
            fail_unless_learned(result)
        report(result)

    run = run_isolated(
        _CheckTask(steps),
        entries,
        jobs=jobs,
        timeout=timeout,
        disabled=disabled,
        on_result=arrived,
        on_lost=_lost,
    )
    unfinished = {item.name: item for item in run.unfinished}
    results = [
        run.results[entry.name] if entry.name in run.results else _interrupted(unfinished[entry.name])
        for entry in entries
    ]
    return CheckRun(results, run.interrupted)


def fail_unless_learned(result: PipelineResult) -> PipelineResult:
    """Fail a passed row whose smoke training did not lower its loss (``--require-learning``); return it."""
    name = result.learning_metric
    if not result.passed or result.learned is not False or name is None:
        return result
    first, last = result.metrics[name]["first"], result.metrics[name]["last"]
    cause = (
        f"{name} did not fall in {result.steps} steps ({first:.6g} -> {last:.6g}); --require-learning asks that it does"
    )
    return result.fail(Stage.TRAIN, ArchitectureFailure(result.architecture, Phase.TRAIN, cause))


class _CheckTask:
    """``check_one`` with its steps, picklable for the child processes."""

    def __init__(self, steps: int):
        self.steps = steps

    def __call__(self, entry: Entry) -> PipelineResult:
        return check_one(entry, self.steps).detached()


def _lost(name: str, failure: ArchitectureFailure, seconds: float) -> PipelineResult:
    return dataclasses.replace(PipelineResult(name).fail(None, failure), seconds=seconds)


def _interrupted(unfinished: Unfinished) -> PipelineResult:
    phase = unfinished.phase
    cause = "interrupted before it started" if phase is None else f"interrupted while {phase.activity}"
    return PipelineResult(unfinished.name, phase=phase, cause=cause, interrupted=True)
