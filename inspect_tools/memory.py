"""Memory of a model: its parameters, its activations, and an estimate for training.

What torchinfo reports for PyTorch, for a Keras model:

- parameter bytes: every distinct weight, at its own dtype (a float16 or
  int8 weight counts its real size);
- activation bytes per example: the outputs of every innermost layer call
  (a layer with no layers inside it), each distinct tensor once, at the
  shapes the compute was counted at; a recurrent cell's outputs count once
  per time step (what a forward pass makes, not all of it kept);
- saved bytes per example: the forward tensors the backward pass reads
  (:func:`saved_tensor_bytes`), found in the gradient operations TensorFlow
  makes for the model (:mod:`kreg.inspect_tools.backward`): the layer outputs
  a gradient needs and the intermediates inside layers, and for a loop the
  tensors it accumulates at every step;
- training bytes: parameters + one gradient per trainable weight + the
  optimizer's state (Adam: two slots per trainable weight) + the saved bytes
  (the layer outputs where the backward pass was not counted) and the
  activation gradients of the widest gradient operation
  (:func:`gradients_in_flight_bytes`), times the architecture's batch size.

Left out (so the real peak can be higher): the loss of an architecture's
own train step (the gradients are taken of the sum of the outputs), the input
pipeline's batches, framework workspaces (oneDNN and cuDNN scratch, XLA
buffers), allocator fragmentation, and copies a distribution strategy makes
per device. docs/bench.md compares the estimate with TensorFlow's allocator
peak, measured.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from kreg.inspect_tools.keras_compat import WHILE_TYPES, loop_body
from kreg.inspect_tools.keras_types import KerasModel, KerasOptimizer, KerasVariable
from kreg.inspect_tools.op_costs import per_example
from kreg.inspect_tools.params import variable_size
from kreg.inspect_tools.report_types import TrainingEstimate
from kreg.inspect_tools.tracing import Trace


def dtype_size(dtype: object) -> int:
    """Bytes per element of a Keras or TensorFlow dtype (``"float32"`` -> 4, ``"bfloat16"`` -> 2)."""
    import tensorflow as tf

    return int(tf.as_dtype(getattr(dtype, "name", dtype)).size)


def parameter_bytes_by_dtype(variables: Iterable[KerasVariable]) -> dict[str, int]:
    """Bytes of distinct variables, by dtype name.

    Args:
        variables: Iterable[keras.Variable]. Weights; a variable listed twice counts once.

    Returns:
        dict[str, int]. ``{"float32": 102546848}``, in the order dtypes are met.
    """
    unique = {id(variable): variable for variable in variables}
    sizes: dict[str, int] = {}
    for variable in unique.values():
        name = str(getattr(variable.dtype, "name", variable.dtype))
        sizes[name] = sizes.get(name, 0) + variable_size(variable) * dtype_size(variable.dtype)
    return sizes


def activation_bytes(trace: Trace, repeats: Mapping[int, int]) -> int:
    """Bytes per example of the outputs of every innermost layer call.

    Args:
        trace: Trace. A compute trace (concrete batch and sizes).
        repeats: Mapping[int, int]. Iterations per call of the model, by the
            ``id`` of the graph a call ran in (a loop body runs once per step).

    Returns:
        int. Each distinct tensor once; tensors of unknown size are skipped.
    """
    leaves = [call for call in trace.calls if not call.children] or [trace.root]
    seen: set[tuple[int, str]] = set()
    total = 0
    for call in leaves:
        for tensor in call.outputs:
            graph = getattr(tensor, "graph", None)  # a layer may return a variable: parameters, not activations
            key = (id(graph), getattr(tensor, "name", ""))
            if graph is None or key in seen or tensor.shape.rank is None or None in tensor.shape.as_list():
                continue
            seen.add(key)
            elements = per_example(tensor.shape.num_elements(), trace.batch)
            total += elements * dtype_size(tensor.dtype) * repeats.get(id(call.graph), 1)
    return total


def training_estimate(
    model: KerasModel, activations_per_example: int, batch_size: int, in_flight_per_example: int = 0
) -> TrainingEstimate | None:
    """Estimate the memory of training ``model`` with its optimizers.

    Args:
        model: keras.Model. A compiled model: its ``optimizer``, and any other
            optimizer it holds as an attribute (a GAN's ``d_optimizer`` and
            ``g_optimizer``), are sized.
        activations_per_example: int. Bytes per example a step keeps for its
            backward pass (:func:`saved_tensor_bytes`, or :func:`activation_bytes`).
        batch_size: int. The batch size it trains with.
        in_flight_per_example: int. From :func:`gradients_in_flight_bytes`.

    Returns:
        TrainingEstimate, or None when the model has no optimizer or one's state cannot be sized.
    """
    optimizers = model_optimizers(model)
    if not optimizers:
        return None
    trainable = sum(parameter_bytes_by_dtype(model.trainable_weights).values())
    states = [optimizer_state_bytes(optimizer, trainable) for optimizer in optimizers]
    known = [size for size in states if size is not None]
    if len(known) < len(states):
        return None
    state = sum(known)
    return TrainingEstimate(
        batch_size=batch_size,
        parameters=sum(parameter_bytes_by_dtype(model.weights).values()),
        gradients=trainable,
        optimizer_state=state,
        activations=activations_per_example * batch_size,
        activation_gradients=in_flight_per_example * batch_size,
    )


def model_optimizers(model: KerasModel) -> list[KerasOptimizer]:
    """The optimizers a model trains with: its compiled ``optimizer`` and optimizer attributes, each once."""
    import keras

    found = [getattr(model, "optimizer", None), *vars(model).values()]
    unique = {id(item): item for item in found if isinstance(item, keras.optimizers.Optimizer)}
    return list(unique.values())


def optimizer_state_bytes(optimizer: KerasOptimizer, trainable_bytes: int) -> int | None:
    """Bytes of an optimizer's variables for weights of ``trainable_bytes``.

    A built optimizer is measured; an unbuilt one is rebuilt from its config on
    one scalar weight to learn how many slots it keeps per weight (Adam 2,
    SGD with momentum 1, plain SGD 0).

    Returns:
        int, or None when the optimizer cannot be rebuilt from its config.
    """
    if getattr(optimizer, "built", False) and optimizer.variables:
        return sum(parameter_bytes_by_dtype(optimizer.variables).values())
    import keras
    import numpy as np

    try:
        probe = type(optimizer).from_config(optimizer.get_config())
        weight = keras.Variable(np.zeros((1,), "float32"), name="kreg_probe")
        probe.build([weight])
    except Exception:  # noqa: BLE001 - a plugin's optimizer may raise anything when copied: its state is left out
        return None
    slots = [variable for variable in probe.variables if tuple(variable.shape) == (1,)]
    counters = [variable for variable in probe.variables if tuple(variable.shape) != (1,)]
    return len(slots) * trainable_bytes + sum(parameter_bytes_by_dtype(counters).values())


SHAPE_ONLY = frozenset({"Shape", "ShapeN", "Size", "Rank", "BroadcastGradientArgs"})
"""Gradient operations that read only the shape of a forward tensor: they keep none of its data alive."""


def saved_tensor_bytes(trace: Trace, gradient_ops: Iterable[Any], scope: str) -> int:
    """Bytes per example of the forward tensors a backward pass reads: what a training step keeps for it.

    TensorFlow keeps a forward tensor until the last operation that reads it
    has run: the tensors the gradient operations read live until the backward
    pass reaches them. These are the layer outputs a gradient needs (a ReLU's,
    the input of a convolution) and the intermediates inside layers (a GELU's
    ``erf``, a hard-swish's ``relu6(x + 3)``, a normalisation's centred input),
    while a layer output no gradient reads is freed during the forward pass.
    A loop's gradient reads the intermediates the forward loop pushed onto
    its accumulators (``TensorListPushBack``), one per iteration.

    Args:
        trace: Trace. The trace whose graph holds the gradient operations.
        gradient_ops: Iterable[tf.Operation]. The gradient operations a step runs.
        scope: str. Their name scope (a tensor made in it is a gradient, not kept from the forward pass).

    Returns:
        int. Each distinct tensor once. Only tensors that grow with the batch
        count: the rest are weights and constants, counted as parameters.
    """
    seen: set[str] = set()
    total = 0
    for op in gradient_ops:
        if op.type in SHAPE_ONLY:
            continue
        for tensor in op.inputs:
            producer = tensor.op
            if tensor.name in seen or producer.name.startswith(f"{scope}/"):
                continue
            seen.add(tensor.name)
            if producer.type in WHILE_TYPES:
                if producer.name not in seen:  # every accumulator of a loop at once
                    seen.add(producer.name)
                    total += _accumulated_bytes(producer, trace.batch)
                if tensor.dtype.name == "variant":
                    continue
            total += batch_bytes(tensor, trace.batch)
    return total


def gradients_in_flight_bytes(gradient_ops: Iterable[Any], batch: int | None, scope: str) -> int:
    """Bytes per example of the activation gradients alive at once at the backward pass's widest operation.

    Each gradient operation holds the gradients it reads (made in ``scope``)
    and the ones it makes: the largest such set is on top of the saved
    tensors at that moment (a convolution's input gradient beside its output
    gradient). Weight gradients do not grow with the batch and are counted
    as ``gradients``.
    """
    largest = 0
    for op in gradient_ops:
        if op.type in SHAPE_ONLY:
            continue
        read = [tensor for tensor in op.inputs if tensor.op.name.startswith(f"{scope}/")]
        largest = max(largest, sum(batch_bytes(tensor, batch) for tensor in [*read, *op.outputs]))
    return largest


def _accumulated_bytes(loop: Any, batch: int | None) -> int:
    """Bytes per example a ``while_v2`` loop's accumulators hold: each pushed tensor, once per iteration."""
    from kreg.inspect_tools.compute import _iterations as loop_iterations

    body = loop_body(loop)
    if body is None:
        return 0
    pushed = [op.inputs[1] for op in body.get_operations() if op.type == "TensorListPushBack"]
    return sum(batch_bytes(tensor, batch) for tensor in pushed) * (loop_iterations(loop) or 1)


def batch_bytes(tensor: Any, batch: int | None) -> int:
    """Bytes per example of a tensor whose size grows with the batch; 0 for one that does not or is unknown."""
    if tensor.dtype.name in ("variant", "resource") or tensor.shape.rank is None or None in tensor.shape.as_list():
        return 0
    elements = tensor.shape.num_elements()
    if not batch or elements % batch:
        return 0
    return per_example(elements, batch) * dtype_size(tensor.dtype)
