"""The op-by-op replay of the backward pass against ``tf.gradients`` building the whole gradient graph.

:func:`~kreg.inspect_tools.backward.count_trace_backward` replays each distinct
forward operation's gradient once (``replay=True``, the default) instead of
building the model's gradient graph. Both read the same figures from what
TensorFlow's gradient functions create; here every figure of the replay (MACs
per call, uncounted operations, saved and in-flight bytes) is compared with
the reference read from the graph ``tf.gradients`` builds, on models that
exercise each of ``tf.gradients``'s rules: shared weights and tensors (several
gradients summed by one ``AddN``), frozen layers (pruned gradients), custom
gradients (differentiated in place), attention (``Einsum``, softmax, masks), ``tf.stop_gradient``,
an integer output, mixed precision,
normalisation, and what the replay leaves to ``tf.gradients`` (loops, sparse
gradients of an embedding, XLA-compiled grouped convolutions).
"""

from __future__ import annotations

import keras
import pytest
import tensorflow as tf
from keras import layers

from kreg.inspect_tools.backward import count_trace_backward
from kreg.inspect_tools.compute import TRACE_BATCH
from kreg.inspect_tools.tracing import trace_model
from tests.support.reference_models import (
    SEED_ARCHITECTURES,
    SMALL_APPLICATIONS,
    small_application,
    traceable_seed_components,
)


def _figures(model, replay: bool, input_shapes=None):
    trace = trace_model(model, batch=TRACE_BATCH, input_shapes=input_shapes)
    before = len(trace.graph.get_operations())
    backward = count_trace_backward(trace, replay=replay)
    added = len(trace.graph.get_operations()) - before
    figures = (backward.paths, backward.self_macs, backward.notes, backward.saved_bytes, backward.in_flight_bytes)
    return figures, added


def _attention_stack(blocks: int) -> keras.Model:
    inputs = x = keras.Input((6, 8))
    for _ in range(blocks):
        x = layers.LayerNormalization()(layers.Add()([x, layers.MultiHeadAttention(2, 4)(x, x, use_causal_mask=True)]))
        x = layers.LayerNormalization()(layers.Add()([x, layers.Dense(8, activation="gelu")(x)]))
    return keras.Model(inputs, layers.Dense(3, activation="softmax")(layers.GlobalAveragePooling1D()(x)))


def _cnn() -> keras.Model:
    inputs = keras.Input((12, 12, 3))
    x = layers.Conv2D(8, 3, strides=2, padding="same", use_bias=False)(inputs)
    x = layers.BatchNormalization()(x)
    x = layers.Activation("swish")(x)  # a custom gradient (tf.nn.silu)
    shortcut = x
    x = layers.DepthwiseConv2D(3, padding="same")(x)
    x = layers.Conv2D(8, 1, activation="relu6")(x)
    x = layers.Add()([x, shortcut])
    x = layers.MaxPooling2D()(x)
    x = layers.Conv2DTranspose(4, 3, strides=2)(x)
    return keras.Model(inputs, layers.Dense(2)(layers.Flatten()(x)))


def _shared_and_frozen() -> keras.Model:
    shared = layers.Dense(6, activation="tanh", name="shared")
    frozen = layers.Dense(6, name="frozen", trainable=False)
    inputs = keras.Input((6,))
    x = frozen(inputs)
    y = shared(shared(x))  # one layer called twice: its weights' gradients are summed
    z = layers.Multiply()([y, x])
    return keras.Model(inputs, [layers.Dense(1, activation="sigmoid")(z), layers.Dense(2)(y)])


@keras.saving.register_keras_serializable("kreg_tests")
class ScaledTanh(layers.Layer):
    """A layer with its own gradient (``tf.custom_gradient``) closing over its input."""

    def call(self, x):
        @tf.custom_gradient
        def scaled(value):
            def gradient(upstream):
                return upstream * (1.0 - tf.tanh(value) ** 2) * 2.0

            return 2.0 * tf.tanh(value), gradient

        return scaled(x)


def _custom_gradient() -> keras.Model:
    inputs = keras.Input((5,))
    x = layers.Dense(4)(inputs)
    x = ScaledTanh()(x)
    x = ScaledTanh()(layers.Dense(4)(x))
    return keras.Model(inputs, layers.Dense(1)(x))


class StopAndScale(layers.Layer):
    """Half its output carries no gradient (``tf.stop_gradient``)."""

    def call(self, x):
        return tf.stop_gradient(x) + 2.0 * x


class Argmax(layers.Layer):
    """An integer output: no gradient flows through it."""

    def call(self, x):
        return tf.argmax(x, axis=-1)


def _stopped_and_integer() -> keras.Model:
    inputs = keras.Input((6,))
    hidden = StopAndScale()(layers.Dense(5)(inputs))
    return keras.Model(inputs, [layers.Dense(3)(hidden), Argmax()(hidden)])


def _mixed_precision() -> keras.Model:
    previous = keras.mixed_precision.global_policy()
    keras.mixed_precision.set_global_policy("mixed_float16")
    try:
        return keras.Sequential(
            [
                keras.Input((6,)),
                layers.Dense(5, activation="gelu"),
                layers.LayerNormalization(),
                layers.Dense(3, dtype="float32"),
            ]
        )
    finally:
        keras.mixed_precision.set_global_policy(previous)


REPLAYED = {
    "stop_gradient and an integer output": _stopped_and_integer,
    "mixed precision": _mixed_precision,
    "attention": lambda: _attention_stack(2),
    "cnn": _cnn,
    "shared and frozen": _shared_and_frozen,
    "custom gradient": _custom_gradient,
}


def _custom_gradient_then_sparse() -> keras.Model:
    """The custom gradient is differentiated in place before the replay meets the embedding and gives up."""
    inputs = keras.Input((7,), dtype="int32")
    x = layers.GlobalAveragePooling1D()(layers.Embedding(20, 4)(inputs))
    return keras.Model(inputs, layers.Dense(1)(ScaledTanh()(layers.Dense(4)(x))))


LEFT_TO_TF_GRADIENTS = {
    "custom gradient, then an embedding": _custom_gradient_then_sparse,
    "lstm": lambda: keras.Sequential([keras.Input((5, 3)), layers.LSTM(4), layers.Dense(2)]),
    "embedding": lambda: keras.Sequential(
        [keras.Input((7,), dtype="int32"), layers.Embedding(20, 4), layers.GlobalAveragePooling1D(), layers.Dense(2)]
    ),
    "grouped convolution": lambda: keras.Sequential([keras.Input((6, 6, 4)), layers.Conv2D(4, 3, groups=2)]),
}


@pytest.mark.parametrize("name", [*REPLAYED, *LEFT_TO_TF_GRADIENTS])
def test_the_replay_gives_every_figure_tf_gradients_gives(name):
    model = {**REPLAYED, **LEFT_TO_TF_GRADIENTS}[name]()
    replayed, _ = _figures(model, replay=True)
    reference, _ = _figures(model, replay=False)
    assert replayed == reference
    assert sum(replayed[1]) > 0


@pytest.mark.parametrize("name", ["attention", "cnn", "shared and frozen", "mixed precision"])
def test_the_replay_builds_no_gradient_graph(name):
    """Only the loss (and a custom gradient's operations: the swish of "cnn") join the traced graph."""
    _, replay_added = _figures(REPLAYED[name](), replay=True)
    _, graph_added = _figures(REPLAYED[name](), replay=False)
    assert replay_added < graph_added / 3


def test_repeated_blocks_are_differentiated_once_each():
    """Four identical attention blocks cost the replay no more new gradient functions than one."""
    from kreg.inspect_tools import backward_replay

    calls = []
    original = backward_replay._differentiate

    def counting(*args, **kwargs):
        calls.append(args[0].type)
        return original(*args, **kwargs)

    backward_replay._differentiate = counting
    try:
        for blocks in (1, 4):
            calls.clear()
            _figures(_attention_stack(blocks), replay=True)
            if blocks == 1:
                one = len(calls)
    finally:
        backward_replay._differentiate = original
    assert len(calls) <= one + 4  # the first block's input differs (no gradient flows into the model's input)


@pytest.mark.slow
@pytest.mark.parametrize("application, size", SMALL_APPLICATIONS)
def test_the_replay_equals_tf_gradients_on_applications(application, size):
    model = small_application(application, size)
    replayed, _ = _figures(model, replay=True)
    reference, _ = _figures(model, replay=False)
    assert replayed == reference


@pytest.mark.slow
@pytest.mark.parametrize("name", SEED_ARCHITECTURES)
def test_the_replay_equals_tf_gradients_on_the_seed_architectures(name):
    for component, model in traceable_seed_components(name):
        assert _figures(model, replay=True)[0] == _figures(model, replay=False)[0], component
