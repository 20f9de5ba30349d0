"""The threaded-Dense report: what each Dense (and EinsumDense) call contracts,
what it threads over, and what it costs.

A Dense layer applied to ``(batch, d1, ..., dk, n_in)`` applies one kernel
``(n_in, units)`` at each of the ``d1 x ... x dk`` positions; the kernel's size
does not depend on them, the work does. EinsumDense (the projections inside
MultiHeadAttention) is read from its equation: the input axes that reach the
output without meeting the kernel are the ones it threads over.
"""

from __future__ import annotations

from dataclasses import replace

from kreg.inspect_tools import keras_compat
from kreg.inspect_tools.keras_types import KerasLayer
from kreg.inspect_tools.params import count_variables
from kreg.inspect_tools.report_types import DenseEntry
from kreg.inspect_tools.shapes import is_shape, product
from kreg.inspect_tools.tracing import Call

Sizes = list[int | None]
"""Sizes along some axes, ``None`` where unknown."""


def is_dense(layer: KerasLayer) -> bool:
    """True for ``keras.layers.Dense`` and ``keras.layers.EinsumDense`` (and subclasses)."""
    import keras

    return isinstance(layer, (keras.layers.Dense, keras.layers.EinsumDense))


def dense_entry(call: Call) -> DenseEntry:
    """The ``dense`` record of DESIGN.md for one traced Dense or EinsumDense call.

    Args:
        call: Call. A traced call of a Dense or EinsumDense layer.

    Returns:
        DenseEntry. Its kernel, the sizes it threads over and its MACs per example.
    """
    import keras

    shape = call.input_shape if is_shape(call.input_shape) else None
    if isinstance(call.layer, keras.layers.EinsumDense):
        kernel, threaded, macs = _einsum_dense(call.layer, shape)
    else:
        kernel, threaded, macs = _dense(call.layer, shape)
    return DenseEntry(
        path=call.path,
        input_shape=call.input_shape,
        output_shape=call.output_shape,
        kernel_shape=kernel,
        threaded_over=threaded,
        params=count_variables(call.layer.weights),
        macs=macs,
    )


def with_counted_sizes(entry: DenseEntry, counted: Call | None) -> DenseEntry:
    """``entry`` with the shapes and threaded sizes of the same call where compute was counted (``counted``, from
    the compute's trace), when they differ from its own: ``(None, 20*, 256)`` where the model says
    ``(None, None, 256)``, so the Dense table shows what its MACs were counted at, as the layer rows do."""
    if counted is None or (counted.input_shape, counted.output_shape) == (entry.input_shape, entry.output_shape):
        return entry
    at_counted = dense_entry(counted)
    return replace(
        entry,
        counted_input_shape=at_counted.input_shape,
        counted_output_shape=at_counted.output_shape,
        counted_threaded_over=at_counted.threaded_over,
    )


def _dense(layer: KerasLayer, shape: Sizes | None) -> tuple[list[int], Sizes | None, int | None]:
    n_in = shape[-1] if shape else _kernel_shape(layer)[0]
    kernel = [n_in, layer.units]
    if shape is None:
        return kernel, None, None
    threaded = shape[1:-1]
    return kernel, threaded, product([*threaded, n_in, layer.units])


def _einsum_dense(layer: KerasLayer, shape: Sizes | None) -> tuple[list[int], Sizes | None, int | None]:
    kernel = _kernel_shape(layer)
    if shape is None:
        return kernel, None, None
    input_labels, kernel_labels, output_labels = _einsum_labels(layer.equation, len(shape), len(kernel))
    sizes = dict(zip(input_labels, shape))
    sizes.update(zip(kernel_labels, kernel))
    batch = input_labels[0]
    threaded = [sizes[label] for label in input_labels[1:] if label in output_labels and label not in kernel_labels]
    every_label = dict.fromkeys([*input_labels, *kernel_labels, *output_labels])
    macs = product([sizes.get(label) for label in every_label if label != batch])
    return kernel, threaded, macs


def _einsum_labels(equation: str, input_rank: int, kernel_rank: int) -> tuple[list[str], list[str], list[str]]:
    """Split ``"...b,bc->...c"`` into per-axis labels, naming each ``...`` axis apart."""
    inputs, output = equation.split("->")
    input_spec, kernel_spec = inputs.split(",")
    ellipsis_rank = input_rank - len(input_spec.replace("...", ""))

    def expand(spec: str) -> list[str]:
        if "..." not in spec:
            return list(spec)
        head, tail = spec.split("...")
        return [*head, *(f"...{i}" for i in range(ellipsis_rank)), *tail]

    return expand(input_spec), expand(kernel_spec), expand(output)


def _kernel_shape(layer: KerasLayer) -> list[int]:
    kernel = keras_compat.kernel_of(layer)
    return [int(size) for size in kernel.shape]


def threading_phrase(entry: DenseEntry) -> str:
    """Say in words what a Dense call does: ``applies kernel (20, 8) at each of 100 positions``.

    Args:
        entry: DenseEntry. From :func:`dense_entry`: its kernel and what it threads over.

    Returns:
        str. One phrase for the report and the graph.
    """
    kernel = "(" + ", ".join(str(size) for size in entry.kernel_shape) + ")"
    threaded = entry.threaded_over
    if threaded is None:
        return f"applies kernel {kernel} (input shape unknown)"
    if not threaded:
        return f"applies kernel {kernel} once per example"
    sizes = ["?" if size is None else f"{size:,}" for size in threaded]
    count = product(threaded)
    if len(threaded) == 1:
        where = f"{sizes[0]} position" + ("" if threaded[0] == 1 else "s")
    elif count is None:
        where = " x ".join(sizes) + " positions"
    else:
        where = " x ".join(sizes) + f" = {count:,} positions"
    note = " (? known at run time)" if count is None else ""
    return f"applies kernel {kernel} at each of {where}{note}"
