"""Multiply-accumulates of one TensorFlow operation, from its static shapes.

Only the operations that multiply and accumulate are counted: matrix products
(``MatMul``, ``BatchMatMul*``), ``Einsum`` with two operands, convolutions of
every kind (``Conv2D``, ``Conv3D``, ``Conv``, ``DepthwiseConv2dNative``, the
transposed convolutions ``Conv2DBackpropInput``/``Conv3DBackpropInputV2``) and
cuDNN's fused recurrent layers. Each is counted the way fvcore and torchinfo
count them: one MAC per multiplication of an input by a weight (or of two
inputs) that is summed into an output. Element-wise operations (bias adds,
activations, normalisation, residual sums, pooling) are not MACs and are left
out. Shapes must be fully known; the caller gives the graph concrete sizes.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any


def _sizes(tensor: Any) -> list[int] | None:
    """The static shape of a tensor as ints, or None when any size is unknown."""
    dims = tensor.shape.as_list() if tensor.shape.rank is not None else None
    if dims is None or any(size is None for size in dims):
        return None
    return [int(size) for size in dims]


def _elements(tensor: Any) -> int | None:
    sizes = _sizes(tensor)
    return None if sizes is None else math.prod(sizes)


def _times(count: int | None, *factors: int | None) -> int | None:
    known = [factor for factor in factors if factor is not None]
    if count is None or len(known) < len(factors):
        return None
    return count * math.prod(known)


def _matmul(op: Any) -> int | None:
    a = _sizes(op.inputs[0])
    if a is None or len(a) != 2:
        return None
    contracted = a[0] if op.get_attr("transpose_a") else a[1]
    return _times(_elements(op.outputs[0]), contracted)


def _batch_matmul(op: Any) -> int | None:
    x = _sizes(op.inputs[0])
    if x is None or len(x) < 2:
        return None
    contracted = x[-2] if op.get_attr("adj_x") else x[-1]
    return _times(_elements(op.outputs[0]), contracted)


def _einsum(op: Any) -> int | None:
    if len(op.inputs) < 2:
        return 0  # a transpose, trace or sum: no products
    equation = op.get_attr("equation")
    equation = equation.decode() if isinstance(equation, bytes) else equation
    inputs_spec, output_spec = equation.replace(" ", "").split("->")
    sizes: dict[str, int] = {}
    for spec, tensor in zip(inputs_spec.split(","), op.inputs):
        shape = _sizes(tensor)
        if shape is None:
            return None
        for label, size in zip(_expand_ellipsis(spec, len(shape)), shape):
            sizes[label] = max(sizes.get(label, 1), size)
    output_labels = set(_expand_ellipsis(output_spec, len(op.outputs[0].shape)))
    contracted = [size for label, size in sizes.items() if label not in output_labels]
    return _times(_elements(op.outputs[0]), *contracted)


def _expand_ellipsis(spec: str, rank: int) -> list[str]:
    """Labels of each axis, the axes under ``...`` named ``.0``, ``.1``... from the right."""
    if "..." not in spec:
        return list(spec)
    head, tail = spec.split("...")
    hidden = rank - len(head) - len(tail)
    return [*head, *(f".{hidden - i}" for i in range(hidden)), *tail]


def _convolution(op: Any) -> int | None:
    """Every output element sums kernel-window x input-channels (per group) products."""
    kernel = _sizes(op.inputs[1])
    return None if kernel is None else _times(_elements(op.outputs[0]), math.prod(kernel[:-1]))


def _depthwise(op: Any) -> int | None:
    kernel = _sizes(op.inputs[1])
    return None if kernel is None else _times(_elements(op.outputs[0]), math.prod(kernel[:-2]))


def _transposed_convolution(op: Any) -> int | None:
    """Each input element (``out_backprop``) is spread over kernel-window x output channels."""
    kernel = _sizes(op.inputs[1])
    return None if kernel is None else _times(_elements(op.inputs[2]), math.prod(kernel[:-1]))


RNN_GATES = {"lstm": 4, "gru": 3, "rnn_relu": 1, "rnn_tanh": 1}


def _cudnn_rnn(op: Any) -> int | None:
    """cuDNN's fused LSTM/GRU: per time step and example, gates x units x (inputs + units)."""
    inputs, state = _sizes(op.inputs[0]), _sizes(op.inputs[1])
    if inputs is None or state is None:
        return None
    mode = op.get_attr("rnn_mode")
    mode = mode.decode() if isinstance(mode, bytes) else mode
    direction = op.get_attr("direction")
    directions = 2 if (direction.decode() if isinstance(direction, bytes) else direction) == "bidirectional" else 1
    features, units = inputs[-1], state[-1]
    steps_times_batch = math.prod(inputs[:-1])
    return steps_times_batch * directions * RNN_GATES.get(mode, 1) * units * (features + units)


FORMULAS: dict[str, Callable[[Any], int | None]] = {
    "MatMul": _matmul,
    "BatchMatMul": _batch_matmul,
    "BatchMatMulV2": _batch_matmul,
    "BatchMatMulV3": _batch_matmul,
    "Einsum": _einsum,
    "Conv2D": _convolution,
    "Conv3D": _convolution,
    "Conv": _convolution,
    "DepthwiseConv2dNative": _depthwise,
    "Conv2DBackpropInput": _transposed_convolution,
    "Conv3DBackpropInputV2": _transposed_convolution,
    "CudnnRNN": _cudnn_rnn,
    "CudnnRNNV2": _cudnn_rnn,
    "CudnnRNNV3": _cudnn_rnn,
}
"""TensorFlow operation type -> its MACs from static shapes (None when a size is unknown)."""


def op_macs(op: Any) -> int | None:
    """Multiply-accumulates of ``op`` for the sizes in its graph.

    Args:
        op: tf.Operation. Any operation.

    Returns:
        int or None. 0 for an operation that is not a multiply-accumulate;
        None for one whose sizes are not all known.
    """
    formula = FORMULAS.get(op.type)
    return 0 if formula is None else formula(op)


def per_example(macs: int, batch: int | None) -> int:
    """MACs per example from a count made at batch size ``batch`` (a prime no layer uses).

    A count that scales with the batch is a multiple of it; one that does not
    (a product of two weights) is the same for any batch and stays as it is.
    A count that grows with the square of the batch (examples multiplied with
    each other) is brought down to one example as well.
    """
    if not batch:
        return macs
    while macs and macs % batch == 0:
        macs //= batch
    return macs
