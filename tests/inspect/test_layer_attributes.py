"""Layer rows' attributes, inputs, trainable flags and shares, checked against Keras's own configs and graphs."""

from __future__ import annotations

import keras
import pytest

from kreg.inspect_tools.layer_attributes import compact_attributes, layer_attributes
from kreg.inspect_tools.report import component_report
from kreg.plugins.applications.catalog import APPLICATIONS

# What a reviewer needs of each class, written out here rather than read from kreg's table.
EXPECTED_FIELDS = {
    "Conv2D": {"kernel_size", "strides", "padding", "dilation_rate", "filters", "groups", "activation", "use_bias"},
    "DepthwiseConv2D": {"kernel_size", "strides", "padding", "dilation_rate", "depth_multiplier", "activation"}
    | {"use_bias"},
    "SeparableConv2D": {"kernel_size", "strides", "padding", "dilation_rate", "filters", "depth_multiplier"}
    | {"activation", "use_bias"},
    "Dense": {"units", "activation", "use_bias"},
    "MaxPooling2D": {"pool_size", "strides", "padding"},
    "AveragePooling2D": {"pool_size", "strides", "padding"},
    "BatchNormalization": {"axis", "epsilon"},
    "LayerNormalization": {"axis", "epsilon"},
    "Dropout": {"rate"},
    "Activation": {"activation"},
    "ZeroPadding2D": {"padding"},
}

QUICK = ("ResNet50", "MobileNetV2", "Xception")
"""Checked in the default run; EfficientNetB0, DenseNet121 and the rest (15-19 s each under load) in the slow sweep."""


def as_json(value):
    return [as_json(item) for item in value] if isinstance(value, (list, tuple)) else value


def check_attributes_against_configs(model):
    """Every top-level row of a known class has exactly the expected fields, with its config's values."""
    report = component_report(model)
    checked = 0
    for row in report.layers:
        expected = EXPECTED_FIELDS.get(row.layer_class)
        if expected is None or "/" in row.path or row.layer_class == "InputLayer":
            continue
        config = model.get_layer(row.path).get_config()
        assert set(row.attributes) == expected & set(config), row.path
        assert row.attributes == {key: as_json(config[key]) for key in row.attributes}, row.path
        checked += 1
    assert checked > 10
    return report


@pytest.fixture(scope="module")
def resnet50():
    return keras.applications.ResNet50(weights=None)


@pytest.fixture(scope="module")
def resnet50_report(resnet50):
    return component_report(resnet50)


def test_resnet50_shortcut_convolution_is_fed_by_the_stem_pooling(resnet50, resnet50_report):
    assert resnet50_report.row_at("conv2_block1_0_conv").inputs == ("pool1_pool",)
    assert resnet50_report.row_at("conv2_block1_add").inputs == ("conv2_block1_0_bn", "conv2_block1_3_bn")
    assert resnet50_report.row_at("conv1_pad").inputs == (resnet50.layers[0].name,)


def test_resnet50_inputs_are_keras_own_inbound_layers(resnet50, resnet50_report):
    for layer in resnet50.layers[1:]:
        inbound = {tensor._keras_history.operation.name for tensor in keras.tree.flatten(layer.input)}
        assert set(resnet50_report.row_at(layer.name).inputs) == inbound, layer.name


def test_resnet50_stem_attributes_and_compact_column(resnet50_report):
    stem = resnet50_report.row_at("conv1_conv")
    assert stem.attributes["kernel_size"] == [7, 7] and stem.attributes["strides"] == [2, 2]
    assert compact_attributes(stem.attributes) == "7x7/2 valid, 64"
    assert compact_attributes(resnet50_report.row_at("pool1_pool").attributes) == "3x3/2 valid"
    assert compact_attributes(resnet50_report.row_at("predictions").attributes) == "1000, softmax"


def test_resnet50_shares_add_up_and_trainable_follows_the_layer(resnet50_report):
    rows = [row for row in resnet50_report.layers if row.layer_class != "InputLayer"]
    assert sum(row.params_share for row in rows) == pytest.approx(1, abs=1e-4)
    assert sum(row.macs_share for row in rows) == pytest.approx(1, abs=1e-4)
    assert resnet50_report.row_at("predictions").params_share == pytest.approx(2_049_000 / 25_636_712, abs=1e-6)
    assert all(row.trainable is True for row in rows)


def test_a_frozen_layer_is_not_trainable():
    inputs = keras.Input((4,))
    frozen = keras.layers.Dense(3, name="frozen")
    frozen.trainable = False
    outputs = keras.layers.Dense(2, name="head")(frozen(inputs))
    report = component_report(keras.Model(inputs, outputs))
    assert report.row_at("frozen").trainable is False
    assert report.row_at("head").trainable is True
    assert report.row_at("head").inputs == ("frozen",)


@pytest.mark.parametrize("name", QUICK[1:])
def test_attributes_equal_the_layer_configs(name):
    check_attributes_against_configs(getattr(keras.applications, name)(weights=None, input_shape=(96, 96, 3)))


@pytest.mark.slow
@pytest.mark.parametrize("application", APPLICATIONS, ids=lambda application: application.function)
def test_attributes_equal_the_layer_configs_on_every_application(application):
    size = max(application.min_size, 75)
    builder = getattr(keras.applications, application.function)
    check_attributes_against_configs(builder(weights=None, include_top=False, input_shape=(size, size, 3)))


class Scaled(keras.layers.Layer):
    """A custom layer: its own config has numbers, text, a tuple and an initializer."""

    def __init__(self, units=8, scale=0.5, mode="fast", window=(2, 3), **kwargs):
        super().__init__(**kwargs)
        self.units, self.scale, self.mode, self.window = units, scale, mode, window
        self.dense = keras.layers.Dense(units, name="inner")

    def call(self, inputs):
        return self.dense(inputs) * self.scale

    def get_config(self):
        return {
            **super().get_config(),
            "units": self.units,
            "scale": self.scale,
            "mode": self.mode,
            "window": self.window,
            "initializer": keras.initializers.serialize(keras.initializers.Zeros()),
        }


def test_a_custom_layer_keeps_the_scalars_of_its_own_config():
    layer = Scaled(units=6, scale=0.25, mode="slow", window=(4, 1), name="scaled")
    assert layer_attributes(layer) == {"units": 6, "scale": 0.25, "mode": "slow", "window": [4, 1]}
    inputs = keras.Input((5,), name="features")
    report = component_report(keras.Model(inputs, Scaled(name="scaled")(inputs)))
    assert report.row_at("scaled").attributes == {"units": 8, "scale": 0.5, "mode": "fast", "window": [2, 3]}
    inner = report.row_at("scaled/inner")
    assert inner.attributes == {"units": 8, "activation": "linear", "use_bias": True}
    assert inner.inputs == ("features",)
    assert compact_attributes(report.row_at("scaled").attributes) == "8, scale 0.5, mode fast, window 2x3"


def test_layers_without_computation_fields_have_none():
    assert layer_attributes(keras.layers.Add()) == {}
    assert layer_attributes(keras.layers.Flatten()) == {}
