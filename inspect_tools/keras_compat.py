"""Every use of Keras's and TensorFlow's private internals, in one place.

kreg sees more than Keras's public API shows: the layer calls inside custom
layers, the graph of a functional model, the shapes a subclassed model was
built with. Each function here stands in for a public behaviour Keras does not
offer and says which; when a Keras release changes one of these internals,
this module is the one to fix. ``pyproject.toml`` bounds Keras to the
releases these were tested with, and ``tests/inspect/test_keras_compat.py``
fails loudly when one of them stops working.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

LayerCall = Callable[..., Any]
"""``Layer.__call__``'s signature: ``(layer, *args, **kwargs) -> outputs``."""


@contextlib.contextmanager
def layer_calls_wrapped(wrap: Callable[[LayerCall], LayerCall]) -> Iterator[None]:
    """Route every ``keras.layers.Layer.__call__`` through ``wrap(original)`` while active.

    Stands in for a public "layer call hook", which Keras does not have: it is
    how tracing sees layers called inside other layers' ``call`` (a Dense in
    ``MultiHeadAttention``), which get no graph nodes. Relies on every layer
    call dispatching through ``Layer.__call__`` as defined on the base class.
    """
    import keras

    original = keras.layers.Layer.__dict__["__call__"]
    keras.layers.Layer.__call__ = wrap(original)
    try:
        yield
    finally:
        keras.layers.Layer.__call__ = original


def scratch_graph(name: str) -> contextlib.AbstractContextManager[Any]:
    """A throw-away TensorFlow graph to call a model in, so nothing is computed.

    Stands in for ``tf.Graph().as_default()``, which Keras 3 layers refuse
    (they need a ``FuncGraph``, as ``tf.function`` gives them).
    """
    import tensorflow as tf

    graph: contextlib.AbstractContextManager[Any] = tf.__internal__.FuncGraph(name).as_default()
    return graph


def built_input_shapes(model: Any) -> dict[str, Any] | None:
    """The input shapes a subclassed model was built with (``{"x_shape": (None, 3)}``), or None.

    Stands in for ``model.input`` / ``model.input_shape``, which a subclassed
    model built by a call (not by ``keras.Input``) does not have.
    """
    return getattr(model, "_build_shapes_dict", None) or None


def producing_operation(tensor: Any) -> Any:
    """The layer (or op) whose call produced a symbolic tensor, or None.

    Stands in for a public "producer of this KerasTensor" accessor.
    """
    history = getattr(tensor, "_keras_history", None)
    return getattr(history, "operation", None)


def producer(tensor: Any) -> tuple[Any, int]:
    """``(operation, output index)`` of a symbolic tensor of a functional graph."""
    history = tensor._keras_history
    return history.operation, history.tensor_index


def functional_of(model: Any) -> Any:
    """The functional graph of a model: itself if Functional, the inner one of a built Sequential, else None.

    Stands in for a public test "is this a graph of layer calls?", which Keras
    does not export (``Functional`` lives in ``keras.src``).
    """
    from keras.src.models.functional import Functional
    from keras.src.models.sequential import Sequential

    if isinstance(model, Functional):
        return model
    if isinstance(model, Sequential):
        return getattr(model, "_functional", None)
    return None


def operations(model: Any) -> list[Any]:
    """The layers and ops of a functional model, in graph order (``model.operations`` includes no ops)."""
    return list(model._operations)


def graph_nodes(model: Any, operation: Any) -> list[Any]:
    """The calls (Keras nodes) of ``operation`` that belong to ``model``'s graph.

    Stands in for the per-call view ``plot_model`` builds internally: a layer
    shared by two models has nodes in both, and only this model's count.
    """
    from keras.src.ops.function import make_node_key

    return [
        node for index, node in enumerate(operation._inbound_nodes) if make_node_key(operation, index) in model._nodes
    ]


def node_arguments(node: Any) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """The positional and keyword arguments a graph node was called with."""
    return node.arguments.args, node.arguments.kwargs


def node_input_tensors(node: Any) -> list[Any]:
    """The symbolic tensors a graph node received, flattened."""
    return list(node.input_tensors)


def node_outputs(node: Any) -> list[Any]:
    """The symbolic tensors a graph node returned, flattened."""
    return list(node.outputs)


def has_sublayers(layer: Any) -> bool:
    """True for a layer (not a model) that tracks other layers: a custom block, MultiHeadAttention.

    Stands in for a public list of a layer's direct sub-layers, which Keras
    gives models (``model.layers``) but not layers.
    """
    import keras

    return not isinstance(layer, keras.Model) and bool(getattr(layer, "_layers", None))


def kernel_of(layer: Any) -> Any:
    """The kernel variable of a Dense or EinsumDense layer, also when LoRA or quantization wraps it.

    ``layer.kernel`` is a computed property under LoRA (kernel plus the
    low-rank update) and a quantized variable under int8; ``_kernel`` is the
    variable itself.
    """
    kernel = getattr(layer, "_kernel", None)
    return layer.kernel if kernel is None else kernel


VariableCheck = Callable[[tuple[int, ...], str, str], None]
"""Called with a variable's shape, dtype and path before its value is made; may raise to stop it."""


@contextlib.contextmanager
def variables_checked(check: VariableCheck) -> Iterator[None]:
    """Call ``check(shape, dtype, path)`` before Keras allocates each variable made from an initializer.

    Stands in for a public "variable creation hook", which Keras does not
    have: it is how a build that asks for more memory than the machine has is
    stopped before TensorFlow tries to allocate it. Relies on the backend's
    ``Variable._initialize_with_initializer`` making the value of every
    variable created with a shape and an initializer (``add_weight``), at
    creation or, in a stateless scope, when it is first used.
    """
    import keras

    variable_class = keras.src.backend.Variable  # the backend's class; the method is defined on a base
    own = variable_class.__dict__.get("_initialize_with_initializer")
    original = variable_class._initialize_with_initializer

    def initialize_with_initializer(variable: Any, initializer: Any) -> None:
        check(tuple(variable._shape), str(variable._dtype), str(variable.path))
        original(variable, initializer)

    variable_class._initialize_with_initializer = initialize_with_initializer
    try:
        yield
    finally:
        if own is None:
            del variable_class._initialize_with_initializer
        else:
            variable_class._initialize_with_initializer = own


@contextlib.contextmanager
def train_step_replaced(model: Any, train_step: Callable[[Any], Any]) -> Iterator[None]:
    """Make ``model.fit`` call ``train_step(batch)`` instead of the model's method, then restore it.

    Stands in for a public "fit with this step function" API: Keras's trainer
    builds its train function from ``self.train_step`` when ``fit`` starts, so
    an instance attribute shadows the method, and the cached
    ``train_function`` is cleared so it is rebuilt (before and after).
    """
    model.train_step = train_step
    model.train_function = None
    try:
        yield
    finally:
        del model.train_step
        model.train_function = None


def nested_layers(model: Any) -> list[Any]:
    """Every layer inside ``model``, nested models' layers included (not ``model`` itself).

    Stands in for a public recursive walk: ``model.layers`` lists only the
    top level, and Keras's own ``_flatten_layers`` is what its variable
    tracking uses.
    """
    return list(model._flatten_layers(include_self=False, recursive=True))


def configure_cluster_registration(leader: str, jobs: dict[str, int], timeout: float) -> bool:
    """Configure TensorFlow's coordination service as ``MultiWorkerMirroredStrategy`` would, with a deadline.

    Stands in for a public "time limit on joining the cluster":
    ``MultiWorkerMirroredStrategy`` configures the service only when nothing
    has (the same leader and jobs, no deadline), and then waits up to an hour
    for every worker to register. The registration barrier makes every task,
    not only the leader, give up at the deadline.

    Args:
        leader: str. The leader task, ``/job:worker/replica:0/task:0``.
        jobs: dict[str, int]. Tasks per job of the cluster.
        timeout: float. Seconds to wait for every task to register.

    Returns:
        bool. False when the service was already configured (nothing done).
    """
    from tensorflow.compiler.xla.tsl.protobuf import coordination_config_pb2
    from tensorflow.python.eager import context

    state = context.context()
    if state.coordination_service is not None:
        return False
    state.configure_coordination_service(
        service_type="standalone",
        service_leader=leader,
        coordinated_jobs=[
            coordination_config_pb2.CoordinatedJob(name=job, num_tasks=count) for job, count in jobs.items()
        ],
        cluster_register_timeout_in_ms=int(timeout * 1000),
    )
    service: Any = state.coordination_service  # made by the call above (it was None before)
    service.cluster_register_with_barrier = True
    return True


# -- TensorFlow graph internals read by the compute analysis ---------------------
#
# TensorFlow has no public way to reach the graph of a while loop's body (or a
# conditional's branches, or a called tf.function) from its operation, nor an
# operation's creation order.

WHILE_TYPES = frozenset({"While", "StatelessWhile"})
IF_TYPES = frozenset({"If", "StatelessIf"})
CALL_TYPES = frozenset({"PartitionedCall", "StatefulPartitionedCall"})


def op_id(op: Any) -> int:
    """The creation number of an operation in its graph: later operations have larger ones."""
    return int(op._id)


def last_op_id(graph: Any) -> int:
    """The creation number of the latest operation of ``graph`` (1 for an empty graph).

    ``graph.version`` (public) counts the operations; TensorFlow numbers the
    n-th operation n + 1 (checked by a test, so an upgrade that changes it fails there).
    """
    return int(graph.version) + 1


def loop_body(op: Any) -> Any:
    """The FuncGraph of a While operation's body (as ``while_v2`` kept it), or None."""
    return getattr(op, "_body_graph", None)


def loop_condition(op: Any) -> Any:
    """The FuncGraph of a While operation's condition (as ``while_v2`` kept it), or None."""
    return getattr(op, "_cond_graph", None)


def branch_graphs(op: Any) -> list[Any]:
    """The FuncGraphs of an If operation's two branches (as ``cond_v2`` kept them); empty when unknown."""
    graphs = [getattr(op, "_true_graph", None), getattr(op, "_false_graph", None)]
    return [graph for graph in graphs if graph is not None]


def called_graph(op: Any) -> Any:
    """The FuncGraph of the ``tf.function`` a (Stateful)PartitionedCall operation runs, or None.

    Keras runs a grouped convolution this way on CPU (an XLA-compiled function).
    """
    try:
        function = op.graph._get_function(op.get_attr("f").name)
    except (AttributeError, TypeError, ValueError):  # no function attribute (get_attr's ValueError), or not a name
        return None
    return getattr(function, "graph", None)


STATIC_VALUE_TYPES = frozenset({
    "Const", "Shape", "Size", "Rank", "Range", "Cast", "Concat", "ConcatV2", "Pack", "Unpack", "Split", "Fill",
    "Equal", "NotEqual", "StopGradient", "CheckNumericsV2", "DebugIdentityV2", "Identity",
})  # fmt: skip
"""The operation types whose output ``tf.get_static_value`` can know (its private ``_ConstantValue``'s cases)."""


def static_value(tensor: Any) -> Any:
    """``tf.get_static_value(tensor)``, answered None at once for an operation type it never evaluates.

    ``tf.get_static_value`` costs tens of microseconds even where it gives
    up; the backward replay asks it of every tensor of a model.
    """
    import tensorflow as tf

    return tf.get_static_value(tensor) if tensor.op.type in STATIC_VALUE_TYPES else None


# -- TensorFlow's gradient machinery, op by op -----------------------------------
#
# ``tf.gradients`` differentiates a whole graph at once. kreg's backward count
# replays it one forward operation at a time (kreg.inspect_tools.backward_replay),
# calling the same gradient functions with the same rules; TensorFlow has no
# public API for a single operation's gradient function.


def gradient_function(op: Any) -> Any:
    """The gradient function ``tf.gradients`` would call for ``op`` (None: not differentiable).

    Raises:
        LookupError: no gradient is registered for the operation's type (``tf.gradients`` raises the same).
    """
    from tensorflow.python.framework import ops

    return ops.get_gradient_function(op)


def has_own_gradient(op: Any, attributes: Any) -> bool:
    """True when ``op`` carries a gradient of its own (``tf.custom_gradient``, a gradient override map).

    ``attributes`` is ``op.node_def.attr`` (read once by the caller: reading it is not free).
    """
    return getattr(op, "_gradient_function", None) is not None or "_gradient_op_type" in attributes


def registered_gradient(op_type: str) -> Any:
    """The gradient function registered for an operation type (None: registered as not differentiable).

    What ``gradient_function`` returns for an operation with inputs and no gradient of its own.

    Raises:
        LookupError: no gradient is registered for the type.
    """
    from tensorflow.python.framework import ops

    return ops._gradient_registry.lookup(op_type)


def is_function_call(op: Any) -> bool:
    """True when ``op``'s type names a function of its graph (a call ``tf.gradients`` differentiates symbolically)."""
    return bool(op.graph._is_function(op.type))


def is_backpropagatable(tensor: Any) -> bool:
    """True for a tensor a gradient flows through (floating, complex, resource, variant), as tf.gradients decides."""
    from tensorflow.python.ops import gradients_util

    return bool(gradients_util.backprop_util.IsTrainable(tensor))


def missing_gradient_zeros(op: Any, index: int) -> Any:
    """The zeros ``tf.gradients`` gives output ``index`` of ``op`` when nothing downstream sends it a gradient.

    None where ``tf.gradients`` gives none: an output no gradient flows through.
    """
    from tensorflow.python.ops import control_flow_state, default_gradient

    output = op.outputs[index]
    if not is_backpropagatable(output) or not default_gradient.supports_default_grad(output):
        return None
    return control_flow_state.ZerosLike(op, index)


def call_gradient_function(scope: str, op: Any, function: Any, output_gradients: list[Any]) -> Any:
    """Call ``function(op, *output_gradients)`` as ``tf.gradients`` does (inside an XLA scope when ``op`` has one)."""
    from tensorflow.python.ops import gradients_util

    return gradients_util._MaybeCompile(scope, op, None, lambda: function(op, *output_gradients))


def copy_operation(graph: Any, op: Any, inputs: list[Any]) -> Any:
    """A copy of ``op`` in ``graph`` reading ``inputs``: same type and attributes, colocation left out."""
    return make_operation(graph, operation_recipe(op), graph.unique_name("forward"), inputs, [])


# -- Copying a repeated layer call's operations (kreg.inspect_tools.call_copies) --
#
# Keras has no public view of the state a layer call depends on beyond its
# arguments (the training flag and autocast of the enclosing calls, masks
# attached to tensors, losses a call adds), and TensorFlow none of a graph's
# operations by creation number.


def layers_within(layer: Any) -> list[Any]:
    """``layer`` and every layer inside it, in Keras's own (deterministic) tracking order."""
    return list(layer._flatten_layers(include_self=True, recursive=True))


def keras_mask(tensor: Any) -> Any:
    """The Keras mask attached to ``tensor`` (what ``Layer.__call__`` passes on as ``mask``), or None."""
    from keras.src.backend.common.masking import get_keras_mask

    return get_keras_mask(tensor)


def call_state() -> tuple[Any, ...]:
    """What an enclosing call decides for the layers it calls: context arguments (``training``...) and autocast.

    ``Layer.__call__`` takes a layer's ``training`` from the outermost call
    when none is passed, and casts inputs under the enclosing autocast scope.
    """
    from keras.src.backend.common import global_state

    context = global_state.get_global_attribute("current_call_ctx")
    arguments = {} if context is None else {k: v for k, v in vars(context).items() if k != "entry_layer"}
    autocast = global_state.get_global_attribute("autocast_scope")
    return tuple(sorted((k, repr(v)) for k, v in arguments.items())), getattr(autocast, "dtype", None)


def losses_added() -> int:
    """How many losses the enclosing ``StatelessScope`` has collected (``add_loss`` inside a traced call)."""
    from keras.src.backend.common.stateless_scope import get_stateless_scope

    scope = get_stateless_scope()
    return len(scope.losses) if scope is not None and getattr(scope, "collect_losses", False) else 0


def stateless_values(weights: list[Any]) -> tuple[int, ...]:
    """Identities of the values the enclosing ``StatelessScope`` holds for ``weights`` (an assignment changes one)."""
    from keras.src.backend.common.stateless_scope import get_stateless_scope

    scope = get_stateless_scope()
    if scope is None:
        return ()
    return tuple(id(scope.state_mapping.get(id(weight))) for weight in weights)


def operations_after(graph: Any, version: int) -> list[Any]:
    """The operations of ``graph`` created after :func:`last_op_id` returned ``version``, in creation order."""
    by_id = graph._nodes_by_id
    return [by_id[number] for number in range(version + 1, last_op_id(graph) + 1)]


@dataclass(frozen=True)
class OperationRecipe:
    """What it takes to make an operation again: its type, how its inputs group into lists, its attributes."""

    type: str
    groups: tuple[int | None, ...]
    attributes: tuple[tuple[str, bytes], ...]
    device: str


def operation_recipe(op: Any) -> OperationRecipe:
    """The recipe of ``op`` (attributes serialized once, colocation left out), for :func:`make_operation`."""
    from tensorflow.python.framework import ops as tf_ops

    node_def = op.node_def
    grouped = tf_ops._reconstruct_sequence_inputs(op.graph.op_def_for_type(op.type), list(op.inputs), node_def.attr)
    return OperationRecipe(
        type=op.type,
        groups=tuple(len(group) if isinstance(group, (list, tuple)) else None for group in grouped),
        attributes=tuple(
            (name, value.SerializeToString()) for name, value in node_def.attr.items() if name != "_class"
        ),
        device=node_def.device,
    )


def make_operation(graph: Any, recipe: OperationRecipe, name: str, inputs: list[Any], controls: list[Any]) -> Any:
    """A new operation of ``graph`` made from ``recipe``, reading ``inputs`` (flat) after ``controls``.

    Stands in for a public "make this operation again elsewhere": what
    ``tf.__internal__.create_c_op`` does, without rebuilding and re-parsing a
    NodeDef each time (several times faster than TensorFlow's Python op
    wrappers, and unlike ``tf.graph_util.import_graph_def`` not proportional
    to the size of the graph).
    """
    from tensorflow.python.client import pywrap_tf_session as c_api

    with graph._c_graph.get() as c_graph:
        description = c_api.TF_NewOperation(c_graph, recipe.type, name)
    if recipe.device:
        c_api.TF_SetDevice(description, recipe.device)
    position = 0
    for size in recipe.groups:
        if size is None:
            c_api.TF_AddInput(description, inputs[position]._as_tf_output())
            position += 1
        else:
            c_api.TF_AddInputList(
                description, [tensor._as_tf_output() for tensor in inputs[position : position + size]]
            )
            position += size
    for control in controls:
        c_api.TF_AddControlInput(description, control._c_op)
    for key, blob in recipe.attributes:
        c_api.TF_SetAttrValueProto(description, key, blob)
    return graph._create_op_from_tf_operation(c_api.TF_FinishOperation(description), compute_device=False)
