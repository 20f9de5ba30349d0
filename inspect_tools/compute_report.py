"""The ``compute`` and ``memory`` parts of the inspection report.

:func:`trace_for_report` traces a model for the report: once, with the
compute batch size (:data:`~kreg.inspect_tools.compute.TRACE_BATCH`), when
every input size is known; otherwise once at the model's own shapes (for the
layer rows, whose unknown sizes stay ``None``) and once at the sizes the
:class:`~kreg.inspect_tools.input_shapes.ShapePlan` found (for compute).
:class:`ComputeSummary` adds up what the traced models of one component
contribute; :func:`compute_json`, :func:`memory_json` and
:func:`compute_fields` write it out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from kreg.inspect_tools.compute import TRACE_BATCH, TraceCompute, count_macs
from kreg.inspect_tools.input_shapes import SOURCES, ResolvedInputs, ShapePlan
from kreg.inspect_tools.memory import activation_bytes, parameter_bytes_by_dtype, training_estimate
from kreg.inspect_tools.shapes import format_shape
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
    """

    rows: Trace
    resolved: ResolvedInputs
    compute: TraceCompute | None = None
    compute_trace: Trace | None = None
    notes: list[str] = field(default_factory=list)

    def row_macs(self) -> dict[str, int]:
        """MACs of each call (its inner calls included) by path, from the compute trace."""
        if self.compute is None or self.compute_trace is None:
            return {}
        return {call.path: self.compute.total_macs[call.index] for call in self.compute_trace.inner}


def trace_for_report(model: Any, plan: ShapePlan, trained: bool) -> TracedModel:
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
    return traced


def _not_counted(resolved: ResolvedInputs, error: BaseException) -> str:
    """Why compute was left out; with unknown sizes (traced as 1), how to give them instead."""
    where = _describe_shapes(resolved.shapes)
    if resolved.complete:
        return f"compute not counted at {where}: {short_error(error)}"
    # A strided convolution cannot run on a 1 x 1 image: per-position counts need real sizes there.
    return (
        f"compute not counted: {where} has sizes the model leaves unknown, and it does not run with 1 in their "
        f"place; give them to kreg inspect --input-shape or kreg.inspect(..., input_shapes=...) ({short_error(error, 120)})"
    )


def _describe_shapes(shapes: Mapping[str, Any]) -> str:
    return ", ".join(f"{name} {format_shape(shape)}" for name, shape in shapes.items())


SOURCE_WORDS = {"model": "the model's own", "adapter": "from the data adapter", "option": "from --input-shape"}


def counted_at(compute: Mapping[str, Any]) -> str:
    """``encoder_inputs (None, 20) (from the data adapter)``: the shapes compute was counted at, and their source."""
    return f"{_describe_shapes(compute['input_shapes']) or 'no inputs'} ({SOURCE_WORDS[compute['shape_source']]})"


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
    input_shapes: dict[str, list] = field(default_factory=dict)
    source: str = "model"
    by_class: Counter = field(default_factory=Counter)
    activation_bytes: int = 0
    models: int = 0
    notes: list[str] = field(default_factory=list)

    def add(self, traced: TracedModel | None, prefix: str = "") -> None:
        """Add a traced model (None: one that could not be traced) under the path ``prefix``."""
        self.models += 1
        if traced is not None:
            where = f"{prefix.rstrip('/')}: " if prefix else ""
            self.notes.extend(where + note for note in traced.notes)
        if traced is None or traced.compute is None:
            self.counted = False
            return
        self.macs += traced.compute.total
        self.complete = self.complete and traced.resolved.complete
        self.input_shapes.update({prefix + name: shape for name, shape in traced.resolved.shapes.items()})
        self.source = max(self.source, traced.resolved.source, key=SOURCES.index)
        self.by_class.update(traced.compute.by_class)
        self.activation_bytes += activation_bytes(traced.compute_trace, traced.compute.repeats)

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

    @property
    def known(self) -> bool:
        """Counted, and at known input sizes: the figures are per example."""
        return self.counted and self.models > 0 and self.complete


def compute_json(summary: ComputeSummary) -> dict[str, Any]:
    """The ``compute`` object of DESIGN.md, with a ``note`` when something was not counted.

    The note is the compute's own, apart from the component's ``note`` (which
    says why a model could not be traced at all).
    """
    counted = summary.counted and summary.models > 0
    record = {
        "macs": summary.macs if summary.known else None,
        "macs_per_position": summary.macs if counted and not summary.complete else None,
        "input_shapes": summary.input_shapes,
        "shape_source": summary.source,
        "by_class": dict(summary.by_class.most_common()),
    }
    if summary.notes:
        record["note"] = "; ".join(dict.fromkeys(summary.notes))
    return record


def memory_json(model: Any, weights: list, summary: ComputeSummary, training_batch: int | None) -> dict[str, Any]:
    """The ``memory`` object of DESIGN.md, with the parameter bytes by dtype and the training breakdown.

    Args:
        model: keras.Model. The component (its optimizers size the training state).
        weights: list. The component's weights.
        summary: ComputeSummary. Its activations.
        training_batch: int or None. The batch size it trains with; None for a
            component that is not trained on its own.
    """
    by_dtype = parameter_bytes_by_dtype(weights)
    activations = summary.activation_bytes if summary.known else None
    training = None
    if training_batch is not None and activations is not None:
        training = training_estimate(model, activations, training_batch)
    return {
        "parameter_bytes": sum(by_dtype.values()),
        "activation_bytes_per_example": activations,
        "training_bytes": None if training is None else training.total,
        "parameter_bytes_by_dtype": by_dtype,
        "training": None if training is None else training.to_json(),
    }


def compute_fields(component: Mapping[str, Any]) -> list[list[str]]:
    """Rows of the text report's compute-and-memory table for one component."""
    compute, memory = component["compute"], component["memory"]
    rows = [["MACs per example", _macs_line(compute)]]
    rows.append(["input shapes", counted_at(compute)])
    total = sum(compute["by_class"].values())
    if total:
        parts = [
            f"{name} {human_count(macs)} ({100 * macs / total:.1f} %)" for name, macs in compute["by_class"].items()
        ]
        rows.append(["MACs by class", ", ".join(parts)])
    by_dtype = ", ".join(f"{dtype} {human_bytes(size)}" for dtype, size in memory["parameter_bytes_by_dtype"].items())
    rows.append(["parameters", f"{human_bytes(memory['parameter_bytes'])}" + (f" ({by_dtype})" if by_dtype else "")])
    activations = memory["activation_bytes_per_example"]
    rows.append(
        [
            "activations per example",
            "unknown (input sizes unknown)" if activations is None else human_bytes(activations),
        ]
    )
    if compute.get("note"):
        rows.append(["note", compute["note"]])
    training = memory["training"]
    if training is not None:
        parts = (
            f"parameters {human_bytes(training['parameters'])} + gradients {human_bytes(training['gradients'])} + "
            f"optimizer {human_bytes(training['optimizer_state'])} + activations {human_bytes(training['activations'])}"
        )
        rows.append([f"training, batch {training['batch_size']}", f"{human_bytes(training['total'])} = {parts}"])
    return rows


def _macs_line(compute: Mapping[str, Any]) -> str:
    if compute["macs"] is not None:
        return f"{compute['macs']:,} ({human_count(compute['macs'])}; FLOPs = 2 x MACs)"
    if compute["macs_per_position"] is not None:
        return (
            f"{compute['macs_per_position']:,} per unknown position (input sizes unknown; pin them with --input-shape)"
        )
    return "not counted (see the notes)"


def human_count(value: int) -> str:
    """``3.86 G``, ``50.8 k``, ``12``: three significant digits with a decimal prefix."""
    for factor, prefix in ((10**12, "T"), (10**9, "G"), (10**6, "M"), (10**3, "k")):
        if value >= factor:
            return f"{value / factor:.3g} {prefix}"
    return str(value)


def human_bytes(value: int) -> str:
    """``102.5 MB``, ``3.1 kB``, ``12 B``: decimal units, as torchinfo prints them."""
    for factor, unit in ((10**12, "TB"), (10**9, "GB"), (10**6, "MB"), (10**3, "kB")):
        if value >= factor:
            return f"{value / factor:.1f} {unit}"
    return f"{value} B"


def headline_macs(compute: Mapping[str, Any]) -> tuple[str, str]:
    """A component's MACs for a headline: ``("249 M", "MACs per example")``, or per position when sizes are unknown."""
    if compute["macs"] is not None:
        return _short(compute["macs"]), "MACs per example"
    if compute["macs_per_position"] is not None:
        return _short(compute["macs_per_position"]), "MACs per unknown position"
    return "not counted", "MACs"


def _short(value: int) -> str:
    return f"{value:,}" if value < 10**6 else human_count(value)


def dense_macs_cell(entry: Mapping[str, Any], component: Mapping[str, Any]) -> str:
    """The MACs of a Dense entry for a table: its own count, else its layer row's at the counted shapes.

    A Dense threaded over a size unknown to the model has ``macs: null`` in
    the ``dense`` list; the layer row counted it at the shapes of the
    component's ``compute`` (from the data adapter or ``--input-shape``), or per position.
    """
    if entry["macs"] is not None:
        return f"{entry['macs']:,}"
    row = next((row for row in component["layers"] if row["path"] == entry["path"]), {})
    if row.get("macs") is not None:
        where = {"adapter": "the data adapter's sizes", "option": "the --input-shape sizes"}
        source = component["compute"]["shape_source"]
        return f"{row['macs']:,} at {where[source]}" if source in where else f"{row['macs']:,}"
    if row.get("macs_per_position") is not None:
        return f"{row['macs_per_position']:,} per unknown position"
    return "not counted"
