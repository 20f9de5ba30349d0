"""The backward pass counted one forward operation at a time, each distinct operation differentiated once.

``tf.gradients`` builds the gradient graph of a whole model, and making each
TensorFlow operation costs Python time: on a 841-layer attention stack it
took two thirds of ``kreg inspect``. Deep models repeat the same operations
at the same sizes, and what a gradient function creates depends only on the
operation it differentiates (its type, attributes, input and output shapes,
constant inputs) and on which of its outputs receive a gradient.

:func:`replay_backward` follows ``tf.gradients``'s own rules
(``tensorflow/python/ops/gradients_util.py``) without building the graph:

1. The operations between the trainable weights and the loss: reached from
   the weights through tensors a gradient flows through, and leading to the loss.
2. From the loss back to the weights, which outputs of each operation receive
   a gradient; for each distinct operation (and pattern of outputs) its
   gradient function is called once, in a scratch graph of its own, on a copy
   of the operation; what it created is kept (:class:`OpGradient`).
3. From the weights forward, which gradients a weight's gradient needs (what a
   ``tf.function`` runs: the rest is pruned), and so which of each gradient
   function's operations run.
4. Where several gradients of one tensor meet, ``tf.gradients`` adds them
   with one ``AddN``: it holds them all at once (the activation-gradient memory).

The figures are those :mod:`kreg.inspect_tools.backward` reads from the real
gradient graph (MACs per call, uncounted operations, saved and in-flight
bytes); tests compare the two on every kind of model kreg ships. A graph
this does not model raises :class:`ReplayUnsupported` and is counted with
``tf.gradients``: loops, conditionals and function calls (their gradients
rewrite the forward graph), custom gradients, sparse gradients (``IndexedSlices``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from kreg.inspect_tools.keras_compat import (
    CALL_TYPES,
    IF_TYPES,
    WHILE_TYPES,
    call_gradient_function,
    copy_operation,
    gradient_function,
    has_own_gradient,
    is_backpropagatable,
    is_function_call,
    last_op_id,
    missing_gradient_zeros,
    op_id,
    registered_gradient,
    static_value,
)
from kreg.inspect_tools.memory import SHAPE_ONLY, batch_bytes
from kreg.inspect_tools.op_owners import UNCOUNTED
from kreg.inspect_tools.tracing import Trace

NESTING_TYPES = WHILE_TYPES | IF_TYPES | CALL_TYPES
SPARSE_GRADIENT_TYPES = frozenset({"Gather", "GatherV2", "ResourceGather"})
"""Operations whose gradient is ``IndexedSlices`` (an ``Embedding``'s lookup): left to ``tf.gradients`` at once."""
TensorKey = tuple[int, int]
"""A tensor of the traced graph: ``(id of its operation, output index)``."""
Signature = tuple[Any, ...]
"""What a gradient function sees of an operation (:class:`_Signatures`): equal signatures, equal gradients."""


class ReplayUnsupported(Exception):
    """The graph holds something the replay does not model: count it with ``tf.gradients``."""


@dataclass(frozen=True)
class GradientOp:
    """One operation a gradient function created, as the backward count reads it.

    Attributes:
        kind: str. Its TensorFlow type.
        reads: tuple[int, ...]. The other created operations it reads (inputs and control inputs).
        output_gradients: tuple[int, ...]. The forward operation's output gradients it reads, by output index.
        forward_reads: tuple[tuple[str, int], ...]. The forward tensors whose data it reads:
            ``("input", i)`` or ``("output", j)`` of the differentiated operation.
        other_reads: tuple. Other forward tensors it reads (only a custom
            gradient, differentiated in place, reads tensors of its own call).
        macs: int or None. Its multiply-accumulates; None when a size is known only at run time.
        in_flight: int. Bytes per example of the gradients it reads and makes.
    """

    kind: str
    reads: tuple[int, ...]
    output_gradients: tuple[int, ...]
    forward_reads: tuple[tuple[str, int], ...]
    other_reads: tuple[Any, ...]
    macs: int | None
    in_flight: int


@dataclass
class OpGradient:
    """What the gradient function of one forward operation created.

    Attributes:
        ops: list[GradientOp]. In creation order.
        input_gradients: list. Per input of the forward operation: None (no
            gradient), ``("op", k)`` (made by ``ops[k]``) or ``("gradient", j)``
            (output ``j``'s gradient passed through, as ``Identity`` does).
    """

    ops: list[GradientOp]
    input_gradients: list[tuple[str, int] | None]
    _needed: dict[frozenset[int], tuple[tuple[int, ...], frozenset[int]]] = field(default_factory=dict, repr=False)

    def needed(self, inputs: frozenset[int]) -> tuple[tuple[int, ...], frozenset[int]]:
        """The created operations the gradients of ``inputs`` need, and the output gradients they read."""
        if inputs not in self._needed:
            self._needed[inputs] = self._walk(inputs)
        return self._needed[inputs]

    def _walk(self, inputs: frozenset[int]) -> tuple[tuple[int, ...], frozenset[int]]:
        pending: list[int] = []
        outputs: set[int] = set()
        for index in inputs:
            source = self.input_gradients[index]
            if source is None:
                continue
            if source[0] == "op":
                pending.append(source[1])
            else:
                outputs.add(source[1])
        seen: set[int] = set()
        while pending:
            index = pending.pop()
            if index in seen:
                continue
            seen.add(index)
            pending.extend(self.ops[index].reads)
            outputs.update(self.ops[index].output_gradients)
        return tuple(sorted(seen)), frozenset(outputs)


@dataclass
class BackwardTotals:
    """The backward pass's figures, per example where they grow with the batch.

    Attributes:
        macs: Counter[int]. MACs at the trace's batch size, by the call that owns the differentiated operation.
        unknown: Counter[str]. Gradient operations whose sizes are known only at run time, by type.
        saved_bytes: int. Bytes per example of the forward tensors the gradient operations read.
        in_flight_bytes: int. Bytes per example of the activation gradients of the widest gradient operation.
    """

    macs: Counter[int] = field(default_factory=Counter)
    unknown: Counter[str] = field(default_factory=Counter)
    saved_bytes: int = 0
    in_flight_bytes: int = 0


def replay_backward(
    trace: Trace, loss: Any, formulas: dict[str, Callable[[Any], int | None]], scope: str
) -> BackwardTotals:
    """Count the backward pass of ``loss`` for ``trace.trainable_inputs`` as ``tf.gradients`` would build it.

    Args:
        trace: Trace. Its graph holds ``loss``.
        loss: tf.Tensor. The scalar differentiated.
        formulas: dict. Operation type -> MACs (:data:`kreg.inspect_tools.backward.GRADIENT_FORMULAS`).
        scope: str. The name scope ``tf.gradients`` would use (an XLA-compiled operation's gradients are named by it).

    Raises:
        ReplayUnsupported: the graph needs ``tf.gradients`` itself.
    """
    order = _between(trace, loss)
    gradients, received = _differentiate_all(order, loss, formulas, trace.batch, scope, trace.kinds)
    return _count_needed(trace, order, gradients, received)


def _between(trace: Trace, loss: Any) -> list[Any]:
    """The operations on a path of gradient-carrying tensors from a trainable weight to ``loss``, in graph order.

    Raises:
        ReplayUnsupported: one of them is a loop, a conditional, a function call or a gather.
    """
    reached = _reached_from(tensor.op for tensor in trace.trainable_inputs)
    between: set[int] = set()
    pending = [loss.op]
    while pending:
        op = pending.pop()
        if id(op) in reached and id(op) not in between:
            between.add(id(op))
            pending.extend(tensor.op for tensor in op.inputs)
    order = [op for op in trace.graph.get_operations() if id(op) in between]
    for op in order:
        if op.type in NESTING_TYPES or op.type in SPARSE_GRADIENT_TYPES or is_function_call(op):
            raise ReplayUnsupported(op.type)
    return order


def _reached_from(sources: Iterable[Any]) -> set[int]:
    """The ids of the operations ``sources`` reach through tensors a gradient flows through (``sources`` too)."""
    reached: set[int] = set()
    pending = list(sources)
    while pending:
        op = pending.pop()
        if id(op) in reached:
            continue
        reached.add(id(op))
        for output in op.outputs:
            if is_backpropagatable(output):
                pending.extend(output.consumers())
    return reached


def _differentiate_all(
    order: list[Any],
    loss: Any,
    formulas: dict[str, Callable[[Any], int | None]],
    batch: int | None,
    scope: str,
    kinds: Mapping[int, Hashable],
) -> tuple[dict[int, OpGradient], Counter[TensorKey]]:
    """From the loss back: each operation's gradient, given which of its outputs receive one.

    Operations of one kind (``Trace.kinds``: made by repeated calls) share a
    gradient without their signatures being read.

    Returns:
        The gradient of each differentiated operation (by the id of the
        operation), and how many gradients each tensor receives.
    """
    received: Counter[TensorKey] = Counter({(id(loss.op), loss.value_index): 1})
    cache: dict[Signature, OpGradient] = {}
    gradients: dict[int, OpGradient] = {}
    signatures = _Signatures()
    for op in reversed(order):
        present = tuple(received[(id(op), index)] > 0 for index in range(len(op.outputs)))
        if not any(present) or not op.inputs:
            continue
        key = signatures.key(op, kinds.get(id(op)), present)
        if key is _NOT_DIFFERENTIABLE:
            continue
        if key is _CUSTOM:  # a closure over this very call's tensors: differentiated where it is
            gradient = _guarded(partial(_differentiate, op, present, formulas, batch, scope, in_place=True), op)
        else:
            if key not in cache:
                cache[key] = _guarded(partial(_differentiate, op, present, formulas, batch, scope), op)
            gradient = cache[key]
        gradients[id(op)] = gradient
        for tensor, source in zip(op.inputs, gradient.input_gradients):
            if source is not None:
                received[(id(tensor.op), tensor.value_index)] += 1
    return gradients, received


_CUSTOM: tuple[str] = ("custom gradient",)
"""An operation with a gradient of its own, differentiated where it is."""
_NOT_DIFFERENTIABLE: tuple[str] = ("not differentiable",)
"""An operation TensorFlow registers as not differentiable."""


class _Signatures:
    """What an operation's gradient function sees: everything but its name and where its inputs come from."""

    def __init__(self) -> None:
        self._gradients: dict[str, Any] = {}
        self._tensors: dict[TensorKey, Signature] = {}

    def gradient(self, op_type: str) -> Any:
        """The registered gradient function of a type (None: not differentiable), looked up once per type."""
        if op_type not in self._gradients:
            try:
                self._gradients[op_type] = registered_gradient(op_type)
            except LookupError as error:
                raise ReplayUnsupported(str(error)) from error
        return self._gradients[op_type]

    def key(self, op: Any, kind: Hashable | None, present: tuple[bool, ...]) -> Signature:
        """What caches the gradient of ``op``; :data:`_CUSTOM` or :data:`_NOT_DIFFERENTIABLE` when it has none."""
        if kind is not None:  # never a custom gradient (repeated calls that make one are not copied)
            return _NOT_DIFFERENTIABLE if self.gradient(op.type) is None else ("kind", kind, present)
        attributes = op.node_def.attr
        if has_own_gradient(op, attributes):
            return _CUSTOM
        if self.gradient(op.type) is None:
            return _NOT_DIFFERENTIABLE
        return self.of(op, attributes, present)

    def of(self, op: Any, attributes: Any, present: tuple[bool, ...]) -> Signature:
        """The signature of ``op`` when the outputs ``present`` receive a gradient."""
        described = tuple(
            sorted((name, value.SerializeToString(deterministic=True)) for name, value in attributes.items())
        )
        inputs = tuple(self._tensor(tensor) for tensor in op.inputs)
        return op.type, described, inputs, tuple(self._tensor(tensor)[0] for tensor in op.outputs), present

    def _tensor(self, tensor: Any) -> Signature:
        """A tensor's dtype and shape, and its value where TensorFlow knows it (looked up once per tensor)."""
        key = (id(tensor.op), tensor.value_index)
        if key not in self._tensors:
            self._tensors[key] = (_tensor_signature(tensor), _constant_signature(static_value(tensor)))
        return self._tensors[key]


def _tensor_signature(tensor: Any) -> Signature:
    shape = tuple(tensor.shape.as_list()) if tensor.shape.rank is not None else None
    return tensor.dtype.name, shape


def _constant_signature(value: Any) -> Signature | None:
    if value is None:
        return None
    return str(value.dtype), value.shape, value.tobytes()


def _guarded(differentiate: Callable[[], OpGradient], op: Any) -> OpGradient:
    """``differentiate()``, any failure a reason to let ``tf.gradients`` itself decide (it may raise the same)."""
    try:
        return differentiate()
    except ReplayUnsupported:
        raise
    except Exception as error:  # a gradient function off its graph may raise anything: kept as the cause
        raise ReplayUnsupported(f"{op.type}: {type(error).__name__}: {error}") from error


def _differentiate(
    op: Any,
    present: tuple[bool, ...],
    formulas: dict[str, Callable[[Any], int | None]],
    batch: int | None,
    scope: str,
    in_place: bool = False,
) -> OpGradient:
    """Call ``op``'s gradient function as ``tf.gradients`` would, and read what it created.

    The function is called on a copy of ``op`` in a graph of its own, so that
    its result holds for every operation alike; or, ``in_place``, on ``op``
    itself in the traced graph (a custom gradient reads the tensors of its own call).
    """
    import tensorflow as tf

    graph = op.graph if in_place else tf.__internal__.FuncGraph("kreg_backward_replay")
    with graph.as_default():
        target = op if in_place else _copy(graph, op)
        received = [
            tf.compat.v1.placeholder(tensor.dtype, tensor.shape) if given else None
            for tensor, given in zip(op.outputs, present)
        ]
        first_created = last_op_id(graph) + 1
        # In place, a scope of its own: should the replay give up, tf.gradients still names its operations `scope/`.
        with tf.name_scope(f"{scope}_replay" if in_place else scope):
            output_gradients = [
                gradient if gradient is not None else missing_gradient_zeros(target, index)
                for index, gradient in enumerate(received)
            ]
            input_gradients = _as_list(
                call_gradient_function(scope, target, gradient_function(target), output_gradients)
            )
    if len(input_gradients) != len(op.inputs):
        raise ReplayUnsupported(f"{op.type}: {len(input_gradients)} gradients for {len(op.inputs)} inputs")
    for gradient, original in zip(input_gradients, op.inputs):
        if gradient is not None:
            if not isinstance(gradient, tf.Tensor):  # IndexedSlices: summed another way
                raise ReplayUnsupported(f"{op.type}: a {type(gradient).__name__} gradient")
            gradient.set_shape(original.shape)
    sources = _Sources(
        target, received, [gradient for gradient in input_gradients if gradient is not None], first_created
    )
    return OpGradient(
        [sources.gradient_op(created, formulas, batch, in_place) for created in sources.created],
        [sources.input_gradient(gradient) for gradient in input_gradients],
    )


def _copy(graph: Any, op: Any) -> Any:
    """``op`` again in ``graph``, on stand-ins of its inputs, with its outputs' static shapes."""
    copy = copy_operation(graph, op, [_stand_in(tensor) for tensor in op.inputs])
    for mine, original in zip(copy.outputs, op.outputs):
        mine.set_shape(original.shape)
    return copy


def _as_list(gradients: Any) -> list[Any]:
    return list(gradients) if isinstance(gradients, list | tuple) else [gradients]


def _stand_in(tensor: Any) -> Any:
    """A constant where TensorFlow knows the tensor's value (gradient functions read it), else a placeholder."""
    import tensorflow as tf

    value = static_value(tensor)
    if value is not None:
        return tf.constant(value, dtype=tensor.dtype)
    return tf.compat.v1.placeholder(tensor.dtype, tensor.shape)


class _Sources:
    """Where the tensors read by the operations a gradient function created come from."""

    def __init__(self, target: Any, received: list[Any], gradients: list[Any], first_created: int) -> None:
        self.created = _created_ancestors(gradients, first_created)
        self._created = {id(op): index for index, op in enumerate(self.created)}
        self._received = {id(tensor.op): index for index, tensor in enumerate(received) if tensor is not None}
        self._inputs = {(id(tensor.op), tensor.value_index): index for index, tensor in enumerate(target.inputs)}
        self._target = id(target)

    def gradient_op(
        self, op: Any, formulas: dict[str, Callable[[Any], int | None]], batch: int | None, in_place: bool
    ) -> GradientOp:
        """What the backward count reads of one created operation."""
        if op.type in NESTING_TYPES:
            raise ReplayUnsupported(f"a gradient runs a {op.type}")
        producers = [tensor.op for tensor in op.inputs]
        reads = {self._created[id(each)] for each in [*producers, *op.control_inputs] if id(each) in self._created}
        gradients_read = {self._received[id(each)] for each in producers if id(each) in self._received}
        shape_only = op.type in SHAPE_ONLY
        forward = [] if shape_only else [tensor for tensor in op.inputs if self._is_forward(tensor)]
        sides = [self._forward(tensor) for tensor in forward]
        known = [side for side in sides if side is not None]
        others = [tensor for tensor, side in zip(forward, sides) if side is None]
        if others and not in_place:
            raise ReplayUnsupported("a gradient reads a tensor outside the operation it differentiates")
        read = [tensor for tensor in op.inputs if not self._is_forward(tensor)]
        in_flight = 0 if shape_only else sum(batch_bytes(tensor, batch) for tensor in [*read, *op.outputs])
        formula = formulas.get(op.type)
        macs = 0 if formula is None else formula(op)
        return GradientOp(
            op.type, tuple(sorted(reads)), tuple(sorted(gradients_read)), tuple(known), tuple(others), macs, in_flight
        )

    def input_gradient(self, gradient: Any) -> tuple[str, int] | None:
        """Where the gradient of one input comes from (:attr:`OpGradient.input_gradients`)."""
        if gradient is None:
            return None
        if id(gradient.op) in self._created:
            return "op", self._created[id(gradient.op)]
        if id(gradient.op) in self._received:
            return "gradient", self._received[id(gradient.op)]
        raise ReplayUnsupported("a gradient function returned a forward tensor")

    def _is_forward(self, tensor: Any) -> bool:
        return id(tensor.op) not in self._created and id(tensor.op) not in self._received

    def _forward(self, tensor: Any) -> tuple[str, int] | None:
        if id(tensor.op) == self._target:
            return "output", tensor.value_index
        index = self._inputs.get((id(tensor.op), tensor.value_index))
        return None if index is None else ("input", index)


def _created_ancestors(gradients: list[Any], first_created: int) -> list[Any]:
    """The operations made from ``first_created`` on that ``gradients`` depend on, in creation order.

    Only they can run: a created operation no input gradient reads is pruned.
    """
    found: dict[int, Any] = {}
    pending = [tensor.op for tensor in gradients]
    while pending:
        op = pending.pop()
        if id(op) in found or op_id(op) < first_created:
            continue
        found[id(op)] = op
        pending.extend(tensor.op for tensor in op.inputs)
        pending.extend(op.control_inputs)
    return sorted(found.values(), key=op_id)


def _count_needed(
    trace: Trace, order: list[Any], gradients: dict[int, OpGradient], received: Counter[TensorKey]
) -> BackwardTotals:
    """From the weights forward: the gradient operations a weight's gradient needs, and their figures."""
    totals = BackwardTotals()
    needed: set[TensorKey] = {(id(tensor.op), tensor.value_index) for tensor in trace.trainable_inputs}
    saved: set[str] = set()
    for op in order:
        gradient = gradients.get(id(op))
        if gradient is None:
            continue
        inputs = frozenset(
            index for index, tensor in enumerate(op.inputs) if (id(tensor.op), tensor.value_index) in needed
        )
        if not inputs:
            continue
        created, outputs = gradient.needed(inputs)
        needed.update((id(op), index) for index in outputs)
        owner = _owner(trace, op)
        for index in created:
            _add(totals, gradient.ops[index], op, owner, saved, trace.batch)
    by_id = {id(op): op for op in order}
    for operation_id, index in needed:
        if received[(operation_id, index)] >= 2:  # one AddN holds every gradient of the tensor and their sum
            tensor = by_id[operation_id].outputs[index]
            summed = (received[(operation_id, index)] + 1) * batch_bytes(tensor, trace.batch)
            totals.in_flight_bytes = max(totals.in_flight_bytes, summed)
    return totals


def _add(totals: BackwardTotals, created: GradientOp, op: Any, owner: int, saved: set[str], batch: int | None) -> None:
    """Add one needed gradient operation of ``op`` to the totals."""
    if owner != UNCOUNTED:
        if created.macs is None:
            totals.unknown[created.kind] += 1
        else:
            totals.macs[owner] += created.macs
    totals.in_flight_bytes = max(totals.in_flight_bytes, created.in_flight)
    forward = [op.inputs[index] if side == "input" else op.outputs[index] for side, index in created.forward_reads]
    for tensor in [*forward, *created.other_reads]:
        if tensor.name not in saved:
            saved.add(tensor.name)
            totals.saved_bytes += batch_bytes(tensor, batch)


def _owner(trace: Trace, op: Any) -> int:
    owner = trace.owners.owner(op) if trace.owners is not None else None
    return 0 if owner is None else owner
