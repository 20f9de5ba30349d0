"""``--count all``: FLOPs by operation type, against tf.profiler's ``float_operation`` (issue 24, part 5).

The profiler is run on a frozen graph of the same model (its variables made
constants, batch 1), made apart from kreg's trace. Its totals count the
products (2 x MACs) and the element-wise operations it has a formula for
(bias adds, batch-norm arithmetic as Add/Mul/Rsqrt, residual sums, pooling,
means, softmax); kreg's formulas for those types are the profiler's
(:data:`~kreg.inspect_tools.flops.PROFILER_SEES`), so the totals agree within
2 % (on these nets, to the FLOP). kreg also counts what the profiler has no
formula for (``Relu``, ``Relu6``...), left out of the comparison; and the
profiler does not see an ``Einsum``, a loop's iterations, nor a grouped
convolution (a function call): the last tests show it.
"""

from __future__ import annotations

import json

import keras
import pytest
import tensorflow as tf
from keras import layers, ops

import kreg
from kreg.inspect_tools.flops import KREG_PER_OUTPUT, PROFILER_SEES


def _vgg_like() -> keras.Model:
    inputs = keras.Input((32, 32, 3))
    x = layers.Conv2D(8, 3, padding="same", activation="relu")(inputs)
    x = layers.Conv2D(8, 3, activation="relu")(x)
    x = layers.MaxPooling2D()(x)
    x = layers.Conv2D(16, 3, padding="same", activation="relu")(x)
    x = layers.Flatten()(layers.AveragePooling2D(2)(x))
    x = layers.Dense(32, activation="relu")(x)
    return keras.Model(inputs, layers.Dense(10, activation="softmax")(x))


def _resnet_like() -> keras.Model:
    inputs = keras.Input((32, 32, 3))
    x = layers.Conv2D(16, 3, strides=2, padding="same", use_bias=False)(inputs)
    x = layers.ReLU()(layers.BatchNormalization()(x))
    branch = layers.BatchNormalization()(layers.Conv2D(16, 3, padding="same")(x))
    x = layers.GlobalAveragePooling2D()(layers.ReLU()(layers.Add()([x, branch])))
    return keras.Model(inputs, layers.Dense(10, activation="softmax")(x))


def _mobilenet_like() -> keras.Model:
    inputs = keras.Input((32, 32, 3))
    x = layers.Conv2D(8, 3, strides=2, padding="same")(inputs)
    depthwise = layers.ReLU(6.0)(layers.BatchNormalization()(layers.DepthwiseConv2D(3, padding="same")(x)))
    x = layers.Concatenate()([x, layers.Conv2D(16, 1)(depthwise)])
    return keras.Model(inputs, layers.Dense(10)(layers.GlobalAveragePooling2D()(x)))


def _frozen_graph(model: keras.Model) -> tf.Graph:
    """The inference graph of ``model`` at batch 1, its variables made constants."""
    from tensorflow.python.framework.convert_to_constants import convert_variables_to_constants_v2

    function = tf.function(lambda x: model(x, training=False))
    concrete = function.get_concrete_function(tf.TensorSpec((1, *model.inputs[0].shape[1:]), tf.float32))
    return convert_variables_to_constants_v2(concrete).graph


def _profiler_by_type(graph: tf.Graph) -> dict[str, int]:
    """tf.profiler's ``float_operation`` FLOPs of every node of ``graph``, summed by operation type."""
    options = tf.compat.v1.profiler.ProfileOptionBuilder.float_operation()
    options["output"] = "none"
    by_type: dict[str, int] = {}
    pending = [tf.compat.v1.profiler.profile(graph, options=options, cmd="scope")]
    while pending:
        node = pending.pop()
        pending.extend(node.children)
        if node.float_ops and not node.children:
            kind = graph.get_operation_by_name(node.name).type
            by_type[kind] = by_type.get(kind, 0) + node.float_ops
    return by_type


def _by_op(model: keras.Model) -> dict[str, int]:
    return dict(kreg.inspect(model, count="all").components["model"].compute.by_op)


@pytest.mark.parametrize("make", [_vgg_like, _resnet_like, _mobilenet_like], ids=["vgg", "resnet", "mobilenet"])
def test_flops_agree_with_the_tf_profiler_on_a_frozen_graph_within_2_percent(make):
    model = make()
    profiler = _profiler_by_type(_frozen_graph(model))
    ours = _by_op(model)
    assert set(profiler) <= PROFILER_SEES  # every type the profiler counts, kreg counts with its formula
    compared = sum(flops for kind, flops in ours.items() if kind in PROFILER_SEES)
    theirs = sum(profiler.values())
    assert abs(compared - theirs) <= 0.02 * theirs, {kind: (ours.get(kind), profiler.get(kind)) for kind in ours}
    assert {"Conv2D", "BiasAdd", "MatMul"} <= set(profiler)
    assert set(ours) - PROFILER_SEES <= KREG_PER_OUTPUT  # the rest: activations the profiler has no formula for


def test_by_op_by_hand_and_the_default_json_is_unchanged():
    inputs = keras.Input((4, 4, 2))
    x = layers.Conv2D(3, 3, padding="same", activation="relu", name="conv")(inputs)  # 4 x 4 x 3 outputs of 18 MACs
    x = layers.MaxPooling2D(2, name="pool")(x)  # 2 x 2 x 3 outputs of a 2 x 2 window
    model = keras.Model(inputs, layers.Softmax(name="softmax")(layers.GlobalAveragePooling2D(name="gap")(x)))
    compute = kreg.inspect(model, count="all").components["model"].compute
    assert compute.by_op == {
        "Conv2D": 2 * 48 * 18,
        "BiasAdd": 48,
        "Relu": 48,
        "MaxPool": 12 * 4,
        "Mean": 12,
        "Softmax": 15,
    }
    assert compute.flops == 2 * compute.macs + 48 + 48 + 48 + 12 + 15
    written = compute.to_json()
    assert list(written)[-2:] == ["flops", "by_op"] and written["by_op"]["Softmax"] == 15
    assert not {"flops", "by_op"} & set(kreg.inspect(model).components["model"].compute.to_json())


class Similarity(layers.Layer):
    def call(self, x):
        return ops.einsum("bij,bkj->bik", x, x)


def test_where_the_profiler_cannot_see_kreg_counts_einsum_loops_and_grouped_convolutions():
    inputs = keras.Input((8, 4))
    einsum = keras.Model(inputs, Similarity()(inputs))
    assert _by_op(einsum) == {"Einsum": 2 * 8 * 8 * 4}
    assert _profiler_by_type(_frozen_graph(einsum)) == {}  # no formula for Einsum

    inputs = keras.Input((6, 4))
    recurrent = keras.Model(inputs, layers.SimpleRNN(3)(inputs))
    assert _by_op(recurrent)["MatMul"] == 2 * 6 * (4 * 3 + 3 * 3)  # every step
    assert _profiler_by_type(_frozen_graph(recurrent)).get("MatMul", 0) < 2 * (4 * 3 + 3 * 3)  # the body once at most

    inputs = keras.Input((16, 16, 8))
    grouped = keras.Model(inputs, layers.Conv2D(8, 3, groups=2)(inputs))
    assert _by_op(grouped)["Conv2D"] == 2 * 14 * 14 * 8 * 3 * 3 * 4
    assert _profiler_by_type(_frozen_graph(grouped)) == {}  # inside a function call


def test_count_all_on_the_command_line(tmp_path, kreg_cli):
    inputs = keras.Input((4, 4, 2))
    path = tmp_path / "net.keras"
    keras.Model(inputs, layers.Conv2D(3, 3, name="conv")(inputs)).save(path)
    result = kreg_cli("inspect", str(path), "--count", "all", "--json")
    compute = json.loads(result.output)["components"]["model"]["compute"]
    assert compute["by_op"] == {"Conv2D": 2 * 2 * 2 * 3 * 18, "BiasAdd": 12} and compute["flops"] == 444
    text = kreg_cli("inspect", str(path), "--count", "all").output
    assert "FLOPs per example" in text and "Conv2D 432" in text
    refused = kreg_cli("inspect", str(path), "--count", "some")
    assert refused.exit_code == 2 and "'some' is not one of 'macs', 'all'" in refused.output
    with pytest.raises(kreg.KregUsageError, match="count must be one of macs, all, not 'some'"):
        kreg.inspect(keras.Model(inputs, inputs), count="some")


@pytest.mark.slow
@pytest.mark.parametrize("name", ["ResNet50", "MobileNetV2", "VGG16"])
def test_keras_applications_agree_with_the_tf_profiler(name):
    model = getattr(keras.applications, name)(weights=None, input_shape=(64, 64, 3), classes=10)
    profiler = _profiler_by_type(_frozen_graph(model))
    ours = _by_op(model)
    compared = sum(flops for kind, flops in ours.items() if kind in PROFILER_SEES)
    assert abs(compared - sum(profiler.values())) <= 0.02 * sum(profiler.values())
