"""Tracing every layer call of a model, including calls inside custom layers.

Keras gives graph nodes only to the layers a functional model is built from; a
Dense inside a custom ``Layer.call`` or inside ``MultiHeadAttention`` has none.
To see those, kreg calls the model once on placeholder tensors in a scratch
TensorFlow graph (nothing is computed) while ``keras.layers.Layer.__call__`` is
wrapped to record each call: the layer, its path of layer names from the traced
model down, the tensors that went in and came out, and their shapes. A layer
called twice (a shared Dense) gives two calls.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from kreg.errors import KerasIncompatible
from kreg.inspect_tools import keras_compat
from kreg.inspect_tools.shapes import shape_of


@dataclass
class Call:
    """One call of a layer seen while tracing.

    Attributes:
        index: int. Position in call order (a parent comes before its children).
        path: str. Layer names from the traced model down, joined by ``/``;
            a repeated call of the same layer at the same path gets ``#2``, ``#3``...
        layer: keras.layers.Layer. The layer that was called.
        parent: int or None. Index of the enclosing call (None for the traced root).
        inputs: list. The tensors passed in (positional and keyword), flattened.
        outputs: list. The tensors returned, flattened.
        input_shape: Any. Shape of the first argument (a nest of shapes for a
            list or dict of tensors).
        output_shape: Any. Shape of what the call returned.
        children: list[int]. Indices of the calls made inside this one.
    """

    index: int
    path: str
    layer: Any
    parent: int | None
    inputs: list = field(default_factory=list)
    outputs: list = field(default_factory=list)
    input_shape: Any = None
    output_shape: Any = None
    children: list[int] = field(default_factory=list)

    @property
    def depth(self) -> int:
        """Nesting depth: 1 for the layers of the traced model itself."""
        return self.path.count("/") + 1


@dataclass
class Trace:
    """The calls made while calling one model (or layer) once.

    Attributes:
        calls: list[Call]. Every call in call order; the first is the call of
            the traced model or layer itself (path ``""``), the root.
        input_names: list[str]. Names of the root's inputs, in the order of
            ``root.inputs``.
        output_names: list[str]. Names of the root's outputs, in the order of
            ``root.outputs``: the keys of a dict output, else ``output``,
            ``output_0``, ``output_1``...
    """

    calls: list[Call]
    input_names: list[str]
    output_names: list[str] = field(default_factory=list)

    @property
    def root(self) -> Call:
        """The call of the traced model or layer itself."""
        return self.calls[0]

    @property
    def inner(self) -> list[Call]:
        """Every call below the root, in call order."""
        return self.calls[1:]

    def children(self, call: Call) -> list[Call]:
        """The calls made directly inside ``call``."""
        return [self.calls[index] for index in call.children]


class _Recorder:
    """Wraps ``Layer.__call__`` while active and records each call."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self._stack: list[Call] = []
        self._seen_paths: dict[str, int] = {}

    def active(self) -> contextlib.AbstractContextManager:
        recorder = self

        def wrap(original: Any) -> Any:
            def recording_call(layer: Any, *args: Any, **kwargs: Any) -> Any:
                call = recorder._open(layer, args, kwargs)
                try:
                    outputs = original(layer, *args, **kwargs)
                finally:
                    recorder._stack.pop()
                call.outputs = _flat_tensors(outputs)
                call.output_shape = shape_of(outputs)
                return outputs

            return recording_call

        return keras_compat.layer_calls_wrapped(wrap)

    def _open(self, layer: Any, args: tuple, kwargs: dict) -> Call:
        parent = self._stack[-1] if self._stack else None
        call = Call(
            index=len(self.calls),
            path=self._path(parent, layer),
            layer=layer,
            parent=None if parent is None else parent.index,
            inputs=_flat_tensors((args, kwargs)),
            input_shape=shape_of(_first_argument(args, kwargs)),
        )
        if parent is not None:
            parent.children.append(call.index)
        self.calls.append(call)
        self._stack.append(call)
        return call

    def _path(self, parent: Call | None, layer: Any) -> str:
        if parent is None:
            return ""
        path = f"{parent.path}/{layer.name}" if parent.path else layer.name
        count = self._seen_paths.get(path, 0) + 1
        self._seen_paths[path] = count
        return path if count == 1 else f"{path}#{count}"


def trace_model(model: Any) -> Trace:
    """Call a model once on placeholders and record every layer call.

    Args:
        model: keras.Model. A functional or Sequential model, or a subclassed
            model that has been built (its input shapes are known).

    Returns:
        Trace. The calls, with shapes; unknown sizes (the batch) stay ``None``.

    Raises:
        ValueError: the model's input shapes are unknown (a subclassed model
            that was never built or called).
    """
    return trace_call(model, (model_input_specs(model),), {})


def trace_call(layer: Any, args: tuple, kwargs: dict) -> Trace:
    """Call ``layer(*args, **kwargs)`` on placeholders and record every layer call.

    Args:
        layer: keras.layers.Layer. The layer (or model) to call.
        args: tuple. Positional arguments; KerasTensors (or :class:`InputSpec`
            values) become placeholders of their shape and dtype.
        kwargs: dict. Keyword arguments, converted the same way.

    Returns:
        Trace. ``root.inputs`` lists the placeholders in the order the
        KerasTensors appear in ``(args, kwargs)``.

    Raises:
        KerasIncompatible: no call was recorded, not even ``layer``'s own:
            Keras no longer dispatches calls through ``Layer.__call__``.
    """
    import keras
    import tensorflow as tf

    recorder = _Recorder()
    # Keras's warnings here (a mask "destroyed", ...) repeat what building the model said.
    with (
        warnings.catch_warnings(),
        keras.StatelessScope(collect_losses=True),
        keras_compat.scratch_graph("kreg_trace"),
    ):
        warnings.simplefilter("ignore")
        names: list[str] = []
        args, kwargs = keras.tree.map_structure(lambda x: _placeholder(x, names), (args, kwargs))
        with recorder.active():
            outputs = layer(*args, **kwargs)
    if not recorder.calls:
        raise KerasIncompatible(
            f"tracing saw no layer calls while calling {layer.name!r}: Keras {keras.__version__} changed its "
            "call dispatch (kreg.inspect_tools.keras_compat.layer_calls_wrapped needs updating)"
        )
    return Trace(calls=recorder.calls, input_names=names, output_names=output_names(outputs))


def output_names(structure: Any, layer_names: list[str] | None = None) -> list[str]:
    """Names for the tensors of a model's output structure, in flattened order.

    Args:
        structure: Any. A tensor, or a list or dict of tensors.
        layer_names: list[str] or None. Names of the layers producing each
            tensor (Keras's ``output_names``), used when the structure is not a dict.

    Returns:
        list[str]. Dict keys (``a/b`` when nested), else the layer names, else
        ``output`` or ``output_0``, ``output_1``...
    """
    import keras
    import tensorflow as tf

    paths = [path for path, item in keras.tree.flatten_with_path(structure) if _is_tensor(item, tf)]
    if isinstance(structure, dict):
        return ["/".join(str(part) for part in path) for path in paths]
    if layer_names and len(layer_names) == len(paths):
        return list(layer_names)
    return ["output"] if len(paths) == 1 else [f"output_{index}" for index in range(len(paths))]


def _is_tensor(item: Any, tf: Any) -> bool:
    import keras

    return tf.is_tensor(item) or isinstance(item, keras.KerasTensor)


@dataclass(frozen=True)
class InputSpec:
    """Shape, dtype and name of one model input, for models without KerasTensor inputs."""

    shape: tuple
    dtype: str = "float32"
    name: str = "input"


def model_input_specs(model: Any) -> Any:
    """The structure of a model's inputs: KerasTensors or :class:`InputSpec` values.

    Functional and Sequential models have their ``input``; a built subclassed
    model has the shapes it was built with (batch size made unknown).

    Raises:
        ValueError: the input shapes are unknown.
    """
    try:
        inputs = model.input
    except (AttributeError, ValueError):
        inputs = None
    if inputs is not None:
        return inputs
    shapes = keras_compat.built_input_shapes(model)
    if not shapes:
        raise ValueError(f"the input shapes of {model.name!r} are unknown: build or call it first")
    specs = [_spec_from_shape(shape, name) for name, shape in shapes.items()]
    return specs[0] if len(specs) == 1 else specs


def _spec_from_shape(shape: Any, name: str) -> Any:
    if isinstance(shape, (list, tuple)) and shape and isinstance(shape[0], (list, tuple)):
        return [_spec_from_shape(item, f"{name}_{i}") for i, item in enumerate(shape)]
    return InputSpec(shape=(None, *tuple(shape)[1:]), name=name.removesuffix("_shape"))


def _placeholder(value: Any, names: list[str]) -> Any:
    import keras
    import tensorflow as tf

    if isinstance(value, (keras.KerasTensor, InputSpec)):
        names.append(_input_name(value))
        return tf.compat.v1.placeholder(shape=value.shape, dtype=value.dtype, name=_safe_name(names[-1]))
    return value


def _input_name(value: Any) -> str:
    operation = keras_compat.producing_operation(value)
    return getattr(operation, "name", None) or getattr(value, "name", None) or "input"


def _safe_name(name: str) -> str:
    return "".join(c if c.isalnum() or c in "_.-" else "_" for c in name).lstrip("_.-") or "input"


def short_error(error: BaseException, limit: int = 200) -> str:
    """``Type: message`` on one line, without the call details Keras wraps around a layer's error."""
    message = str(error)
    if "\x1b[1m" in message:  # Keras: "Exception encountered when calling X.call(). <bold>cause</bold> Arguments..."
        message = message.split("\x1b[1m", 1)[1].split("\x1b[0m", 1)[0]
    return " ".join(f"{type(error).__name__}: {message}".split())[:limit]


def _first_argument(args: tuple, kwargs: dict) -> Any:
    if args:
        return args[0]
    if "inputs" in kwargs:
        return kwargs["inputs"]
    return next((value for value in kwargs.values() if _flat_tensors(value)), None)


def _flat_tensors(structure: Any) -> list:
    import keras
    import tensorflow as tf

    return [item for item in keras.tree.flatten(structure) if tf.is_tensor(item)]
