"""The attributes of a layer that define its computation: a layer row's ``attributes``.

A reviewer asks "is that a 7x7 stride-2 stem?": the answer is in the layer's
``get_config()``, among initializers, regularizers and dtype policies that
change nothing of the shapes or the cost. :func:`layer_attributes` keeps the
fields that do, chosen per family of Keras layers (:data:`FAMILY_FIELDS`); a
layer kreg does not know (a plugin's own) keeps the scalars of its own
``get_config()`` less those every Keras layer has. :func:`compact_attributes`
writes them as the ``kreg inspect`` column: ``3x3/2 same, 64, relu``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from kreg.inspect_tools.keras_types import KerasLayer
from kreg.inspect_tools.report_types import JsonValue

_CONV = ("kernel_size", "strides", "padding", "dilation_rate", "filters", "groups", "activation", "use_bias")
_DEPTHWISE = ("kernel_size", "strides", "padding", "dilation_rate", "depth_multiplier", "activation", "use_bias")
_SEPARABLE = (
    "kernel_size",
    "strides",
    "padding",
    "dilation_rate",
    "filters",
    "depth_multiplier",
    "activation",
    "use_bias",
)
_POOLING = ("pool_size", "strides", "padding")
_NORMALISATION = ("axis", "epsilon")

FAMILY_FIELDS: tuple[tuple[re.Pattern[str], tuple[str, ...]], ...] = (
    (re.compile(r"SeparableConv[12]D"), _SEPARABLE),
    (re.compile(r"DepthwiseConv[12]D"), _DEPTHWISE),
    (re.compile(r"Conv[123]D(Transpose)?"), _CONV),
    (re.compile(r"Dense"), ("units", "activation", "use_bias")),
    (re.compile(r"EinsumDense"), ("equation", "output_shape", "activation", "bias_axes")),
    (re.compile(r"(Max|Average)Pooling[123]D"), _POOLING),
    (re.compile(r"Global(Max|Average)Pooling[123]D"), ("keepdims",)),
    (re.compile(r"MultiHeadAttention"), ("num_heads", "key_dim", "value_dim")),
    (re.compile(r"(Batch|Layer|Unit)Normalization"), _NORMALISATION),
    (re.compile(r"GroupNormalization"), ("groups", *_NORMALISATION)),
    (re.compile(r"(Spatial(1D|2D|3D))?Dropout"), ("rate",)),
    (re.compile(r"Activation"), ("activation",)),
    (re.compile(r"Embedding"), ("input_dim", "output_dim")),
    (re.compile(r"ZeroPadding[123]D"), ("padding",)),
    (re.compile(r"Cropping[123]D"), ("cropping",)),
)
"""Keras layer classes (matched on the class or a class it derives from) and the config fields kept for them."""

_BASE_FIELDS = frozenset({"name", "trainable", "dtype", "autocast", "activity_regularizer", "input_shape"})
"""Config fields of every Keras layer: never a custom layer's attributes."""


def layer_attributes(layer: KerasLayer, config: Mapping[str, object] | None = None) -> dict[str, JsonValue]:
    """The config fields that define what ``layer`` computes, in JSON values (tuples become lists).

    ``config`` is ``layer.get_config()`` where the caller has it already.

    A Keras layer of a family in :data:`FAMILY_FIELDS` keeps those fields; a
    layer from outside Keras keeps the scalars (numbers, strings, booleans and
    flat lists of them) of its ``get_config()`` less the base Layer's fields;
    any other Keras layer (Add, Reshape, a functional model) has none.
    """
    fields = _family_fields(type(layer))
    custom = fields is None and not type(layer).__module__.startswith("keras")
    if fields is None and not custom:
        return {}
    config = _config(layer) if config is None else config
    if fields is not None:
        return {key: json_value(config[key]) for key in fields if key in config}
    return {key: json_value(value) for key, value in config.items() if key not in _BASE_FIELDS and _is_scalar(value)}


_FAMILIES: dict[type, tuple[str, ...] | None] = {}


def _family_fields(cls: type) -> tuple[str, ...] | None:
    """The fields of the nearest class in ``cls``'s ancestry that is a Keras family; None when none is."""
    if cls not in _FAMILIES:
        _FAMILIES[cls] = _nearest_family(cls)
    return _FAMILIES[cls]


def _nearest_family(cls: type) -> tuple[str, ...] | None:
    for ancestor in cls.__mro__:
        if not ancestor.__module__.startswith("keras"):
            continue
        for pattern, fields in FAMILY_FIELDS:
            if pattern.fullmatch(ancestor.__name__):
                return fields
    return None


def _config(layer: KerasLayer) -> Mapping[str, object]:
    """``layer.get_config()``; empty for a layer (or subclassed model) that cannot give one."""
    try:
        config = layer.get_config()
    except (NotImplementedError, TypeError, ValueError, AttributeError):  # the layer does not serialise: no fields
        return {}
    return config if isinstance(config, Mapping) else {}


def _is_scalar(value: object) -> bool:
    if isinstance(value, (list, tuple)):
        return all(isinstance(item, (bool, int, float, str)) or item is None for item in value)
    return isinstance(value, (bool, int, float, str)) or value is None


def json_value(value: object) -> JsonValue:
    """A config value as JSON: tuples as lists, a serialised object (a custom activation) by its class name."""
    if isinstance(value, (list, tuple)):
        return [json_value(item) for item in value]
    if isinstance(value, Mapping):
        return str(value.get("registered_name") or value.get("class_name") or value.get("config", ""))
    if isinstance(value, (bool, int, float, str)) or value is None:
        return value
    return str(value)


def compact_attributes(attributes: Mapping[str, JsonValue]) -> str:
    """The attributes in a few characters: ``3x3/2 same, 64, relu``; ``8 heads, key 64``; ``rate 0.1``.

    The kernel (or pool) size with its stride after ``/`` when not 1, the
    padding, the dilation (``d2``) and groups (``g32``) when not 1, the
    filters or units, the activation when not linear; other fields as
    ``name value``.
    """
    parts: list[str] = []
    window = attributes.get("kernel_size", attributes.get("pool_size"))
    if window is not None:
        parts.append(_window(window, attributes.get("strides"), attributes.get("padding")))
    for key, prefix in (("dilation_rate", "d"), ("groups", "g"), ("depth_multiplier", "x")):
        sizes = _sizes(attributes.get(key))
        if set(sizes) - {1}:
            parts.append(prefix + "x".join(str(size) for size in sizes))
    parts += [str(attributes[key]) for key in ("filters", "units") if attributes.get(key) is not None]
    if "num_heads" in attributes:
        parts.append(f"{attributes['num_heads']} heads, key {attributes.get('key_dim')}")
    shown = {"kernel_size", "pool_size", "strides", "padding", "dilation_rate", "groups", "depth_multiplier"}
    shown |= {"filters", "units", "num_heads", "key_dim", "value_dim", "use_bias", "activation"}
    parts += [f"{key} {_text(value)}" for key, value in attributes.items() if key not in shown and value is not None]
    activation = attributes.get("activation")
    if activation not in (None, "linear"):
        parts.append(str(activation))
    return ", ".join(parts)


def _window(window: JsonValue, strides: JsonValue, padding: JsonValue) -> str:
    sizes, steps = _sizes(window), _sizes(strides)
    text = "x".join(str(size) for size in sizes)
    if steps and set(steps) != {1}:
        text += "/" + ("x".join(str(step) for step in steps) if len(set(steps)) > 1 else str(steps[0]))
    return f"{text} {padding}" if padding else text


def _sizes(value: JsonValue) -> list[JsonValue]:
    if value is None:
        return []
    return list(value) if isinstance(value, Sequence) and not isinstance(value, str) else [value]


def _text(value: JsonValue) -> str:
    if isinstance(value, list):
        return "x".join(str(item) for item in value)
    return str(value)
