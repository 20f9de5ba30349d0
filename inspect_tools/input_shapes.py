"""The input shapes compute is counted at: the model's own, ``--input-shape``, or the data adapter's.

A model input may leave sizes unknown (``Input(shape=(None,))`` for a
sequence). Each unknown size is taken, in this order, from

1. ``--input-shape NAME=DIMS`` (source ``"option"``);
2. the data the architecture trains on (source ``"adapter"``): the first
   batch of its data adapter's synthetic data, matched to the inputs by
   name (a dict batch) or position; a component that the trained model calls
   (the seeds' Transformer decoder) gets the shapes that call received;
3. nothing: the size is counted as 1, and the component reports MACs per
   unknown position instead of a total (source ``"model"``).

The sizes a model fixes itself always win; ``--input-shape`` must agree with them.

These are decided once, before any model is reported: a frozen
:class:`ShapePlan` holds the checked ``--input-shape`` values, the adapter's
batch shapes and the shapes the trained model calls its sub-models with, all
as values. The running layer makes it (:func:`kreg.running.inspecting.shape_plan`:
reading the adapter and tracing the trained model run plugin code); nothing
here calls back into it.
"""

from __future__ import annotations

import numbers
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import KW_ONLY, dataclass, field, replace
from types import MappingProxyType
from typing import Any

from kreg.errors import KregUsageError
from kreg.inspect_tools.shapes import flat_shapes, is_shape

SOURCES = ("model", "adapter", "option")


@dataclass(frozen=True)
class ModelInput:
    """One input of a model: its name (as traces name it) and shape (batch axis ``None``)."""

    name: str
    shape: tuple

    def describe(self) -> str:
        """``encoder_inputs [?]``: the name and the sizes after the batch axis (``?`` unknown)."""
        sizes = ", ".join("?" if size is None else str(size) for size in self.shape[1:])
        return f"{self.name} [{sizes}]"


def model_inputs(model: Any) -> list[ModelInput]:
    """The inputs of a traceable model, flattened in call order.

    Raises:
        ValueError: the model's input shapes are unknown (a subclassed model never built).
    """
    import keras

    from kreg.inspect_tools.tracing import input_name, model_input_specs

    specs = keras.tree.flatten(model_input_specs(model))
    return [ModelInput(input_name(spec), tuple(spec.shape)) for spec in specs]


def parse_input_shapes(values: Iterable[str]) -> dict[str, list[int]]:
    """Parse ``--input-shape NAME=DIMS`` values: the sizes after the batch axis.

    DIMS are positive integers separated by ``,`` or ``x``: ``encoder_inputs=20``,
    ``image=224x224x3``.

    Raises:
        KregUsageError: a value is malformed, a size is not a positive integer,
            or a name is given twice.
    """
    shapes: dict[str, list[int]] = {}
    for value in values:
        name, sep, dims = value.partition("=")
        name, dims = name.strip(), dims.strip()
        if not sep or not name or not dims:
            raise KregUsageError(
                f"--input-shape {value!r}: expected NAME=DIMS, e.g. encoder_inputs=20 or image=224,224,3"
            )
        sizes = [part.strip() for part in re.split(r"[,x]", dims)]
        if not all(re.fullmatch(r"[0-9]+", size) and int(size) > 0 for size in sizes):
            raise KregUsageError(f"--input-shape {value!r}: sizes must be positive integers separated by ',' or 'x'")
        if name in shapes:
            raise KregUsageError(f"--input-shape {value!r}: input {name!r} is given twice")
        shapes[name] = [int(size) for size in sizes]
    return shapes


def input_shapes_by_name(value: Any, components: Mapping[str, Any]) -> dict[str, list[int]]:
    """Input shapes as a program gives them, by input name: sizes after the batch axis.

    Args:
        value: None, a mapping of input name to sizes (``{"encoder_inputs": [20]}``,
            what :func:`parse_input_shapes` returns), or one sequence of sizes
            (``(224, 224, 3)``) when the components have exactly one input.
        components: Mapping[str, keras.Model]. The models the shapes are for.

    Raises:
        KregUsageError: a size is not a positive integer, or a single shape
            is given for models with several inputs (or none).
    """
    if value is None:
        return {}
    if isinstance(value, Mapping):
        return {str(name): _sizes(str(name), sizes) for name, sizes in value.items()}
    names = list(dict.fromkeys(item.name for model in components.values() for item in _all_inputs(model)))
    if len(names) != 1:
        listing = ", ".join(names) or "none"
        raise KregUsageError(f"input_shapes: give a shape per input name ({{name: sizes}}); the inputs: {listing}")
    return {names[0]: _sizes(names[0], value)}


def _sizes(name: str, sizes: Any) -> list[int]:
    values = [sizes] if isinstance(sizes, numbers.Integral) else sizes
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise KregUsageError(
            f"input_shapes[{name!r}]: expected sizes after the batch axis, e.g. (224, 224, 3), got {sizes!r}"
        )
    values = list(values)
    if not values or not all(
        isinstance(size, numbers.Integral) and not isinstance(size, bool) and size > 0 for size in values
    ):
        raise KregUsageError(
            f"input_shapes[{name!r}]: sizes must be positive integers (after the batch axis), got {sizes!r}"
        )
    return [int(size) for size in values]


def check_input_shapes(options: Mapping[str, list[int]], inputs: Iterable[ModelInput]) -> None:
    """Check ``--input-shape`` values against the inputs of the components to report.

    Raises:
        KregUsageError: a name matches no input, a value has the wrong number
            of sizes, or it contradicts a size the model fixes. The message
            lists every input with its sizes after the batch axis.
    """
    inputs = list(inputs)
    by_name: dict[str, list[ModelInput]] = {}
    for item in inputs:
        by_name.setdefault(item.name, []).append(item)
    listing = ", ".join(dict.fromkeys(item.describe() for item in inputs)) or "none"
    for name, sizes in options.items():
        given = f"--input-shape {name}={','.join(map(str, sizes))}"
        if name not in by_name:
            raise KregUsageError(
                f"{given}: no input named {name!r}; the inputs (sizes after the batch axis): {listing}"
            )
        for item in by_name[name]:
            if len(sizes) != len(item.shape) - 1:
                raise KregUsageError(
                    f"{given}: input {name!r} takes {_count(len(item.shape) - 1, 'size')} after the batch axis, "
                    f"got {len(sizes)}; the inputs: {listing}"
                )
            for axis, (fixed, size) in enumerate(zip(item.shape[1:], sizes), start=1):
                if fixed is not None and fixed != size:
                    raise KregUsageError(
                        f"{given}: the model fixes axis {axis} of {name!r} at {fixed}; the inputs: {listing}"
                    )


def component_input_shapes(value: Any, components: Mapping[str, Any]) -> dict[str, list[int]]:
    """Input shapes as a program or ``--input-shape`` gives them, by name, checked against the components' inputs.

    :func:`input_shapes_by_name`, then :func:`check_input_shapes` against
    every input of the given components (and their sub-models).

    Raises:
        KregUsageError: as those two functions.
    """
    shapes = input_shapes_by_name(value, components)
    if shapes:
        check_input_shapes(shapes, [item for model in components.values() for item in _all_inputs(model)])
    return shapes


def _all_inputs(model: Any) -> list[ModelInput]:
    from kreg.inspect_tools.params import is_container_model, submodels

    if is_container_model(model):
        return [item for sub in submodels(model) for item in _all_inputs(sub)]
    try:
        return model_inputs(model)
    except (AttributeError, ValueError):  # a model that cannot be traced has no inputs to pin
        return []


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == 1 else "s")


@dataclass
class ResolvedInputs:
    """The shapes one model is counted at.

    Attributes:
        shapes: dict[str, list]. Per input, batch axis ``None``; sizes that
            stayed unknown are ``None`` too.
        source: str. ``"option"`` if ``--input-shape`` filled a size, else
            ``"adapter"`` if the training data did, else ``"model"``.
        notes: list[str]. Why sizes stayed unknown (a failing data adapter,
            a trained model that could not be traced).
    """

    shapes: dict[str, list]
    source: str = "model"
    notes: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """True when every size after the batch axis is known."""
        return all(size is not None for shape in self.shapes.values() for size in shape[1:])

    def for_trace(self) -> dict[str, list]:
        """The shapes to trace at: unknown sizes (after the batch axis) counted as 1 position."""
        return {
            name: [shape[0], *(1 if size is None else size for size in shape[1:])]
            for name, shape in self.shapes.items()
        }


@dataclass(frozen=True)
class BatchShapes:
    """The shapes of the model inputs in one batch of training data, batch axis first.

    Attributes:
        by_name: Mapping[str, tuple]. A dict batch: shapes by input name.
        by_position: tuple[tuple, ...]. A tuple batch: shapes in order (one
            tensor gives one shape).
    """

    by_name: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    by_position: tuple = ()

    @classmethod
    def of(cls, shapes: Any) -> BatchShapes:
        """From the shapes of a batch: a dict of shapes, a list of shapes, or one shape (lists of sizes)."""
        if is_shape(shapes):
            return cls(by_position=(tuple(shapes),))
        if isinstance(shapes, Mapping):
            return cls(by_name=MappingProxyType({str(name): _frozen(shape) for name, shape in shapes.items()}))
        if isinstance(shapes, (list, tuple)):
            return cls(by_position=tuple(_frozen(shape) for shape in shapes))
        return cls()


@dataclass(frozen=True)
class ModelCall:
    """A model called inside the trained model, with the shapes of its flattened inputs (batch axis ``None``).

    Attributes:
        model: keras.Model. The model called (a component such as the Transformer's decoder).
        shapes: tuple[tuple, ...]. The shape of each of its inputs at that call.
        source: str. Where the trained model's own unknown sizes came from.
    """

    model: Any
    shapes: tuple
    source: str


@dataclass(frozen=True)
class ShapePlan:
    """Where the unknown input sizes of the components come from, decided before any is reported.

    Made once per inspection (by :func:`kreg.running.inspecting.shape_plan`
    for an architecture, a file or a model) from values only; :meth:`resolve`
    reads it and changes nothing.

    Attributes:
        options: Mapping[str, tuple[int, ...]]. ``--input-shape`` values by
            input name, already checked: sizes after the batch axis.
        batch_size: int or None. The batch size training uses (for the
            training memory estimate of the trained component).
        adapter: BatchShapes or None. The data adapter's batch; None when it
            was not needed, there is none, or it failed.
        adapter_note: str or None. Why the adapter gave no shapes (it failed);
            a model whose sizes it would have filled gets this note.
        calls: tuple[ModelCall, ...]. The models called inside the trained
            model and the shapes of the first call of each.
        calls_note: str or None. Why ``calls`` is empty (the trained model
            could not be traced); a component that needed them gets this note.
        trained_trace: Trace or None. The trace ``calls`` were read from: the
            trained model at its planned sizes, which its report counts
            compute on instead of tracing it a second time.
    """

    # Given as any sequences of sizes; __post_init__ stores them as tuples in a read-only mapping.
    options: Mapping[str, Sequence[int]] = field(default_factory=lambda: MappingProxyType({}))
    _: KW_ONLY
    batch_size: int | None = None
    adapter: BatchShapes | None = None
    adapter_note: str | None = None
    calls: tuple[ModelCall, ...] = ()
    calls_note: str | None = None
    trained_trace: Any = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        # Frozen all the way down: the caller's dict and lists are copied into read-only values.
        options = {str(name): tuple(int(size) for size in sizes) for name, sizes in self.options.items()}
        object.__setattr__(self, "options", MappingProxyType(options))

    def resolve(self, model: Any, trained: bool) -> ResolvedInputs:
        """The shapes to count ``model`` at.

        Args:
            model: keras.Model. A traceable (non-container) model.
            trained: bool. True for the component the data adapter feeds.

        Raises:
            ValueError: the model's input shapes are unknown (a subclassed model never built).
        """
        inputs = model_inputs(model)
        shapes = {item.name: list(item.shape) for item in inputs}
        resolved = ResolvedInputs(shapes)
        for item in inputs:
            if item.name in self.options:
                shapes[item.name] = [item.shape[0], *self.options[item.name]]
                resolved.source = "option"
        if resolved.complete:
            return resolved
        hints, source = self._hints(model, inputs, trained, resolved)
        for item, hint in zip(inputs, hints):
            filled = _fill(shapes[item.name], hint)
            if filled != shapes[item.name]:
                shapes[item.name] = filled
                resolved.source = max(resolved.source, source, key=SOURCES.index)
        return resolved

    def incomplete(self, models: Iterable[tuple[Any, bool]]) -> list[tuple[Any, bool]]:
        """The ``(model, trained)`` pairs whose sizes this plan leaves unknown (untraceable models left out)."""
        left = []
        for model, trained in models:
            try:
                if not self.resolve(model, trained).complete:
                    left.append((model, trained))
            except (AttributeError, ValueError):  # input shapes unknown: the report says it cannot trace it
                continue
        return left

    def _hints(
        self, model: Any, inputs: list[ModelInput], trained: bool, resolved: ResolvedInputs
    ) -> tuple[list[Any], str]:
        """Per input, a shape from the model's call inside the trained model or from the adapter (or None)."""
        called = next((call for call in self.calls if call.model is model), None)
        if called is not None and len(called.shapes) == len(inputs):
            return list(called.shapes), called.source
        if not trained and self.calls_note:
            resolved.notes.append(self.calls_note)
        if self.adapter_note:
            resolved.notes.append(self.adapter_note)
        batch = self.adapter or BatchShapes()
        if batch.by_name:
            return [batch.by_name.get(item.name) for item in inputs], "adapter"
        if trained and len(batch.by_position) == len(inputs):
            return list(batch.by_position), "adapter"
        return [None] * len(inputs), "adapter"


def counted_models(components: Mapping[str, Any]) -> list[tuple[Any, bool]]:
    """The models a report traces and counts, each with True for the trained one.

    The trained one is the ``"model"`` component; a ``Model`` subclass without
    ``call()`` is counted through its sub-models, none of them trained.
    """
    return [item for key, model in components.items() for item in _counted(model, trained=key == "model")]


def _counted(model: Any, trained: bool) -> list[tuple[Any, bool]]:
    import keras

    from kreg.inspect_tools.params import is_container_model, submodels

    if is_container_model(model):
        return [item for sub in submodels(model) if isinstance(sub, keras.Model) for item in _counted(sub, False)]
    return [(model, trained)]


def with_trained_calls(plan: ShapePlan, trained_model: Any) -> ShapePlan:
    """``plan`` with the models called inside ``trained_model``, at the sizes ``plan`` gives it.

    One trace of the trained model (with the compute batch size) shows the
    shapes it calls its sub-models with: the Transformer's decoder gets the
    encoder's sequence length for its state input. When ``plan`` leaves a size
    of the trained model unknown, ``plan`` is returned as it is: a trace would
    put 1 in its place, and a sub-model would be counted at that 1 as if it
    were known.

    Raises:
        Exception: whatever the trace raises (Keras runs the plugin's layers);
            the running layer turns it into :attr:`ShapePlan.calls_note`.
    """
    import keras

    from kreg.inspect_tools.compute import TRACE_BATCH
    from kreg.inspect_tools.tracing import trace_model

    resolved = plan.resolve(trained_model, trained=True)
    if not resolved.complete:
        return plan
    trace = trace_model(trained_model, batch=TRACE_BATCH, input_shapes=resolved.for_trace())
    first: dict[int, ModelCall] = {}
    for call in trace.inner:
        if isinstance(call.layer, keras.Model) and id(call.layer) not in first:
            shapes = tuple(_frozen(shape) for shape in flat_shapes(call.input_shape))
            first[id(call.layer)] = ModelCall(call.layer, shapes, resolved.source)
    return replace(plan, calls=tuple(first.values()), trained_trace=trace)


def _frozen(shapes: Any) -> Any:
    """A shape or a nest of shapes as tuples (and read-only mappings)."""
    if isinstance(shapes, Mapping):
        return MappingProxyType({str(key): _frozen(value) for key, value in shapes.items()})
    if isinstance(shapes, (list, tuple)):
        return tuple(_frozen(value) for value in shapes)
    return shapes


def _fill(shape: list, hint: Any) -> list:
    """Fill the unknown sizes of ``shape`` (after the batch axis) from ``hint`` when the ranks agree."""
    if not isinstance(hint, (list, tuple)) or len(hint) != len(shape):
        return shape
    if any(not isinstance(size, int) and size is not None for size in hint):
        return shape  # a nest of shapes, not one shape
    for known, given in zip(shape[1:], hint[1:]):
        if known is not None and given is not None and known != given:
            return shape  # the data does not fit this input
    return [shape[0], *(known if known is not None else given for known, given in zip(shape[1:], hint[1:]))]
