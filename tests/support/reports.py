"""Hand-made inspection reports (typed, as kreg.inspect_tools.report makes them) for tests of the diff."""

from __future__ import annotations

from kreg.inspect_tools.report_types import (
    ComponentReport,
    ComputeReport,
    LayerRow,
    MemoryReport,
    ParamCounts,
    Report,
    TrainingEstimate,
)


def layer_row(path, cls="Dense", shape=(None, 8), out=None, params=0, macs=None) -> LayerRow:
    """A row of ``layers``: the input shape ``shape``, the output ``out`` (``shape`` when None)."""
    return LayerRow(path, cls, list(shape), list(out or shape), params, mac_count=macs)


def component(rows, params, macs=None, memory=None) -> ComponentReport:
    """A Functional component with these rows, ``params`` all trainable.

    Args:
        macs: int or None. Its compute's MACs per example (None: not counted).
        memory: tuple or None. ``(parameter bytes, activation bytes per example, training bytes)``.
    """
    compute = ComputeReport(macs=macs, macs_per_position=None, input_shapes={}, shape_source="model", by_class={})
    parameter_bytes, activations, training = memory or (4 * params, None, None)
    estimate = None if training is None else TrainingEstimate(1, parameter_bytes, training - parameter_bytes, 0, 0)
    return ComponentReport(
        model_class="Functional",
        params=ParamCounts(params, params, 0),
        layers=tuple(rows),
        dense=(),
        compute=compute,
        memory=MemoryReport({"float32": parameter_bytes}, activations, estimate),
    )


def report(rows, params, macs=None, memory=None, name="x", hyperparameters=None) -> Report:
    """An architecture whose one component, ``model``, is :func:`component`."""
    return Report(name, hyperparameters or {}, {"model": component(rows, params, macs, memory)})
