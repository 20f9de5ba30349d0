"""The ``compute`` and ``memory`` parts of the inspection report.

:func:`trace_for_report` traces a model for the report: once, with the
compute batch size (:data:`~kreg.inspect_tools.compute.TRACE_BATCH`), when
every input size is known; otherwise once at the model's own shapes (for the
layer rows, whose unknown sizes stay ``None``) and once at the sizes the
:class:`~kreg.inspect_tools.input_shapes.ShapePlan` found (for compute).
:class:`ComputeSummary` adds up what the traced models of one component
contribute; :func:`compute_report` and :func:`memory_report` make the
report's :class:`~kreg.inspect_tools.report_types.ComputeReport` and
:class:`~kreg.inspect_tools.report_types.MemoryReport` of it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from kreg.inspect_tools.backward import BackwardCompute, count_backward, count_trace_backward
from kreg.inspect_tools.bounds import combined
from kreg.inspect_tools.compute import TRACE_BATCH, TraceCompute, count_macs
from kreg.inspect_tools.input_shapes import SOURCES, ResolvedInputs, ShapePlan
from kreg.inspect_tools.keras_types import KerasModel, KerasVariable
from kreg.inspect_tools.memory import activation_bytes, parameter_bytes_by_dtype, training_estimate
from kreg.inspect_tools.positions import DETERMINED, NO_RATE, scaling
from kreg.inspect_tools.report_types import ComputeReport, MemoryReport, ShapeNest, UncountedOp, describe_shapes
from kreg.inspect_tools.tracing import Trace, short_error, trace_model


@dataclass
class TracedModel:
    """A model traced for the report.

    Attributes:
        rows: Trace. For the layer rows and the Dense report (the model's own shapes).
        resolved: ResolvedInputs. The shapes compute was counted at.
        compute: TraceCompute or None. None when the compute trace failed.
        compute_trace: Trace or None. The trace compute was counted on
            (``rows`` itself when every input size was known).
        notes: list[str]. What was not counted, and why.
        backward: BackwardCompute or None. The backward pass's MACs
            (:mod:`kreg.inspect_tools.backward`); None when not counted.
        scaling: str or None. With unknown sizes, how the count depends on
            them (:func:`~kreg.inspect_tools.positions.scaling`); None when every size is known.
    """

    rows: Trace
    resolved: ResolvedInputs
    compute: TraceCompute | None = None
    compute_trace: Trace | None = None
    notes: list[str] = field(default_factory=list)
    backward: BackwardCompute | None = None
    scaling: str | None = None

    @property
    def per_position(self) -> bool:
        """Counted per unknown position: sizes unknown, and the count grows in proportion to them."""
        return self.compute is not None and not self.resolved.complete and self.scaling != DETERMINED

    def row_macs(self) -> dict[str, int]:
        """MACs of each call (its inner calls included) by path, from the compute trace (none without a rate)."""
        if self.compute is None or self.compute_trace is None or self.scaling == NO_RATE:
            return {}
        return {call.path: self.compute.total_macs[call.index] for call in self.compute_trace.inner}

    def row_backward_macs(self) -> dict[str, int]:
        """Backward MACs of each call (its inner calls included) by path; empty when not counted."""
        return {} if self.backward is None else self.backward.by_path()


def trace_for_report(model: KerasModel, plan: ShapePlan, trained: bool) -> TracedModel:
    """Trace ``model`` for its rows and count its compute.

    Args:
        model: keras.Model. A traceable (non-container) model.
        plan: ShapePlan. Where unknown input sizes come from.
        trained: bool. True for the component the data adapter feeds.

    Returns:
        TracedModel.

    Raises:
        Exception: the model cannot be traced at all (its input shapes are unknown).
    """
    resolved = plan.resolve(model, trained)
    try:
        rows = trace_model(model, batch=TRACE_BATCH)
    except Exception as error:  # noqa: BLE001 - e.g. a model that only traces with an unknown batch; the note says why
        rows = trace_model(model)
        return TracedModel(rows, resolved, notes=[*resolved.notes, f"compute not counted: {short_error(error)}"])
    traced = TracedModel(rows, resolved, notes=list(resolved.notes))
    own_shapes = {name: list(shape) for name, shape in zip(rows.input_names, (rows.shape(t) for t in rows.root.inputs))}
    if resolved.for_trace() == own_shapes:
        traced.compute_trace = rows
    elif trained and plan.trained_trace is not None and plan.trained_trace.root.layer is model:
        traced.compute_trace = plan.trained_trace  # traced at these sizes when the plan was made
    else:
        try:
            traced.compute_trace = trace_model(model, batch=TRACE_BATCH, input_shapes=resolved.for_trace())
        except Exception as error:  # noqa: BLE001 - plugin layers raise anything; the rows stand, the note says why
            traced.notes.append(_not_counted(resolved, error))
            return traced
    traced.compute = count_macs(traced.compute_trace)
    traced.notes.extend(traced.compute.notes)
    own_trace = traced.compute_trace is not plan.trained_trace  # the plan's trace is not this report's to extend
    traced.backward = _backward(model, resolved, traced.notes, traced.compute_trace if own_trace else None)
    if not resolved.complete:
        traced.scaling, note = scaling(model, resolved, traced.compute.total)
        traced.notes.extend([note] if note else [])
    return traced


def _backward(
    model: KerasModel, resolved: ResolvedInputs, notes: list[str], compute_trace: Trace | None
) -> BackwardCompute | None:
    """The backward pass's MACs, counted on ``compute_trace`` when given, else on a trace of its own.

    The trace's graph gains the gradient operations. Reusing the compute trace
    (traced at the same sizes and batch) saves a second trace of the model, a
    third of the report's time on deep models; it is safe because every later
    reader of that trace (layer rows, data flow, receptive fields, activation
    memory) walks from the calls' tensors towards their inputs, never onto the
    gradient operations, and the forward MACs are already counted.
    """
    try:
        if compute_trace is not None:
            backward = count_trace_backward(compute_trace)
        else:
            backward = count_backward(model, resolved.for_trace())
    except Exception as error:  # noqa: BLE001 - plugin layers without gradients raise anything; the note says why
        notes.append(f"backward not counted: {short_error(error)}")
        return None
    notes.extend(backward.notes)
    return backward


def _not_counted(resolved: ResolvedInputs, error: BaseException) -> str:
    """Why compute was left out; with unknown sizes (traced as 1), how to give them instead."""
    where = describe_shapes(resolved.shapes)
    if resolved.complete:
        return f"compute not counted at {where}: {short_error(error)}"
    # A strided convolution cannot run on a 1 x 1 image: per-position counts need real sizes there.
    return (
        f"compute not counted: {where} has sizes the model leaves unknown, and it does not run with 1 in their "
        "place; give them to kreg inspect --input-shape or kreg.inspect(..., input_shapes=...) "
        f"({short_error(error, 120)})"
    )


@dataclass
class ComputeSummary:
    """Compute and activations of one component, summed over its traced models.

    Attributes:
        macs: int. MACs per example (per unknown position when ``complete`` is False).
        complete: bool. Every input size was known.
        counted: bool. At least one model was counted, and none failed.
        input_shapes: dict[str, list]. The shapes counted at, by input name
            (``sub/input`` for the sub-models of a container).
        source: str. The strongest source of an input size (option > adapter > model).
        by_class: Counter. MACs by layer class.
        activation_bytes: int. Activation bytes per example (per position when not complete).
    """

    macs: int = 0
    complete: bool = True
    counted: bool = True
    input_shapes: dict[str, ShapeNest] = field(default_factory=dict)
    source: str = "model"
    by_class: Counter[str] = field(default_factory=Counter)
    activation_bytes: int = 0
    models: int = 0
    notes: list[str] = field(default_factory=list)
    backward_macs: int = 0
    backward_counted: bool = True
    bounds: set[str] = field(default_factory=set)
    uncounted: Counter[tuple[str, str]] = field(default_factory=Counter)
    activation_count: int = 0
    no_rate: bool = False
    flops_by_op: Counter[str] = field(default_factory=Counter)
    saved_bytes: int = 0
    in_flight_bytes: int = 0

    def add(self, traced: TracedModel | None, prefix: str = "") -> None:
        """Add a traced model (None: one that could not be traced) under the path ``prefix``."""
        self.models += 1
        if traced is not None:
            where = f"{prefix.rstrip('/')}: " if prefix else ""
            self.notes.extend(where + note for note in traced.notes)
        if traced is None or traced.compute is None or traced.compute_trace is None:
            self.counted = False
            return
        self.macs += traced.compute.total
        self.complete = self.complete and (traced.resolved.complete or traced.scaling == DETERMINED)
        self.no_rate = self.no_rate or traced.scaling == NO_RATE
        self.input_shapes.update({prefix + name: shape for name, shape in traced.resolved.shapes.items()})
        self.source = max(self.source, traced.resolved.source, key=SOURCES.index)
        self.by_class.update(traced.compute.by_class)
        self.activation_bytes += activation_bytes(traced.compute_trace, traced.compute.repeats)
        if traced.backward is None or traced.backward.notes:
            self.backward_counted = False
        else:
            self.backward_macs += traced.backward.total
            self.saved_bytes += traced.backward.saved_bytes
            self.in_flight_bytes = max(self.in_flight_bytes, traced.backward.in_flight_bytes)
        self.bounds |= traced.compute.bounds
        self.activation_count += traced.compute.activation_count
        self.flops_by_op.update(traced.compute.flops_by_op)
        for (kind, path), runs in traced.compute.uncounted.items():
            self.uncounted[kind, _joined(prefix, path)] += runs

    def merge(self, other: ComputeSummary) -> None:
        """Add another summary's models (a container's sub-models) to this one."""
        self.macs += other.macs
        self.complete = self.complete and other.complete
        self.counted = self.counted and other.counted
        self.input_shapes.update(other.input_shapes)
        self.source = max(self.source, other.source, key=SOURCES.index)
        self.by_class.update(other.by_class)
        self.activation_bytes += other.activation_bytes
        self.models += other.models
        self.notes.extend(other.notes)
        self.backward_macs += other.backward_macs
        self.backward_counted = self.backward_counted and other.backward_counted
        self.bounds |= other.bounds
        self.uncounted.update(other.uncounted)
        self.activation_count += other.activation_count
        self.no_rate = self.no_rate or other.no_rate
        self.flops_by_op.update(other.flops_by_op)
        self.saved_bytes += other.saved_bytes
        self.in_flight_bytes = max(self.in_flight_bytes, other.in_flight_bytes)

    @property
    def known(self) -> bool:
        """Counted, and at known input sizes: the figures are per example."""
        return self.counted and self.models > 0 and self.complete

    @property
    def backward(self) -> int | None:
        """Backward MACs per example; None when the forward ones are not per example or a model's were not counted."""
        return self.backward_macs if self.known and self.backward_counted else None


def compute_report(summary: ComputeSummary, count: str = "macs") -> ComputeReport:
    """The component's ``compute``, with a ``note`` when something was not counted.

    The note is the compute's own, apart from the component's ``note`` (which
    says why a model could not be traced at all).

    Args:
        summary: ComputeSummary. The component's traced models, added up.
        count: str. ``"macs"``; ``"all"`` adds the FLOPs of every operation
            (``flops``, ``by_op``: :mod:`kreg.inspect_tools.flops`).
    """
    counted = summary.counted and summary.models > 0
    rate = counted and not summary.complete and not summary.no_rate
    return ComputeReport(
        macs=summary.macs if summary.known else None,
        macs_per_position=summary.macs if rate else None,
        input_shapes=summary.input_shapes,
        shape_source=summary.source,
        by_class=dict(summary.by_class.most_common()),
        note="; ".join(dict.fromkeys(summary.notes)) if summary.notes else None,
        backward_macs=summary.backward,
        training_step_macs=None if summary.backward is None else summary.macs + summary.backward,
        exact=(summary.known or rate) and not summary.bounds,
        bounds=combined(summary.bounds),
        uncounted=tuple(UncountedOp(kind, runs, path) for (kind, path), runs in summary.uncounted.items()),
        activation_count=summary.activation_count if summary.known else None,
        count=count,
        by_op=dict(summary.flops_by_op.most_common()) if count == "all" and summary.known else None,
    )


def _joined(prefix: str, path: str) -> str:
    """A call's path under a container's sub-model prefix (the sub-model's own root is the prefix itself)."""
    return prefix + path if path else prefix.rstrip("/")


def memory_report(
    model: KerasModel, weights: list[KerasVariable], summary: ComputeSummary, training_batch: int | None
) -> MemoryReport:
    """The component's ``memory``: parameter bytes by dtype, activations, and the training estimate.

    Args:
        model: keras.Model. The component (its optimizers size the training state).
        weights: list. The component's weights.
        summary: ComputeSummary. Its activations.
        training_batch: int or None. The batch size it trains with; None for a
            component that is not trained on its own.
    """
    activations = summary.activation_bytes if summary.known else None
    saved = summary.saved_bytes if summary.backward is not None else None
    training = None
    if training_batch is not None and activations is not None:
        # What a step keeps for its backward pass; the layer outputs where that was not counted.
        kept, in_flight = (activations, 0) if saved is None else (saved, summary.in_flight_bytes)
        training = training_estimate(model, kept, training_batch, in_flight)
    return MemoryReport(parameter_bytes_by_dtype(weights), activations, training, saved)
