"""Receptive field, effective stride and effective padding of every layer call on a convolutional path.

The recurrence of Araujo et al., "Computing receptive fields of convolutional
neural networks" (Distill 2019; google-research/receptive_field), per spatial
axis: a layer with kernel ``k`` (dilated: ``d (k - 1) + 1``), stride ``s`` and
padding before ``p`` maps the field ``(r, j, q)`` of its input (size, stride
between neighbouring outputs, padding) to ``(r + (k - 1) j, j s, q + p j)``.
Layers that keep positions apart (normalisation, activations, dropout,
element-wise merges, a Dense on the channel axis) pass the field through;
a merge of several paths takes the largest of each (the field of a branched
block is the widest branch's). Layers that mix every position (global
pooling, Flatten, a Dense on flattened maps, attention, reshapes) have no
finite field: :data:`WHOLE_INPUT`. Anything else (a custom layer kreg does
not know) leaves the field unknown, as does every path after it.

Channels last is assumed; ``"same"`` padding is split as TensorFlow does
(the smaller half before), from the traced sizes when they are known.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kreg.inspect_tools.report_types import JsonValue
from kreg.inspect_tools.tracing import Trace


@dataclass(frozen=True)
class Field:
    """Per spatial axis: receptive field size, effective stride, effective padding (None: the whole input)."""

    size: tuple[int, ...] | None
    stride: tuple[int, ...] | None = None
    padding: tuple[int, ...] | None = None


WHOLE_INPUT = Field(None)
"""The field of a layer that mixes every position of its input."""

CONVOLUTIONS = ("Conv", "DepthwiseConv", "SeparableConv")
POOLING = ("MaxPooling", "AveragePooling")
WHOLE = ("GlobalMaxPooling", "GlobalAveragePooling", "Flatten", "MultiHeadAttention", "Attention",
         "AdditiveAttention", "GroupedQueryAttention", "Reshape", "Permute")  # fmt: skip
PASS_THROUGH = ("BatchNormalization", "LayerNormalization", "GroupNormalization", "Activation", "ReLU", "LeakyReLU",
                "Dropout", "SpatialDropout", "Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum",
                "Concatenate", "Rescaling", "Normalization", "InputLayer", "Identity", "Softmax", "ELU", "PReLU",
                "GaussianNoise", "GaussianDropout", "UnitNormalization")  # fmt: skip


def receptive_fields(trace: Trace) -> dict[str, Field]:
    """The field of every call of ``trace`` whose output it can tell, by path; empty for a model without convolutions.

    Args:
        trace: Trace. The model's trace (its own shapes).
    """
    if not any(_kind(call.layer) in ("conv", "pool") for call in trace.inner):
        return {}
    fields: dict[str, Field] = {}
    for tensor in trace.root.inputs:
        rank = len(tensor.shape) - 2
        if rank >= 1:
            fields[tensor.name] = Field((1,) * rank, (1,) * rank, (0,) * rank)
    found: dict[str, Field] = {}
    for call in trace.inner:
        result = _field_of_call(call, fields)
        if result is None:
            continue
        found[call.path] = result
        for tensor in call.outputs:
            fields.setdefault(tensor.name, result)
    return found


def _field_of_call(call: Any, fields: dict[str, Field]) -> Field | None:
    kind = _kind(call.layer)
    if kind == "whole":
        return WHOLE_INPUT
    incoming = [field for field in (_field_before(tensor, fields) for tensor in call.inputs) if field is not None]
    if not incoming:
        return None
    merged = _merged(incoming)
    if kind == "pass" or merged.size is None:
        return merged
    if kind == "dense":
        return merged if _on_channels(call) else WHOLE_INPUT
    if kind in ("conv", "pool", "padding"):
        return _through_window(call, merged)
    return None


def _on_channels(call: Any) -> bool:
    """A Dense applied at every position (input of rank 3 or more): it keeps positions apart."""
    shape = call.input_shape
    return isinstance(shape, (list, tuple)) and len(shape) >= 3 and not isinstance(shape[0], (list, tuple, dict))


def _kind(layer: Any) -> str:
    name = type(layer).__name__
    if name.startswith(CONVOLUTIONS) and "Transpose" not in name and "LSTM" not in name:
        return "conv"
    if name.startswith(POOLING):
        return "pool"
    if name.startswith(WHOLE):
        return "whole"
    if name.startswith("ZeroPadding"):
        return "padding"
    if name == "Dense":
        return "dense"
    return "pass" if name.startswith(PASS_THROUGH) else "unknown"


def _field_before(tensor: Any, fields: dict[str, Field], depth: int = 40) -> Field | None:
    """The field of a tensor: recorded, or that of the tensors the operations before it read (the widest)."""
    if tensor.name in fields:
        return fields[tensor.name]
    if depth == 0 or not hasattr(tensor, "op"):
        return None
    found = [field for field in (_field_before(t, fields, depth - 1) for t in tensor.op.inputs) if field is not None]
    return _merged(found) if found else None


def _merged(incoming: list[Field]) -> Field:
    """The widest of several fields, axis by axis; the whole input when any is."""
    if any(field.size is None for field in incoming):
        return WHOLE_INPUT
    ranks = {len(field.size or ()) for field in incoming}
    if len(ranks) != 1:
        return WHOLE_INPUT
    return Field(
        *(tuple(max(axis) for axis in zip(*parts)) for parts in zip(*((f.size, f.stride, f.padding) for f in incoming)))
    )


def _through_window(call: Any, field: Field) -> Field:
    layer = call.layer
    rank = len(field.size or ())
    config = layer.get_config()
    if _kind(layer) == "padding":
        before = [_pair(value)[0] for value in _per_axis(config.get("padding", 0), rank)]
        return Field(
            field.size,
            field.stride,
            tuple(q + p * j for q, p, j in zip(field.padding or (), before, field.stride or ())),
        )
    kernel = _per_axis(config.get("kernel_size", config.get("pool_size")), rank)
    strides = _per_axis(config.get("strides") or kernel, rank)
    dilation = _per_axis(config.get("dilation_rate", 1), rank)
    windows = [d * (k - 1) + 1 for k, d in zip(kernel, dilation)]
    pads = _padding_before(call, config.get("padding", "valid"), windows, strides)
    assert field.size is not None and field.stride is not None and field.padding is not None
    return Field(
        tuple(r + (w - 1) * j for r, w, j in zip(field.size, windows, field.stride)),
        tuple(j * s for j, s in zip(field.stride, strides)),
        tuple(q + p * j for q, p, j in zip(field.padding, pads, field.stride)),
    )


def _padding_before(call: Any, padding: str, windows: list[int], strides: list[int]) -> list[int]:
    """Padding before each axis: 0 for ``valid``; TensorFlow's split of ``same`` (from the traced sizes when known)."""
    if padding != "same":
        return [0] * len(windows)
    sizes_in = _spatial(call.input_shape, len(windows))
    sizes_out = _spatial(call.output_shape, len(windows))
    pads = []
    for axis, (window, stride) in enumerate(zip(windows, strides)):
        size_in, size_out = sizes_in[axis], sizes_out[axis]
        if size_in is not None and size_out is not None:
            total = max((size_out - 1) * stride + window - size_in, 0)
        else:
            total = window - 1
        pads.append(total // 2)
    return pads


def _spatial(shape: Any, rank: int) -> list[int | None]:
    if not isinstance(shape, (list, tuple)) or len(shape) != rank + 2 or isinstance(shape[0], (list, tuple, dict)):
        return [None] * rank
    return list(shape[1:-1])


def _per_axis(value: Any, rank: int) -> list[Any]:
    values = list(value) if isinstance(value, (list, tuple)) else [value] * rank
    return values if len(values) == rank else [values[0]] * rank


def _pair(value: Any) -> tuple[int, int]:
    return (int(value[0]), int(value[1])) if isinstance(value, (list, tuple)) else (int(value), int(value))


def field_json(field: Field | None) -> dict[str, JsonValue] | None:
    """``{"size": 212, "stride": 32, "padding": 90}`` (lists when the axes differ); the whole input flagged."""
    if field is None:
        return None
    if field.size is None:
        return {"size": None, "stride": None, "padding": None, "whole_input": True}
    return {"size": _compact(field.size), "stride": _compact(field.stride), "padding": _compact(field.padding)}


def _compact(values: tuple[int, ...] | None) -> JsonValue:
    if values is None:
        return None
    return values[0] if len(set(values)) == 1 else list(values)
