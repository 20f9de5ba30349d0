"""Repeated layer calls copied while tracing, against Keras making every call itself.

The reference is the trace with ``copy_repeats=False``: Keras calls each layer
and TensorFlow's Python wrappers build every operation. With copies, every
operation of the graph (type, attributes, inputs, control inputs, output
shapes, owning call) and every call record (path, layer, parent, shapes,
tensors) must be the same, in the same order, and so must every figure read
from them (MACs, backward MACs, saved and in-flight bytes). Operation names
are the only difference.
"""

from __future__ import annotations

import keras
import pytest
from keras import layers

from kreg.inspect_tools.backward import count_trace_backward
from kreg.inspect_tools.call_copies import SCOPE
from kreg.inspect_tools.compute import TRACE_BATCH, count_macs
from kreg.inspect_tools.tracing import trace_model
from tests.inspect.toy_models import custom_layer_model, nested_model, seq2seq_transformer
from tests.support.reference_models import (
    SEED_ARCHITECTURES,
    SMALL_APPLICATIONS,
    small_application,
    traceable_seed_components,
)


def _attention_stack(blocks: int = 4) -> keras.Model:
    inputs = x = keras.Input((6, 8))
    for _ in range(blocks):
        x = layers.LayerNormalization()(layers.Add()([x, layers.MultiHeadAttention(2, 4)(x, x, use_causal_mask=True)]))
        x = layers.LayerNormalization()(layers.Add()([x, layers.Dense(8, activation="gelu")(x)]))
    return keras.Model(inputs, layers.Dense(3, activation="softmax")(layers.GlobalAveragePooling1D()(x)))


def _residual_cnn(blocks: int = 3) -> keras.Model:
    inputs = keras.Input((16, 16, 3))
    x = layers.Conv2D(8, 3, padding="same")(inputs)
    for _ in range(blocks):
        shortcut = x
        x = layers.Conv2D(8, 3, padding="same", use_bias=False)(x)
        x = layers.BatchNormalization()(x)
        x = layers.Activation("swish")(x)  # a custom gradient: never copied
        x = layers.DepthwiseConv2D(3, padding="same")(x)
        x = layers.Conv2D(8, 1, activation="relu6")(x)
        x = layers.Add()([x, shortcut])
    x = layers.Conv2DTranspose(4, 3, strides=2)(layers.MaxPooling2D()(x))
    return keras.Model(inputs, layers.Dense(2)(layers.Flatten()(x)))


def _shared_and_frozen() -> keras.Model:
    inputs = keras.Input((5,))
    shared = layers.Dense(5)
    frozen = layers.Dense(5)
    frozen.trainable = False
    x = shared(shared(shared(inputs)))
    x = layers.Dense(5)(frozen(x))  # a frozen Dense and a trainable one of the same configuration
    regularized = [layers.Dense(5, activity_regularizer="l2") for _ in range(2)]  # each adds a loss
    return keras.Model(inputs, regularized[1](regularized[0](x)))


def _masked_recurrent() -> keras.Model:
    inputs = keras.Input((7,), dtype="int32")
    x = layers.Embedding(20, 6, mask_zero=True)(inputs)
    x = layers.Dense(6)(layers.Dense(6)(x))  # masked inputs: never copied
    x = layers.GRU(4, return_sequences=True)(x)
    x = layers.GRU(4)(x)  # a loop in a graph of its own
    return keras.Model(inputs, layers.Dense(2)(layers.Dense(4)(layers.Dense(4)(x))))


def _mixed_precision() -> keras.Model:
    inputs = x = keras.Input((4,))
    for _ in range(3):
        x = layers.Dense(4, dtype="mixed_float16")(x)
    return keras.Model(inputs, layers.Activation("linear", dtype="float32")(x))


MODELS = {
    "attention": _attention_stack,
    "residual_cnn": _residual_cnn,
    "shared_and_frozen": _shared_and_frozen,
    "masked_recurrent": _masked_recurrent,
    "mixed_precision": _mixed_precision,
    "custom_layer": custom_layer_model,
    "nested": nested_model,
    "seq2seq_transformer": seq2seq_transformer,
}


def _graph_form(trace) -> list[tuple]:
    """Every operation in creation order, named by position: type, attributes, inputs, controls, shapes, owner."""
    ops = trace.graph.get_operations()
    position = {id(op): index for index, op in enumerate(ops)}
    form = []
    for op in ops:
        attributes = sorted((key, _attribute(key, value)) for key, value in op.node_def.attr.items() if key != "_class")
        form.append(
            (
                op.type,
                attributes,
                [(position[id(tensor.op)], tensor.value_index) for tensor in op.inputs],
                sorted(position[id(control)] for control in op.control_inputs),
                [None if tensor.shape.rank is None else tuple(tensor.shape.as_list()) for tensor in op.outputs],
                trace.owners.owner(op),
            )
        )
    return form


def _attribute(key: str, value) -> bytes:
    """An attribute's value; names numbered per process (a loop body's, a custom gradient's) only as what they are."""
    if value.WhichOneof("value") == "func":
        return b"a function"
    if key == "_gradient_op_type":
        return b"a custom gradient"
    return value.SerializeToString(deterministic=True)


def _calls_form(trace) -> list[tuple]:
    ops = trace.graph.get_operations()
    position = {(id(op), index): place for place, op in enumerate(ops) for index in range(len(op.outputs))}

    def where(tensors):
        return [position.get((id(tensor.op), tensor.value_index), "elsewhere") for tensor in tensors]

    return [
        (
            call.index,
            call.path,
            id(call.layer),
            call.parent,
            call.children,
            repr(call.input_shape),
            repr(call.output_shape),
            where(call.inputs),
            where(call.outputs),
            call.graph is trace.graph,
        )
        for call in trace.calls
    ]


def _figures(trace) -> tuple:
    compute = count_macs(trace)
    backward = count_trace_backward(trace)
    return compute.self_macs, backward.self_macs, backward.saved_bytes, backward.in_flight_bytes, backward.notes


def _assert_same_traces(model, figures: bool = True) -> None:
    """The copied trace of ``model`` is Keras's own, operation for operation, call for call (and figure for figure)."""
    made = trace_model(model, batch=TRACE_BATCH, copy_repeats=False)
    copied = trace_model(model, batch=TRACE_BATCH)
    assert _graph_form(copied) == _graph_form(made)
    assert _calls_form(copied) == _calls_form(made)
    if figures:
        assert _figures(copied) == _figures(made)


@pytest.mark.parametrize("name", sorted(MODELS))
def test_copied_trace_is_the_trace_keras_makes(name):
    _assert_same_traces(MODELS[name]())


def _copied_share(trace) -> float:
    ops = trace.graph.get_operations()
    return sum(SCOPE in op.name for op in ops) / len(ops)


def test_repeated_blocks_are_copied():
    """On a stack of identical blocks most operations are copies (else the trace is as slow as before)."""
    assert _copied_share(trace_model(_attention_stack(6), batch=TRACE_BATCH)) > 0.7
    assert _copied_share(trace_model(_attention_stack(6), batch=TRACE_BATCH, copy_repeats=False)) == 0


def _copied_layers(model) -> set[int]:
    trace = trace_model(model, batch=TRACE_BATCH)
    owners = {trace.owners.owner(op) for op in trace.graph.get_operations() if SCOPE in op.name}
    return {id(trace.calls[owner].layer) for owner in owners}


def test_calls_that_could_differ_are_made_not_copied():
    """Masked inputs, a loss added, a frozen twin, a loop or a custom gradient: Keras makes each such call."""
    model = _masked_recurrent()
    dense_after_gru = [layer for layer in model.layers if isinstance(layer, layers.Dense)][-2]
    assert _copied_layers(model) == {id(dense_after_gru)}  # not the masked Dense calls, nor a GRU

    model = _shared_and_frozen()
    shared, frozen, after_frozen = model.layers[1], model.layers[2], model.layers[3]
    assert not frozen.trainable and after_frozen.trainable
    assert _copied_layers(model) == {id(shared), id(after_frozen)}  # not the frozen one, nor the regularized ones

    trace = trace_model(_residual_cnn(), batch=TRACE_BATCH)
    swish = [op for op in trace.graph.get_operations() if "_gradient_op_type" in op.node_def.attr]
    assert swish and not any(SCOPE in op.name for op in swish)
    assert any(SCOPE in op.name for op in trace.graph.get_operations())


@pytest.mark.slow
@pytest.mark.parametrize("application, size", SMALL_APPLICATIONS)
def test_copies_equal_keras_on_applications(application, size):
    # the figures: test_backward_replay's slow tests, on the same models
    _assert_same_traces(small_application(application, size), figures=False)


@pytest.mark.slow
@pytest.mark.parametrize("name", SEED_ARCHITECTURES)
def test_copies_equal_keras_on_the_seed_architectures(name):
    for _, model in traceable_seed_components(name):
        _assert_same_traces(model)
