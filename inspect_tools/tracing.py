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
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from kreg.errors import KerasIncompatible
from kreg.inspect_tools import keras_compat
from kreg.inspect_tools.call_copies import CallCopies, Copy
from kreg.inspect_tools.keras_compat import WHILE_TYPES, loop_body
from kreg.inspect_tools.op_owners import OpOwners
from kreg.inspect_tools.shapes import shape_of, without_batch


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
        graph: tf.Graph or None. The graph the call was made in: the trace's
            own, or the body of a while loop (a recurrent layer's cell).
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
    graph: Any = None

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
        graph: tf.Graph or None. The scratch graph the model was called in.
        batch: int or None. The batch size of the placeholders (None: unknown).
            Recorded shapes show ``None`` for it all the same.
        owners: OpOwners or None. Which call created each operation.
        trainable_inputs: list. The placeholders standing for the traced
            model's trainable weights (what a training step differentiates);
            a frozen weight never shares one with a trainable weight.
        configs: Mapping[int, Mapping]. ``get_config()`` of the layers whose
            configuration tracing read (by ``id`` of the layer), for reports to reuse.
        kinds: Mapping[int, tuple]. For operations made by a repeated call or
            its first call (by ``id`` of the operation): operations of one kind
            are alike in all that a figure reads (see ``CallCopies.kinds``), so
            a figure may be worked out once per kind.
    """

    calls: list[Call]
    input_names: list[str]
    output_names: list[str] = field(default_factory=list)
    graph: Any = None
    batch: int | None = None
    owners: OpOwners | None = None
    trainable_inputs: list = field(default_factory=list)
    configs: Mapping[int, Mapping[str, Any]] = field(default_factory=dict)
    kinds: Mapping[int, tuple[int, int]] = field(default_factory=dict)
    _loops: dict[int, Any] | None = field(default=None, init=False, repr=False)

    def shape(self, tensor: Any) -> Any:
        """The shape of a traced tensor as reports show it (the batch axis ``None``)."""
        return without_batch(shape_of(tensor), self.batch)

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

    def loop_of(self, body: Any) -> Any:
        """The While operation whose body is the graph ``body``, or None."""
        if self._loops is None:
            self._loops = {} if self.graph is None else _while_loops(self.graph)
        return self._loops.get(id(body))


def _while_loops(graph: Any) -> dict[int, Any]:
    """Every While operation of ``graph`` and of the loop bodies inside it, by the id of its body."""
    loops: dict[int, Any] = {}
    pending = [graph]
    while pending:
        for op in pending.pop().get_operations():
            body = loop_body(op) if op.type in WHILE_TYPES else None
            if body is not None:
                loops[id(body)] = op
                pending.append(body)
    return loops


class _Recorder:
    """Wraps ``Layer.__call__`` while active and records each call (copying repeated ones, when ``copies`` is given)."""

    def __init__(self, batch: int | None = None, copies: CallCopies | None = None) -> None:
        self.calls: list[Call] = []
        self.owners = OpOwners()
        self._batch = batch
        self._stack: list[Call] = []
        self._copies = copies

    def active(self) -> contextlib.AbstractContextManager:
        recorder = self

        def wrap(original: Any) -> Any:
            def recording_call(layer: Any, *args: Any, **kwargs: Any) -> Any:
                begun = None if recorder._copies is None else recorder._copies.begin(layer, args, kwargs)
                if isinstance(begun, Copy):
                    return recorder._add_copy(begun)
                call = recorder._open(layer, args, kwargs)
                try:
                    outputs = original(layer, *args, **kwargs)
                finally:
                    recorder._close()
                call.outputs = _flat_tensors(outputs)
                call.output_shape = without_batch(shape_of(outputs), recorder._batch)
                if begun is not None:
                    begun.remember(outputs, recorder.calls[call.index :], recorder.owners.owner)
                return outputs

            return recording_call

        return keras_compat.layer_calls_wrapped(wrap)

    def _add_copy(self, copied: Copy) -> Any:
        """Record a copied call and the calls inside it; its operations get their owners."""
        import tensorflow as tf

        graph = tf.compat.v1.get_default_graph()
        first = len(self.calls)
        enclosing = self._stack[-1].index if self._stack else None
        for parent, layer, inputs, outputs, input_shape, output_shape in copied.calls:
            index = len(self.calls)
            parent_index = enclosing if parent is None else first + parent
            self.calls.append(
                Call(
                    index=index,
                    path="",
                    layer=layer,
                    parent=parent_index,
                    inputs=inputs,
                    outputs=outputs,
                    input_shape=input_shape,
                    output_shape=output_shape,
                    graph=graph,
                )
            )
            if parent_index is not None:
                self.calls[parent_index].children.append(index)
        self.owners.claim(graph, [(number, first + owner) for number, owner in copied.owned])
        return copied.outputs

    def _open(self, layer: Any, args: tuple, kwargs: dict) -> Call:
        import tensorflow as tf

        parent = self._stack[-1] if self._stack else None
        call = Call(
            index=len(self.calls),
            path="",
            layer=layer,
            parent=None if parent is None else parent.index,
            inputs=_flat_tensors((args, kwargs)),
            input_shape=without_batch(shape_of(_first_argument(args, kwargs)), self._batch),
            graph=tf.compat.v1.get_default_graph(),
        )
        if parent is not None:
            parent.children.append(call.index)
        self.calls.append(call)
        self._stack.append(call)
        self.owners.mark(call.index)
        return call

    def _close(self) -> None:
        call = self._stack.pop()
        self.owners.mark(call.parent)

    def settled_calls(self) -> list[Call]:
        """The calls without shape probes, renumbered, with their paths."""
        dropped = _shape_probes(self.calls)
        kept = [call for call in self.calls if call.index not in dropped]
        mapping = {call.index: new for new, call in enumerate(kept)}
        for call in kept:
            call.index = mapping[call.index]
            call.parent = None if call.parent is None else mapping[call.parent]
            call.children = [mapping[child] for child in call.children if child in mapping]
        _name_paths(kept)
        self.owners.renumber(mapping)
        return kept


def _shape_probes(calls: list[Call]) -> set[int]:
    """Indices of shape-probe calls and everything called inside them.

    A probe is a call made in its parent's graph when the parent calls the
    same layer again later inside a loop body (another graph): Keras's
    TensorFlow RNN runs its cell once outside the loop only to learn the shape
    of its output, and discards the value.
    """
    dropped: set[int] = set()
    for parent in calls:
        later_in_loop: set[int] = set()
        for index in reversed(parent.children):
            child = calls[index]
            if child.graph is parent.graph and id(child.layer) in later_in_loop:
                dropped.add(index)
            elif child.graph is not parent.graph:
                later_in_loop.add(id(child.layer))
    for call in calls:  # parents come before their children
        if call.parent in dropped:
            dropped.add(call.index)
    return dropped


def _name_paths(calls: list[Call]) -> None:
    """Set each call's path: layer names from the root down, ``#2``, ``#3``... for repeated calls."""
    seen: dict[str, int] = {}
    for call in calls:
        if call.parent is None:
            call.path = ""
            continue
        parent_path = calls[call.parent].path
        path = f"{parent_path}/{call.layer.name}" if parent_path else call.layer.name
        seen[path] = seen.get(path, 0) + 1
        call.path = path if seen[path] == 1 else f"{path}#{seen[path]}"


def trace_model(
    model: Any, *, batch: int | None = None, input_shapes: Mapping[str, Any] | None = None, copy_repeats: bool = True
) -> Trace:
    """Call a model once on placeholders and record every layer call.

    Args:
        model: keras.Model. A functional or Sequential model, or a subclassed
            model that has been built (its input shapes are known).
        batch: int or None. Batch size of the placeholders; None leaves it unknown.
        input_shapes: Mapping[str, list] or None. Shapes (batch axis included,
            as ``None``) for inputs by name, replacing the model's own.
        copy_repeats: bool. Copy repeated calls (see :func:`trace_call`).

    Returns:
        Trace. The calls, with shapes; unknown sizes (the batch) stay ``None``.

    Raises:
        ValueError: the model's input shapes are unknown (a subclassed model
            that was never built or called).
    """
    return trace_call(
        model, (model_input_specs(model),), {}, batch=batch, input_shapes=input_shapes, copy_repeats=copy_repeats
    )


def trace_call(
    layer: Any,
    args: tuple,
    kwargs: dict,
    *,
    batch: int | None = None,
    input_shapes: Mapping[str, Any] | None = None,
    copy_repeats: bool = True,
) -> Trace:
    """Call ``layer(*args, **kwargs)`` on placeholders and record every layer call.

    Args:
        layer: keras.layers.Layer. The layer (or model) to call.
        args: tuple. Positional arguments; KerasTensors (or :class:`InputSpec`
            values) become placeholders of their shape and dtype.
        kwargs: dict. Keyword arguments, converted the same way.
        batch: int or None. Batch size of the placeholders whose batch axis is unknown.
        input_shapes: Mapping[str, list] or None. Shapes for placeholders by input name.
        copy_repeats: bool. Copy the operations of a call that repeats an
            earlier one (:mod:`kreg.inspect_tools.call_copies`) instead of
            calling Keras again; the trace is the same but for operation names.

    Returns:
        Trace. ``root.inputs`` lists the placeholders in the order the
        KerasTensors appear in ``(args, kwargs)``.

    Raises:
        KerasIncompatible: no call was recorded, not even ``layer``'s own:
            Keras no longer dispatches calls through ``Layer.__call__``.
    """
    import keras

    shapes = dict(input_shapes or {})
    trainable: list = []
    # Keras's warnings here (a mask "destroyed", ...) repeat what building the model said.
    with warnings.catch_warnings(), keras_compat.scratch_graph("kreg_trace") as graph:
        warnings.simplefilter("ignore")
        names: list[str] = []
        args, kwargs = keras.tree.map_structure(lambda x: _placeholder(x, names, batch, shapes), (args, kwargs))
        weights = _weight_placeholders(layer, trainable)
        copies = (
            CallCopies(graph, {id(weight): placeholder for weight, placeholder in weights}) if copy_repeats else None
        )
        recorder = _Recorder(batch, copies)
        with keras.StatelessScope(weights, collect_losses=True), recorder.active():
            outputs = layer(*args, **kwargs)
    if not recorder.calls:
        raise KerasIncompatible(
            f"tracing saw no layer calls while calling {layer.name!r}: Keras {keras.__version__} changed its "
            "call dispatch (kreg.inspect_tools.keras_compat.layer_calls_wrapped needs updating)"
        )
    return Trace(
        calls=recorder.settled_calls(),
        input_names=names,
        output_names=output_names(outputs),
        graph=graph,
        batch=batch,
        owners=recorder.owners,
        trainable_inputs=trainable,
        configs={} if copies is None else copies.configs,
        kinds={} if copies is None else copies.kinds,
    )


def _weight_placeholders(layer: Any, trainable: list) -> list[tuple[Any, Any]]:
    """A placeholder for each weight, so that the trace never reads a variable into the graph.

    Weights of the same shape, dtype and trainability share one placeholder:
    only shapes matter to a trace, and making a placeholder costs as much as
    reading a variable. The placeholders of trainable weights are appended to
    ``trainable`` (a frozen weight gets none of them, so it gets no gradient).
    """
    import tensorflow as tf

    trainable_ids = {id(weight) for weight in layer.trainable_weights}
    shared: dict[tuple, Any] = {}
    mapping = []
    for weight in {id(weight): weight for weight in layer.weights}.values():
        key = (tuple(weight.shape), str(weight.dtype), id(weight) in trainable_ids)
        if key not in shared:
            shared[key] = tf.compat.v1.placeholder(weight.dtype, weight.shape, name="weight")
            if key[2]:
                trainable.append(shared[key])
        mapping.append((weight, shared[key]))
    return mapping


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


def _placeholder(value: Any, names: list[str], batch: int | None, shapes: Mapping[str, Any]) -> Any:
    import keras
    import tensorflow as tf

    if isinstance(value, (keras.KerasTensor, InputSpec)):
        names.append(input_name(value))
        shape = list(shapes.get(names[-1], value.shape))
        if batch is not None and shape and shape[0] is None:
            shape[0] = batch
        return tf.compat.v1.placeholder(shape=shape, dtype=value.dtype, name=_safe_name(names[-1]))
    return value


def input_name(value: Any) -> str:
    """The name of a model input: its InputLayer's name, else the tensor's or spec's, else ``input``."""
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
