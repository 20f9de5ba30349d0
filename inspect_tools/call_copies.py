"""Repeated layer calls copied, not made again, while a model is traced.

A model of a hundred identical blocks calls layers of the same class and
configuration, on inputs of the same shapes and with weights of the same
shapes, a hundred times, and Keras and TensorFlow build the same operations a
hundred times: most of a trace's time. Here the first call of each kind is
made as usual and kept as a template (its operations' recipes and inputs, the
calls made inside it, which call made each operation). Each later call of the
same kind is a copy: the template's operations are made again through
TensorFlow's C API (:func:`kreg.inspect_tools.keras_compat.make_operation`),
wired to the later call's own inputs, and the calls inside it are recorded
again with the later layer's own sublayers. The trace's graph is then the one a full
trace makes: the same operations with the same shapes, inputs and owners,
only named differently (``kreg_repeat/...``).

A call is copied only when nothing but its signature can change what it
builds: every layer in it is one of Keras's own (not a Model, not a
``Lambda``), built, called in the trace's graph with no Keras mask on its
inputs; its template added no loss, assigned no weight, left no mask on its
outputs, made no loop, conditional or function call, and read nothing but its
inputs and its own weights' placeholders. Any other call is made as before.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from kreg.errors import KerasIncompatible
from kreg.inspect_tools import keras_compat
from kreg.inspect_tools.keras_compat import CALL_TYPES, IF_TYPES, WHILE_TYPES, last_op_id, op_id

UNCOPYABLE_TYPES = WHILE_TYPES | IF_TYPES | CALL_TYPES
"""Operations whose graphs live outside the GraphDef (loop bodies, branches, functions)."""

EXCLUDED_CLASSES = frozenset({"Lambda", "TFSMLayer", "JaxLayer", "FlaxLayer"})
"""Keras layers running code their configuration does not describe."""

SCOPE = "kreg_repeat"

CallSignature = tuple[Any, ...]
"""What determines the operations of a call (:meth:`CallCopies.signature`)."""
TensorKey = tuple[int, int]


@dataclass(frozen=True)
class Ref:
    """Where a template's tensor comes from: one of its operations' outputs, an input, or a weight placeholder."""

    kind: str  # "op", "input" or "kept"
    position: int = 0
    index: int = 0
    tensor: Any = None  # a kept weight placeholder (the same in every copy)


@dataclass
class InnerCall:
    """A call recorded inside a template, relative to it (position 0 is the template's own call)."""

    parent: int | None
    layer: int
    inputs: list[Ref]
    outputs: list[Ref]
    input_shape: Any
    output_shape: Any


@dataclass
class CopiedOperation:
    """One operation of a template: how to make it, from what, and which of the template's calls made it."""

    name: str
    recipe: keras_compat.OperationRecipe
    inputs: list[Ref]
    controls: list[int]
    owner: int
    shapes: list[Any]
    refined: list[int] | None = None

    def settle(self, op: Any) -> None:
        """Give a copy's outputs the static shapes the template's had.

        Python code may refine a shape after making an operation
        (``set_shape``), which TensorFlow's own shape inference does not
        repeat. Which outputs need it is found on the first copy: the inputs'
        shapes, and so what inference gives, are the same for every copy.
        """
        if self.refined is None:
            self.refined = [index for index, tensor in enumerate(op.outputs) if tensor.shape != self.shapes[index]]
        for index in self.refined:
            op.outputs[index].set_shape(self.shapes[index])


@dataclass
class Template:
    """The first call of a kind, as what a copy needs."""

    operations: list[CopiedOperation]
    calls: list[InnerCall]
    layer_types: list[type]
    outputs: Any
    number: int | None = None


@dataclass
class Copy:
    """A copied call: its outputs, its calls (parent, layer, inputs, outputs, shapes), its operations' owners."""

    outputs: Any
    calls: list[tuple[int | None, Any, list[Any], list[Any], Any, Any]]
    owned: list[tuple[int, int]]


@dataclass
class Pending:
    """The first call of its kind, being made: :meth:`remember` keeps it as the template once it returns.

    Holds what was noted just before the call (the graph's latest operation,
    the losses collected, the values held for the layer's weights), to tell
    afterwards what the call did.
    """

    copies: CallCopies
    signature: CallSignature
    layer: Any
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    version: int
    losses: int
    values: tuple[int, ...]

    def remember(self, outputs: Any, calls: list[Any], owner: Callable[[Any], int | None]) -> None:
        """Keep the call just made as its kind's template (or note that its kind is never copied).

        Args:
            outputs: Any. What the call returned.
            calls: list[Call]. Its call records: itself first, then the calls
                made inside it (:class:`kreg.inspect_tools.tracing.Call`).
            owner: Callable. The index of the call that made an operation.
        """
        self.copies._remember(self, outputs, calls, owner)


class _Uncopyable(Exception):
    """The call read or did something its signature does not describe."""


class CallCopies:
    """Templates by call signature, for one trace.

    Args:
        graph: tf.Graph. The trace's graph; calls made in any other (a loop body) are never copied.
        placeholders: Mapping[int, Any]. The placeholder standing for each weight, by ``id`` of the weight.
    """

    def __init__(self, graph: Any, placeholders: Mapping[int, Any]) -> None:
        self._graph = graph
        self._placeholders = placeholders
        self._templates: dict[CallSignature, Template | None] = {}
        self.configs: dict[int, Mapping[str, Any]] = {}
        """The configuration of each layer read here, by ``id`` of the layer (reports need not ask Keras again)."""
        self.kinds: dict[int, tuple[int, int]] = {}
        """By ``id`` of an operation of a template or a copy: (template, position in it). Operations of one kind
        have the same type, attributes, input and output dtypes and shapes, and the same values where TensorFlow
        knows them (a call whose inputs have known values marks none)."""
        self._numbered: list[Template] = []

    def begin(self, layer: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Copy | Pending | None:
        """Before ``layer(*args, **kwargs)``: its copy if one can be made; the first of its kind; or None (make it).

        Raises:
            KerasIncompatible: TensorFlow refused to make an operation it made once.
        """
        signature = self.signature(layer, args, kwargs)
        if signature is None:
            return None
        if signature not in self._templates:
            values = keras_compat.stateless_values(layer.weights)
            version, losses = last_op_id(self._graph), keras_compat.losses_added()
            return Pending(self, signature, layer, args, kwargs, version, losses, values)
        return self._copy(signature, layer, args, kwargs)

    def signature(self, layer: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> CallSignature | None:
        """What determines the operations ``layer(*args, **kwargs)`` makes, or None when it cannot be copied."""
        import tensorflow as tf

        if tf.compat.v1.get_default_graph() is not self._graph or not getattr(layer, "built", False):
            return None
        layers = keras_compat.layers_within(layer)
        if not all(_is_plain_keras_layer(each) for each in layers):
            return None
        placeholders = [self._placeholders.get(id(weight)) for weight in layer.weights]
        arguments = _argument_signature(args, kwargs)
        config = self._config(layer)
        if any(p is None for p in placeholders) or arguments is None or config is None:
            return None
        identity = tuple(id(p) for p in placeholders)
        return type(layer), _config_text(config), identity, arguments, keras_compat.call_state()

    def _config(self, layer: Any) -> Mapping[str, Any] | None:
        """``layer.get_config()``, kept in :attr:`configs`; None when Keras cannot give it (never copied)."""
        try:
            config: Mapping[str, Any] = layer.get_config()
        except Exception:  # noqa: BLE001 - a layer that cannot describe itself is simply not copied
            return None
        self.configs[id(layer)] = config
        return config

    def _remember(self, pending: Pending, outputs: Any, calls: list[Any], owner: Callable[[Any], int | None]) -> None:
        try:
            self._templates[pending.signature] = self._template(pending, outputs, calls, owner)
        except _Uncopyable:
            self._templates[pending.signature] = None

    def _copy(self, signature: CallSignature, layer: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Copy | None:
        """The call copied from its template; None when its kind is never copied (the call must be made)."""
        template = self._templates.get(signature)
        if template is None:
            return None
        layers = keras_compat.layers_within(layer)
        if [type(each) for each in layers] != template.layer_types:
            return None
        inputs = _distinct_tensors((args, kwargs))
        ops: list[Any] = []

        def resolve(ref: Any) -> Any:
            if not isinstance(ref, Ref):
                return ref
            if ref.kind == "op":
                return ops[ref.position].outputs[ref.index]
            return inputs[ref.position] if ref.kind == "input" else ref.tensor

        scope = self._graph.unique_name(SCOPE)
        try:
            for operation in template.operations:
                inputs_of = [resolve(ref) for ref in operation.inputs]
                controls = [ops[position] for position in operation.controls]
                op = keras_compat.make_operation(
                    self._graph, operation.recipe, f"{scope}/{operation.name}", inputs_of, controls
                )
                operation.settle(op)
                ops.append(op)
        except Exception as error:
            raise KerasIncompatible(f"copying a repeated {type(layer).__name__} call failed: {error}") from error

        import keras

        calls = [
            (
                inner.parent,
                layers[inner.layer],
                [resolve(r) for r in inner.inputs],
                [resolve(r) for r in inner.outputs],
                copy.deepcopy(inner.input_shape),
                copy.deepcopy(inner.output_shape),
            )
            for inner in template.calls
        ]
        owned = [(op_id(op), operation.owner) for op, operation in zip(ops, template.operations)]
        if template.number is not None and not _any_static(inputs):
            self._mark_kinds(template.number, ops)
        return Copy(outputs=keras.tree.map_structure(resolve, template.outputs), calls=calls, owned=owned)

    def _template(
        self, pending: Pending, outputs: Any, calls: list[Any], owner: Callable[[Any], int | None]
    ) -> Template:
        layer = pending.layer
        if (
            keras_compat.losses_added() != pending.losses
            or keras_compat.stateless_values(layer.weights) != pending.values
        ):
            raise _Uncopyable
        ops = keras_compat.operations_after(self._graph, pending.version)
        positions = {id(op): position for position, op in enumerate(ops)}
        arguments = _distinct_tensors((pending.args, pending.kwargs))
        inputs = {_key(tensor): position for position, tensor in enumerate(arguments)}
        own = {_key(self._placeholders[id(weight)]) for weight in layer.weights}

        def ref(tensor: Any) -> Ref:
            if id(tensor.op) in positions:
                return Ref("op", positions[id(tensor.op)], tensor.value_index)
            if _key(tensor) in inputs:
                return Ref("input", inputs[_key(tensor)])
            if _key(tensor) in own:
                return Ref("kept", tensor=tensor)
            raise _Uncopyable

        first = calls[0].index
        operations = [_copied_operation(op, _relative(owner(op), first), positions, ref) for op in ops]
        if any(not 0 <= operation.owner < len(calls) for operation in operations):
            raise _Uncopyable
        template = Template(
            operations=operations,
            calls=_inner_calls(calls, layer, ref, self._graph),
            layer_types=[type(each) for each in keras_compat.layers_within(layer)],
            outputs=_output_refs(outputs, ref),
        )
        if not _any_static(arguments):
            template.number = len(self._numbered)
            self._numbered.append(template)
            self._mark_kinds(template.number, ops)
        return template

    def _mark_kinds(self, number: int, ops: list[Any]) -> None:
        for position, op in enumerate(ops):
            self.kinds[id(op)] = (number, position)


def _relative(owner: int | None, first: int) -> int:
    return -1 if owner is None else owner - first


def _copied_operation(op: Any, owner: int, positions: dict[int, int], ref: Any) -> CopiedOperation:
    """One operation as a template keeps it.

    A loop, conditional, function call, custom gradient or outside control input refuses.
    """
    if op.type in UNCOPYABLE_TYPES or keras_compat.is_function_call(op):
        raise _Uncopyable
    if any(id(control) not in positions for control in op.control_inputs):
        raise _Uncopyable
    recipe = keras_compat.operation_recipe(op)
    if keras_compat.has_own_gradient(op, dict(recipe.attributes)):  # its gradient closes over this call's tensors
        raise _Uncopyable
    return CopiedOperation(
        name=op.name,
        recipe=recipe,
        inputs=[ref(tensor) for tensor in op.inputs],
        controls=[positions[id(control)] for control in op.control_inputs],
        owner=owner,
        shapes=[tensor.shape for tensor in op.outputs],
    )


def _inner_calls(calls: list[Any], layer: Any, ref: Any, graph: Any) -> list[InnerCall]:
    """The template's call records, relative to it; a call in another graph or of an unknown layer refuses."""
    layers = {id(each): position for position, each in enumerate(keras_compat.layers_within(layer))}
    first = calls[0].index
    inner = []
    for call in calls:
        if call.graph is not graph or id(call.layer) not in layers:
            raise _Uncopyable
        inner.append(
            InnerCall(
                parent=None if call.index == first else call.parent - first,
                layer=layers[id(call.layer)],
                inputs=[ref(tensor) for tensor in call.inputs],
                outputs=[ref(tensor) for tensor in call.outputs],
                input_shape=call.input_shape,
                output_shape=call.output_shape,
            )
        )
    return inner


def _output_refs(outputs: Any, ref: Any) -> Any:
    import keras
    import tensorflow as tf

    def output_ref(item: Any) -> Any:
        if not tf.is_tensor(item):
            return item
        if keras_compat.keras_mask(item) is not None:
            raise _Uncopyable
        return ref(item)

    return keras.tree.map_structure(output_ref, outputs)


def _is_plain_keras_layer(layer: Any) -> bool:
    import keras

    cls = type(layer)
    return (
        cls.__module__.startswith("keras.")
        and cls.__name__ not in EXCLUDED_CLASSES
        and not isinstance(layer, keras.Model)
    )


def _config_text(config: Mapping[str, Any]) -> str:
    """A layer's configuration without its name, as text."""
    return json.dumps({key: value for key, value in config.items() if key != "name"}, sort_keys=True, default=repr)


def _argument_signature(args: tuple[Any, ...], kwargs: dict[str, Any]) -> str | None:
    """The arguments, each tensor as (shape, dtype, which distinct tensor); None for a masked or eager tensor."""
    import keras
    import tensorflow as tf

    seen: dict[TensorKey, int] = {}
    refused = False

    def describe(item: Any) -> Any:
        nonlocal refused
        if not tf.is_tensor(item):
            return type(item).__qualname__, repr(item)
        if isinstance(item, tf.__internal__.EagerTensor) or keras_compat.keras_mask(item) is not None:
            refused = True
            return None
        return "tensor", str(item.shape), item.dtype.name, seen.setdefault(_key(item), len(seen))

    text = repr(keras.tree.map_structure(describe, (args, kwargs)))
    return None if refused else text


def _any_static(tensors: list[Any]) -> bool:
    """True when TensorFlow knows the value of one of ``tensors`` (operations reading them may fold it in)."""
    return any(keras_compat.static_value(tensor) is not None for tensor in tensors)


def _distinct_tensors(structure: Any) -> list[Any]:
    """The tensors of ``structure`` in flattened order, each once."""
    import keras
    import tensorflow as tf

    distinct: dict[TensorKey, Any] = {}
    for item in keras.tree.flatten(structure):
        if tf.is_tensor(item):
            distinct.setdefault(_key(item), item)
    return list(distinct.values())


def _key(tensor: Any) -> TensorKey:
    """A graph tensor's identity: its operation and output index (two Python objects may stand for one tensor)."""
    return id(tensor.op), tensor.value_index
