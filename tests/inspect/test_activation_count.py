"""``compute.activation_count``: output elements of convolutions and matrix products per example (issue 24, part 6).

fvcore's ActivationCountAnalysis and timm's result tables count activations
this way; the expected figures are written out by hand from the layer sizes.
"""

from __future__ import annotations

import keras
from keras import layers

from kreg.inspect_tools.report import component_report


def test_vgg16_against_a_hand_count(vgg16_component):
    # keras.applications.VGG16 at 224 x 224 x 3, with the classifier
    convolutions = 2 * 224 * 224 * 64 + 2 * 112 * 112 * 128 + 3 * 56 * 56 * 256 + 3 * 28 * 28 * 512 + 3 * 14 * 14 * 512
    classifier = 4096 + 4096 + 1000
    compute = vgg16_component.compute
    assert compute.activation_count == convolutions + classifier == 13_556_712
    assert compute.to_json()["activation_count"] == 13_556_712


def test_vgg16_against_timms_published_benchmark(vgg16_component):
    """timm's results/benchmark-infer-amp-nchw-pt240-cu124-rtx3090.csv, row ``vgg16,224``.

    ``param_count`` 138.36 (M), ``infer_gmacs`` 15.47, ``infer_macts`` 13.56
    (M activations, fvcore's count). timm's vgg16 is the same network
    (13 3x3 convolutions, 5 max pools, 4096-4096-1000 classifier; its first two
    classifier layers are convolutions over the 7 x 7 map, the same products),
    so all three figures agree to timm's two decimals.
    """
    compute = vgg16_component.compute
    assert round(vgg16_component.params.total / 1e6, 2) == 138.36
    assert round(compute.macs / 1e9, 2) == 15.47
    assert round(compute.activation_count / 1e6, 2) == 13.56


def test_elementwise_layers_add_nothing_and_loops_count_every_step():
    inputs = keras.Input((6, 4))
    x = layers.SimpleRNN(3, name="rnn")(inputs)  # two matmuls per step: x W (3) and h U (3)
    x = layers.BatchNormalization()(layers.Activation("relu")(x))
    compute = component_report(keras.Model(inputs, layers.Dense(2)(x))).compute
    assert compute.activation_count == 6 * (3 + 3) + 2


def test_unknown_sizes_leave_it_out():
    inputs = keras.Input((None, 4))
    compute = component_report(keras.Model(inputs, layers.Dense(2)(inputs))).compute
    assert compute.activation_count is None
