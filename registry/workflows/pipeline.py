"""The one pipeline: build -> inspect -> train -> save and reload, one architecture at a time.

``kreg check`` (every architecture, possibly in worker processes), the
contract checks of :mod:`kreg.testing` and ``kreg review`` all run it, each
choosing which stages run (:class:`PipelineOptions`). It never raises for a
failure of the architecture: the :class:`PipelineResult` says which stage and
phase failed and why, and holds what the stages before it found.
"""

from __future__ import annotations

import dataclasses
import enum
import math
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kreg.catalogue import Entry
from kreg.defaults import SMOKE_STEPS
from kreg.errors import ArchitectureFailure, describe_exception
from kreg.hyperparameters import resolve_hyperparameters
from kreg.json_fields import attribute_fields, rounded
from kreg.phases import Phase

if TYPE_CHECKING:
    import keras

    from kreg.inspect_tools.report_types import Report
    from kreg.running.building import BuiltArchitecture
    from kreg.running.training import TrainResult

SMOKE_PRESET = "smoke"
"""The preset the pipeline builds with, when the architecture has one."""


SMOKE_BATCH_SIZE = 8
"""The largest batch a smoke training uses (smaller when the architecture's own is)."""


class Inspection(str, enum.Enum):
    """How deep the inspect stage looks."""

    COUNT = "count"
    """Parameter counts only (``kreg check``)."""
    REPORT = "report"
    """The whole ``kreg inspect`` report: every layer call traced, the Dense list."""


class Stage(str, enum.Enum):
    """The stages of the pipeline, in order."""

    BUILD = "build"
    INSPECT = "inspect"
    TRAIN = "train"
    SAVE = "save"


@dataclass(frozen=True)
class PipelineOptions:
    """Which stages run, and how.

    Attributes:
        preset: str or None. Build with this preset when the architecture has
            it (ignored when hyperparameters are given to :func:`run_pipeline`).
        seed: int or None. Seed of Python, NumPy and TensorFlow before building.
        inspection: Inspection. ``COUNT`` or ``REPORT``.
        train: bool. Smoke-train the ``"model"`` component (when the
            architecture has a data adapter).
        steps: int. Training steps.
        batch_size: int or None. The largest batch to train with; None uses
            the architecture's own.
        callbacks: tuple[keras.callbacks.Callback, ...]. More callbacks for ``fit``.
        save_to: Path or None. Save the trained model in this folder and load
            it back (a temporary folder when ``save_and_reload`` is set and this is None).
        save_and_reload: bool. Run the save stage.
        contract: bool. Also check the contract's promises: the components
            the Architecture declares, a compiled ``"model"``, every component
            traced, metrics returned by the train step, the weights surviving
            a save and load.
        input_shapes: Mapping or sequence or None. Sizes after the batch axis
            for the report's compute, by input name or one shape for a single
            input (``--input-shape``); None takes unknown sizes from the data adapter.
        memory_batch_size: int or None. Estimate training memory at this batch
            size in the report (``--batch-size``); None uses the architecture's.
    """

    preset: str | None = SMOKE_PRESET
    seed: int | None = 0
    inspection: Inspection = Inspection.REPORT
    train: bool = True
    steps: int = SMOKE_STEPS
    batch_size: int | None = SMOKE_BATCH_SIZE
    callbacks: tuple[keras.callbacks.Callback, ...] = ()
    save_to: Path | None = None
    save_and_reload: bool = False
    contract: bool = False
    input_shapes: Any = None
    memory_batch_size: int | None = None


ROW_FIELDS = ("architecture", "status", "passed", "phase", "cause", "preset", "params", "trained", "steps")
"""The fields of ``kreg check --json``'s row that :meth:`PipelineResult.to_json` shows as they are, in order."""


@dataclass
class PipelineResult:
    """What the pipeline found for one architecture.

    Attributes:
        architecture: str. Its name.
        preset: str or None. The preset it was built with.
        hyperparameters: dict[str, Any]. The values it was built with.
        passed: bool. Every stage that ran succeeded.
        stage: Stage or None. The stage that failed.
        phase: Phase or None. The phase that failed (``build``, ``data``, ``train``, ...).
        cause: str or None. What went wrong, on one line.
        failure: ArchitectureFailure or None. The failure itself.
        params: dict[str, dict[str, int]]. Per component, ``total``,
            ``trainable`` and ``non_trainable``.
        report: Report or None. The ``kreg inspect`` report (``REPORT`` inspection).
        dense: dict[str, int]. Per component, the Dense layer calls traced.
        trained: bool. The train stage ran (False without a data adapter).
        training: TrainResult or None. The smoke training.
        steps: int. Training steps run.
        steps_per_second: float or None. Speed after the first step.
        metrics: dict[str, dict[str, Any]]. Each metric's first and last value.
        saved: str or None. The ``.keras`` file written (gone when the
            pipeline used a temporary folder).
        seconds: float. Wall time of the whole pipeline.
        built: BuiltArchitecture or None. The models, for callers that draw them.
        interrupted: bool. Ctrl-C or SIGTERM stopped the run before this
            architecture finished (``phase`` says what it was doing, None when
            it had not started).
    """

    architecture: str
    preset: str | None = None
    hyperparameters: dict[str, Any] = field(default_factory=dict)
    passed: bool = False
    stage: Stage | None = None
    phase: Phase | None = None
    cause: str | None = None
    failure: ArchitectureFailure | None = field(default=None, repr=False)
    params: dict[str, dict[str, int]] = field(default_factory=dict)
    report: Report | None = field(default=None, repr=False)
    dense: dict[str, int] = field(default_factory=dict)
    trained: bool = False
    training: TrainResult | None = field(default=None, repr=False)
    steps: int = 0
    steps_per_second: float | None = None
    metrics: dict[str, dict[str, Any]] = field(default_factory=dict)
    saved: str | None = None
    seconds: float = 0.0
    built: BuiltArchitecture | None = field(default=None, repr=False)
    interrupted: bool = False

    @property
    def status(self) -> str:
        """``pass``, ``fail`` or ``interrupted``: the word in ``kreg check``'s table and JSON."""
        if self.passed:
            return "pass"
        return "interrupted" if self.interrupted else "fail"

    @property
    def learning_metric(self) -> str | None:
        """The metric that says whether training learned: ``loss``, else the first the train step returns."""
        return "loss" if "loss" in self.metrics else next(iter(self.metrics), None)

    @property
    def learned(self) -> bool | None:
        """Whether the smoke training lowered :attr:`learning_metric` from its first step to its last.

        None when nothing was trained (no data adapter, or a failure before
        training). A few steps say little about a model's quality, but a loss
        that rises (or stays) on them is worth a look: ``kreg check
        --require-learning`` fails such rows.
        """
        name = self.learning_metric
        if not self.trained or name is None:
            return None
        first, last = self.metrics[name].get("first"), self.metrics[name].get("last")
        if not (isinstance(first, (int, float)) and isinstance(last, (int, float))):
            return False
        return math.isfinite(first) and math.isfinite(last) and last < first

    def fail(self, stage: Stage | None, failure: ArchitectureFailure) -> PipelineResult:
        """Mark the pipeline failed in ``stage`` (None: outside the stages) and return the result."""
        self.passed, self.stage, self.failure = False, stage, failure
        self.phase, self.cause = failure.phase, describe_exception(failure.cause)
        return self

    def detached(self) -> PipelineResult:
        """A copy that can cross a process boundary (a worker's result).

        The models, the training objects and the original exception stay
        behind; the phase and the cause travel as text.
        """
        failure = (
            None
            if self.failure is None
            else ArchitectureFailure(self.architecture, self.failure.phase, self.cause or "")
        )
        return dataclasses.replace(self, failure=failure, built=None, training=None)

    def to_json(self) -> dict[str, Any]:
        """Return the row ``kreg check --json`` prints."""
        return {
            **attribute_fields(self, ROW_FIELDS),
            "steps_per_second": rounded(self.steps_per_second, 3),
            "metrics": self.metrics,
            "learned": self.learned,
            "seconds": round(self.seconds, 3),
        }


class _StageFailed(Exception):
    """Ends the pipeline after a stage recorded its failure."""


def run_pipeline(
    entry: Entry, options: PipelineOptions = PipelineOptions(), hyperparameters: dict[str, Any] | None = None
) -> PipelineResult:
    """Build, inspect, smoke-train, save and reload one architecture, as ``options`` say.

    Never raises for a failure of the architecture (a builder raising, a NaN
    loss, kreg's own code failing on it): the result names the stage, the
    phase and the cause.

    Args:
        entry: Entry. The architecture.
        options: PipelineOptions. Which stages run, and how.
        hyperparameters: dict or None. Resolved values to build with; None
            resolves the defaults with ``options.preset`` (when the
            architecture has it).

    Returns:
        PipelineResult.
    """
    started = time.perf_counter()
    result = PipelineResult(entry.name)
    try:
        _resolve(entry, options, hyperparameters, result)
        built = _stage(result, Stage.BUILD, Phase.BUILD, _build, entry, options, result)
        _stage(result, Stage.INSPECT, Phase.INSPECT, _inspect, built, options, result)
        if options.train and entry.architecture.data_adapter is not None:
            _stage(result, Stage.TRAIN, Phase.TRAIN, _train, built, options, result)
        if options.save_and_reload:
            _stage(result, Stage.SAVE, Phase.SAVE, _save_and_reload, built, options, result)
        result.passed = True
    except _StageFailed:
        pass
    result.seconds = time.perf_counter() - started
    return result


def _stage(result: PipelineResult, stage: Stage, phase: Phase, run: Any, *args: Any) -> Any:
    """Run one stage; record any failure (in ``phase`` unless it names its own) and stop."""
    try:
        return run(*args)
    except ArchitectureFailure as failure:
        result.fail(stage, failure)
        raise _StageFailed from failure
    except Exception as error:  # a usage error under the preset, or kreg's own code failing on it: recorded
        result.fail(stage, ArchitectureFailure(result.architecture, phase, error))
        raise _StageFailed from error


def _resolve(
    entry: Entry, options: PipelineOptions, hyperparameters: dict[str, Any] | None, result: PipelineResult
) -> None:
    def resolve() -> None:
        if hyperparameters is not None:
            result.hyperparameters = dict(hyperparameters)
            return
        result.preset = options.preset if options.preset in entry.architecture.presets else None
        result.hyperparameters = resolve_hyperparameters(entry, (), result.preset)

    _stage(result, Stage.BUILD, Phase.HYPERPARAMETERS, resolve)


def _build(entry: Entry, options: PipelineOptions, result: PipelineResult) -> BuiltArchitecture:
    from kreg.running.building import build_fresh

    built = build_fresh(entry, result.hyperparameters, options.seed)  # frees the previous build's graphs and names
    result.built = built
    if options.contract:
        _require_declared_components(built)
    return built


def _require_declared_components(built: BuiltArchitecture) -> None:
    declared, returned = list(built.entry.architecture.components), list(built.components)
    if sorted(declared) != sorted(returned):
        raise ArchitectureFailure(
            built.name,
            Phase.BUILD,
            f"the builder returned components {returned}, but the Architecture declares components={tuple(declared)}",
        )
    if not built.model.compiled:
        raise ArchitectureFailure(
            built.name,
            Phase.BUILD,
            "the 'model' component is not compiled; call model.compile(optimizer=...) in the builder",
        )


def _inspect(built: BuiltArchitecture, options: PipelineOptions, result: PipelineResult) -> None:
    from kreg.running.inspecting import count_built_params, inspect_built

    if options.inspection is Inspection.COUNT:
        result.params = count_built_params(built)
        return
    result.report = inspect_built(built, None, options.input_shapes, options.memory_batch_size)
    for name, component in result.report.components.items():
        result.params[name] = component.params.to_json()
        result.dense[name] = len(component.dense)
    if options.contract:
        _require_traced(built.name, result.report)


def _require_traced(name: str, report: Report) -> None:
    for component_name, component in report.components.items():
        if component.note is not None:
            raise ArchitectureFailure(
                name, Phase.INSPECT, f"component {component_name!r} could not be traced: {component.note}"
            )
        if not component.layers:
            raise ArchitectureFailure(name, Phase.INSPECT, f"component {component_name!r} has no layers kreg can trace")


def _train(built: BuiltArchitecture, options: PipelineOptions, result: PipelineResult) -> None:
    from kreg.running.training import TrainOptions, train_model

    own = built.entry.architecture.batch_size
    batch_size = own if options.batch_size is None else min(own, options.batch_size)
    train_options = TrainOptions(steps=options.steps, batch_size=batch_size, quiet=True, callbacks=options.callbacks)
    training = train_model(built, train_options)
    result.training, result.trained, result.steps = training, True, training.trace.steps
    result.steps_per_second = training.trace.steps_per_second
    result.metrics = training.to_json()["metrics"]
    interruption = training.interruption(options.steps)
    if interruption is not None:
        raise interruption  # a KeyboardInterrupt: not a failure of this stage
    failure = training.failure()
    if failure is not None:
        raise failure
    if options.contract and not result.metrics:
        raise ArchitectureFailure(
            built.name, Phase.TRAIN, "the train step returned no metrics; return a dict such as {'loss': loss}"
        )


def _save_and_reload(built: BuiltArchitecture, options: PipelineOptions, result: PipelineResult) -> None:
    if options.save_to is not None:
        folder = Path(options.save_to)
        folder.mkdir(parents=True, exist_ok=True)
        _round_trip(built, folder / f"{built.name}.keras", result)
        return
    with tempfile.TemporaryDirectory(prefix="kreg-pipeline-") as temporary:
        _round_trip(built, Path(temporary) / f"{built.name}.keras", result)


def _round_trip(built: BuiltArchitecture, path: Path, result: PipelineResult) -> None:
    """Save the ``"model"`` component and load it back holding the same weights."""
    import numpy as np

    from kreg.running.model_files import load_saved_model
    from kreg.running.training import save_model

    model = built.model
    save_model(built.name, model, str(path))
    loaded = load_saved_model(built.entry, str(path))
    before, after = model.get_weights(), loaded.get_weights()
    shapes = [w.shape for w in before], [w.shape for w in after]
    if shapes[0] != shapes[1]:
        raise ArchitectureFailure(
            built.name,
            Phase.LOAD,
            f"the reloaded model's weights have shapes {shapes[1]}, the saved one's {shapes[0]}: check get_config()",
        )
    if not all(np.allclose(a, b, equal_nan=True) for a, b in zip(before, after)):
        raise ArchitectureFailure(built.name, Phase.LOAD, "the reloaded model's weights differ from the saved ones")
    result.saved = str(path)
