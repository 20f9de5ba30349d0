"""Backward-pass MACs against counts written out by hand.

A layer's backward pass computes the gradient of its weights (as many MACs as
its forward pass: every product of an input and an output gradient) and,
unless nothing trainable comes before it, the gradient of its input (as many
again). Each expected figure is written from the layer sizes, never read back
from kreg.
"""

from __future__ import annotations

import keras
import pytest
from keras import layers

from kreg.inspect_tools.backward import count_backward
from kreg.inspect_tools.report import component_report


def _chain(*stack, input_shape):
    inputs = keras.Input(input_shape)
    outputs = inputs
    for layer in stack:
        outputs = layer(outputs)
    return keras.Model(inputs, outputs)


def test_dense_chain_weight_gradients_everywhere_input_gradients_after_the_first():
    model = _chain(layers.Dense(7, name="a"), layers.Dense(3, name="b"), layers.Dense(2, name="c"), input_shape=(5,))
    forward = {"a": 5 * 7, "b": 7 * 3, "c": 3 * 2}
    backward = count_backward(model).by_path()
    assert backward == {"a": forward["a"], "b": 2 * forward["b"], "c": 2 * forward["c"]}
    assert count_backward(model).total == 5 * 7 + 2 * (7 * 3 + 3 * 2)


def test_small_cnn_against_a_hand_count():
    model = _chain(
        layers.Conv2D(4, 3, name="c1"),  # 8x8x3 -> 6x6x4
        layers.Conv2D(5, 3, name="c2"),  # -> 4x4x5
        layers.Flatten(name="flat"),
        layers.Dense(3, name="d"),
        input_shape=(8, 8, 3),
    )
    c1, c2, d = 6 * 6 * 4 * 3 * 3 * 3, 4 * 4 * 5 * 3 * 3 * 4, 80 * 3
    assert count_backward(model).by_path() == {"c1": c1, "c2": 2 * c2, "flat": 0, "d": 2 * d}


def test_depthwise_and_grouped_convolutions():
    model = _chain(
        layers.DepthwiseConv2D(3, name="dw1"),  # 10x10x4 -> 8x8x4
        layers.Conv2D(6, 3, groups=2, name="grouped"),  # -> 6x6x6, 2 input channels per group
        layers.DepthwiseConv2D(3, name="dw2"),  # -> 4x4x6
        input_shape=(10, 10, 4),
    )
    dw1, grouped, dw2 = 8 * 8 * 4 * 9, 6 * 6 * 6 * 9 * 2, 4 * 4 * 6 * 9
    assert count_backward(model).by_path() == {"dw1": dw1, "grouped": 2 * grouped, "dw2": 2 * dw2}


def test_frozen_layers_get_no_weight_gradients():
    model = _chain(layers.Dense(7, name="a"), layers.Dense(3, name="b"), layers.Dense(2, name="c"), input_shape=(5,))
    model.get_layer("a").trainable = False
    # a: nothing to compute; b: its weights only (nothing trainable before it); c: weights and input
    assert count_backward(model).by_path() == {"a": 0, "b": 7 * 3, "c": 2 * 3 * 2}
    model.get_layer("b").trainable = False
    # with a and b frozen, nothing before c is trainable: c computes its weight gradient only
    assert count_backward(model).by_path() == {"a": 0, "b": 0, "c": 3 * 2}


def test_a_frozen_backbone_counts_input_gradients_only_where_something_trainable_comes_first():
    backbone = _chain(layers.Conv2D(4, 3, name="f1"), layers.Conv2D(4, 3, name="f2"), input_shape=(8, 8, 3))
    backbone.trainable = False
    f1, f2 = 6 * 6 * 4 * 27, 4 * 4 * 4 * 36
    head = [layers.Flatten(name="flat"), layers.Dense(2, name="head")]
    frozen_first = _chain(backbone, *head, input_shape=(8, 8, 3))
    by_path = count_backward(frozen_first).by_path()
    assert by_path[backbone.name] == 0
    assert by_path["head"] == 64 * 2  # weights only: nothing trainable before it
    trainable_first = _chain(layers.Conv2D(3, 1, name="stem"), backbone, *head, input_shape=(8, 8, 3))
    by_path = count_backward(trainable_first).by_path()
    assert by_path[backbone.name] == f1 + f2  # input gradients only, no weight gradients
    assert by_path["stem"] == 8 * 8 * 3 * 3


def test_a_recurrent_layer_counts_its_gradient_loop_once_per_time_step():
    steps, features, units = 12, 4, 6
    model = _chain(layers.LSTM(units, name="lstm"), input_shape=(steps, features))
    # Per step: the weight gradients (4 gates x units x (features + units)) and the gradients
    # of the step's inputs and state (as many again): the gradient loop computes both.
    assert count_backward(model).by_path()["lstm"] == steps * 2 * 4 * units * (features + units)


def test_the_report_carries_backward_and_training_step_macs():
    model = _chain(layers.Dense(7, name="a"), layers.Dense(3, name="b"), input_shape=(5,))
    report = component_report(model).to_json()
    compute = report["compute"]
    assert compute["macs"] == 5 * 7 + 7 * 3
    assert compute["backward_macs"] == 5 * 7 + 2 * 7 * 3
    assert compute["training_step_macs"] == compute["macs"] + compute["backward_macs"]
    rows = {row["path"]: row for row in report["layers"]}
    assert rows["a"]["backward_macs"] == 5 * 7
    assert rows["b"]["backward_macs"] == 2 * 7 * 3
    keys = list(rows["b"])
    assert keys.index("backward_macs") == keys.index("macs") + 1  # added right after the keys rows always had


def test_unknown_sizes_leave_backward_macs_out():
    model = _chain(layers.Conv2D(4, 3), layers.GlobalAveragePooling2D(), input_shape=(None, None, 3))
    compute = component_report(model).to_json()["compute"]
    assert compute["macs"] is None
    assert compute["backward_macs"] is None
    assert compute["training_step_macs"] is None


@pytest.mark.slow
def test_resnet50_training_step_is_just_under_three_forward_passes():
    from kreg.inspect_tools.compute import TRACE_BATCH, count_macs
    from kreg.inspect_tools.tracing import trace_model

    model = keras.applications.ResNet50(weights=None)
    forward = count_macs(trace_model(model, batch=TRACE_BATCH)).total
    backward = count_backward(model)
    # 3x forward, less the first convolution's input gradient (about 3 % of the MACs)
    assert 2.9 <= (forward + backward.total) / forward <= 3.0
    conv1 = 112 * 112 * 64 * 7 * 7 * 3
    assert backward.by_path()["conv1_conv"] == conv1
