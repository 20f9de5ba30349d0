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
"""

from __future__ import annotations

import numbers
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from kreg.errors import KregUsageError
from kreg.inspect_tools.shapes import is_shape

Shape = list  # list[int | None], the batch axis first

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
        notes: list[str]. Why sizes stayed unknown (a failing data adapter).
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


class ShapePlan:
    """Where the unknown input sizes of an architecture's components come from.

    Args:
        options: Mapping[str, list[int]]. ``--input-shape`` values, checked.
        adapter_shapes: Callable or None. Returns the shapes of the model
            inputs of one training batch (a dict by name, a list by position,
            or one shape); called at most once, and only when a size is unknown.
        batch_size: int or None. The batch size training uses (for the training
            memory estimate of the trained component).
        trace_trained: Callable or None. Traces the trained component (which
            calls :meth:`note_calls`); used when another component is
            reported without it and has unknown sizes.
    """

    def __init__(
        self,
        options: Mapping[str, list[int]] | None = None,
        adapter_shapes: Callable[[], Any] | None = None,
        batch_size: int | None = None,
        trace_trained: Callable[[], Any] | None = None,
    ):
        self.options = dict(options or {})
        self.batch_size = batch_size
        self.trace_trained = trace_trained
        self._adapter_shapes = adapter_shapes
        self._adapter: Any = None
        self._adapter_error: str | None = None
        self._called: dict[int, tuple[list[Shape], str]] = {}

    def note_calls(self, calls: Iterable[tuple[Any, list[Shape]]], source: str) -> None:
        """Remember the input shapes that models were called with inside the trained model.

        Args:
            calls: Iterable of ``(layer, shapes)``: a layer called inside the
                trained model's compute trace and the shapes of its flattened inputs.
            source: str. Where the trained model's own input sizes came from.
        """
        self.trace_trained = None
        for layer, shapes in calls:
            self._called.setdefault(id(layer), (shapes, source))

    def resolve(self, model: Any, trained: bool) -> ResolvedInputs:
        """The shapes to count ``model`` at.

        Args:
            model: keras.Model. A traceable (non-container) model.
            trained: bool. True for the component the data adapter feeds.
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

    def _hints(
        self, model: Any, inputs: list[ModelInput], trained: bool, resolved: ResolvedInputs
    ) -> tuple[list[Any], str]:
        """Per input, a shape from the calls seen in the trained model or from the adapter (or None)."""
        if not trained:
            self._trace_the_trained_model()
        called, source = self._called.get(id(model), (None, "adapter"))
        if called is not None and len(called) == len(inputs):
            return called, source
        batch = self._adapter_batch(resolved)
        if is_shape(batch):
            batch = [batch]  # one tensor: the model's one input
        if isinstance(batch, Mapping):
            return [batch.get(item.name) for item in inputs], "adapter"
        if trained and isinstance(batch, list) and len(batch) == len(inputs):
            return batch, "adapter"
        return [None] * len(inputs), "adapter"

    def _trace_the_trained_model(self) -> None:
        """Learn the shapes the trained model calls its sub-models with, once, if no report did yet."""
        trace_trained, self.trace_trained = self.trace_trained, None
        if trace_trained is None:
            return
        try:
            trace_trained()
        except Exception:  # the trained model cannot be traced: the adapter (or nothing) is left
            pass

    def _adapter_batch(self, resolved: ResolvedInputs) -> Any:
        if self._adapter_shapes is not None:
            adapter_shapes, self._adapter_shapes = self._adapter_shapes, None
            try:
                self._adapter = adapter_shapes()
            except Exception as error:  # compute falls back to counts per position; the note says why
                from kreg.errors import describe_exception

                self._adapter_error = f"input sizes not taken from the data adapter: {describe_exception(error)}"
        if self._adapter_error:
            resolved.notes.append(self._adapter_error)
        return self._adapter


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
