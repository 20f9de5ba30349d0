"""The Keras internals kreg relies on (inspect_tools/keras_compat.py) still work, or fail loudly."""

from __future__ import annotations

import contextlib

import pytest

from kreg.errors import KerasIncompatible
from kreg.inspect_tools import keras_compat
from kreg.inspect_tools.tracing import trace_model

keras = pytest.importorskip("keras")


@keras.saving.register_keras_serializable(package="kreg_compat_test")
class Block(keras.layers.Layer):
    """Two Dense layers called inside ``call``: Keras gives them no graph nodes."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.first = keras.layers.Dense(3, name="first")
        self.second = keras.layers.Dense(2, name="second")

    def call(self, x):
        return self.second(self.first(x))


def known_model():
    inputs = keras.Input((4,), name="x")
    outputs = keras.layers.Dense(1, name="out")(Block(name="block")(inputs))
    return keras.Model(inputs, outputs, name="known")


def test_a_known_model_traces_every_call_by_hand_count():
    trace = trace_model(known_model())
    # By hand: the model itself, block, block/first, block/second, out.
    assert [call.path for call in trace.calls] == ["", "block", "block/first", "block/second", "out"]
    assert [call.output_shape for call in trace.inner] == [[None, 2], [None, 3], [None, 2], [None, 1]]


def test_tracing_that_sees_no_call_raises_instead_of_reporting_nothing(monkeypatch):
    """What a Keras release that stops dispatching through Layer.__call__ would look like."""
    monkeypatch.setattr(keras_compat, "layer_calls_wrapped", lambda wrap: contextlib.nullcontext())
    with pytest.raises(
        KerasIncompatible, match=rf"tracing saw no layer calls .*Keras {keras.__version__} changed its call dispatch"
    ):
        trace_model(known_model())


def test_the_inspect_command_fails_loudly_too(monkeypatch, kreg_cli):
    monkeypatch.setattr(keras_compat, "layer_calls_wrapped", lambda wrap: contextlib.nullcontext())
    result = kreg_cli("inspect", "risk-factor-autoencoder", "--json")
    assert result.exit_code == 1 and result.stdout == ""
    assert "tracing saw no layer calls" in result.stderr and "changed its call dispatch" in result.stderr


def test_each_stand_in_answers_for_a_known_model():
    model = known_model()
    assert keras_compat.functional_of(model) is model
    sequential = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    assert keras_compat.functional_of(sequential) is not None
    block = model.get_layer("block")
    assert keras_compat.has_sublayers(block) and not keras_compat.has_sublayers(model.get_layer("out"))
    assert list(keras_compat.graph_nodes(model, block)) and keras_compat.kernel_of(model.get_layer("out")).shape == (
        2,
        1,
    )
    operation, index = keras_compat.producer(model.outputs[0])
    assert operation.name == "out" and index == 0

    class Subclassed(keras.Model):
        def __init__(self):
            super().__init__()
            self.dense = keras.layers.Dense(2)

        def build(self, input_shape):
            self.dense.build(input_shape)

        def call(self, x):
            return self.dense(x)

    subclassed = Subclassed()
    subclassed.build((None, 5))
    assert list(keras_compat.built_input_shapes(subclassed).values()) == [(None, 5)]


def test_nested_layers_reaches_inside_nested_models():
    inner = keras.Sequential(
        [
            keras.Input((4,)),
            keras.layers.Dense(3, name="inner_dense"),
            keras.layers.BatchNormalization(name="inner_norm"),
        ],
        name="inner",
    )
    inputs = keras.Input((4,))
    outer = keras.Model(inputs, keras.layers.Dense(1, name="outer_dense")(inner(inputs)))
    names = {layer.name for layer in keras_compat.nested_layers(outer)}
    assert {"inner", "inner_dense", "inner_norm", "outer_dense"} <= names


def test_variables_checked_sees_each_weight_before_it_is_allocated_and_can_stop_it():
    import keras

    from kreg.inspect_tools.keras_compat import variables_checked

    seen = []

    def record(shape, dtype, path):
        seen.append((shape, dtype, path.rsplit("/", 1)[-1]))
        if shape == (3, 10_000_000_000):
            raise MemoryError("refused")

    with variables_checked(record):
        keras.layers.Dense(4, name="small").build((None, 3))
        with pytest.raises(MemoryError, match="refused"):
            keras.layers.Dense(10_000_000_000, name="huge").build((None, 3))
    assert seen == [
        ((3, 4), "float32", "kernel"),
        ((4,), "float32", "bias"),
        ((3, 10_000_000_000), "float32", "kernel"),
    ]
    keras.layers.Dense(2).build((None, 3))  # no longer checked once the block ended
    assert len(seen) == 3


def test_the_gradient_internals_answer_for_a_matmul_and_a_custom_gradient():
    """What the backward replay (kreg.inspect_tools.backward_replay) reads of TensorFlow's gradient machinery."""
    import tensorflow as tf

    @tf.custom_gradient
    def doubled(x):
        return 2.0 * x, lambda upstream: 2.0 * upstream

    with keras_compat.scratch_graph("compat") as graph:
        a = tf.compat.v1.placeholder("float32", (3, 4))
        b = tf.compat.v1.placeholder("float32", (4, 5))
        product = tf.matmul(a, b)
        custom = doubled(product)
        indices = tf.argmax(product, axis=-1)
    matmul, identity = product.op, custom.op
    assert not keras_compat.has_own_gradient(matmul, matmul.node_def.attr)
    assert keras_compat.has_own_gradient(identity, identity.node_def.attr)
    assert keras_compat.registered_gradient("MatMul") is keras_compat.gradient_function(matmul)
    assert keras_compat.registered_gradient("Shape") is None  # registered as not differentiable
    assert keras_compat.is_backpropagatable(product) and not keras_compat.is_backpropagatable(indices)
    assert not keras_compat.is_function_call(matmul)
    assert keras_compat.missing_gradient_zeros(indices.op, 0) is None
    with graph.as_default():
        assert keras_compat.missing_gradient_zeros(matmul, 0).shape == (3, 5)
    copy_graph = tf.__internal__.FuncGraph("copy")
    with copy_graph.as_default():
        stand_ins = [tf.compat.v1.placeholder("float32", (3, 4)), tf.compat.v1.placeholder("float32", (4, 5))]
        copy = keras_compat.copy_operation(copy_graph, matmul, stand_ins)
        upstream = tf.compat.v1.placeholder("float32", (3, 5))
        gradients = keras_compat.call_gradient_function("g", copy, keras_compat.gradient_function(copy), [upstream])
    assert copy.type == "MatMul" and copy.outputs[0].shape == (3, 5)
    assert [tuple(gradient.shape) for gradient in gradients] == [(3, 4), (4, 5)]


def test_static_value_types_are_the_ones_tensorflow_evaluates():
    """``static_value`` skips every other type: a TensorFlow that evaluates more of them must fail here."""
    import inspect
    import re

    import tensorflow as tf
    from tensorflow.python.framework import tensor_util

    source = inspect.getsource(tensor_util._ConstantValue)
    named = set(re.findall(r'op\.type == "(\w+)"', source))
    for group in re.findall(r"op\.type in \(([^)]*)\)", source):
        named |= set(re.findall(r'"(\w+)"', group))
    assert named == keras_compat.STATIC_VALUE_TYPES
    with keras_compat.scratch_graph("static"):
        a = tf.compat.v1.placeholder("float32", (2, 3))
        assert list(keras_compat.static_value(tf.shape(a))) == [2, 3]
        assert keras_compat.static_value(tf.matmul(a, tf.ones((3, 1)))) is None


def test_the_call_copy_internals_answer_for_a_known_model():
    """What copying a repeated call (kreg.inspect_tools.call_copies) reads of Keras and makes in TensorFlow."""
    import tensorflow as tf

    block = known_model().get_layer("block")
    assert [layer.name for layer in keras_compat.layers_within(block)] == ["block", "first", "second"]
    assert keras_compat.call_state() == ((), None)  # outside any call: nothing decided
    assert keras_compat.losses_added() == 0 and keras_compat.stateless_values(block.weights) == ()
    with keras_compat.scratch_graph("copies") as graph:
        x = tf.compat.v1.placeholder("float32", (None, 4))
        keras.src.backend.set_keras_mask(x, tf.ones((2,), "bool"))
        assert keras_compat.keras_mask(x) is not None
        version = keras_compat.last_op_id(graph)
        product = tf.concat([tf.matmul(x, tf.ones((4, 3))), tf.zeros((1, 3))], axis=0)
        made = keras_compat.operations_after(graph, version)
        assert made == [op for op in graph.get_operations() if keras_compat.op_id(op) > version]
        assert made[-1] is product.op and [op.type for op in made][:2] == ["Const", "MatMul"]
        recipe = keras_compat.operation_recipe(product.op)
        assert recipe.type == "ConcatV2" and recipe.groups == (2, None)
        again = keras_compat.make_operation(graph, recipe, "again", list(product.op.inputs), [])
    assert again.type == "ConcatV2" and again.outputs[0].shape.as_list() == [None, 3]
    assert [tensor.op for tensor in again.inputs] == [tensor.op for tensor in product.op.inputs]
    with keras.StatelessScope(collect_losses=True) as scope:
        scope.add_loss(1.0)
        assert keras_compat.losses_added() == 1
