"""Receptive field, effective stride and padding per layer call (issue 24, part 7).

Expected figures: google-research/receptive_field's RECEPTIVE_FIELD_TABLE.md
(receptive_field/RECEPTIVE_FIELD_TABLE.md, rows "224": size, effective
stride, effective padding) for the Keras models that mirror TF-Slim's:
VGG16's block5_pool is vgg_16's pool5 (212, 32, 90); InceptionV3's mixed0,
mixed2, mixed3, mixed7, mixed8, mixed9 and mixed10 are inception_v3's
Mixed_5b (63, 8, 18), Mixed_5d (127, 8, 50), Mixed_6a (159, 16, 58),
Mixed_6e (927, 16, 442), Mixed_7a (1055, 32, 490), Mixed_7b (1183, 32, 554)
and Mixed_7c (1311, 32, 618); MobileNet's conv1 and conv_pw_N are
mobilenet_v1's Conv2d_0 (3, 2, 0) and Conv2d_N_pointwise (Conv2d_1: 7, 2, 2;
Conv2d_2: 11, 4, 2; Conv2d_3: 19, 4, 6; Conv2d_5: 43, 8, 14; Conv2d_11: 219,
16, 94; Conv2d_12: 251, 32, 94; Conv2d_13: 315, 32, 126). Plus a branched
toy model counted by hand.

Padding: Keras's MobileNet pads its strided depthwise convolutions by
ZeroPadding2D(((0, 1), (0, 1))), Slim by "same". At 224 x 224 (even sizes)
the two put nothing before, and every figure agrees; at 321 x 321 "same"
puts a pixel before where Keras puts none, so the table's effective padding
of Conv2d_13_pointwise (157) is not Keras's (127); sizes and strides agree
at any resolution. InceptionV3's figures agree at 299 x 299 with the
table's (the same at 224 and 321).
"""

from __future__ import annotations

import keras
import pytest
from keras import layers

import kreg
from kreg.inspect_tools.report import component_report
from kreg.inspect_tools.report_types import Report
from kreg.rendering.text import inspection_text


def _fields(model):
    return {row.path: row.receptive_field for row in component_report(model).layers}


def test_vgg16_block5_pool_matches_the_published_table_and_the_classifier_mixes_everything(vgg16_component):
    fields = {row.path: row.receptive_field for row in vgg16_component.layers}
    assert fields["block5_pool"] == {"size": 212, "stride": 32, "padding": 90}
    assert fields["block3_pool"] == {"size": 44, "stride": 8, "padding": 18}
    assert fields["flatten"] == fields["fc1"] == {"size": None, "stride": None, "padding": None, "whole_input": True}


INCEPTION_V3 = {  # Keras's block: (Slim's end point, size, stride, padding) from RECEPTIVE_FIELD_TABLE.md
    "mixed0": ("Mixed_5b", 63, 8, 18),
    "mixed2": ("Mixed_5d", 127, 8, 50),
    "mixed3": ("Mixed_6a", 159, 16, 58),
    "mixed7": ("Mixed_6e", 927, 16, 442),
    "mixed8": ("Mixed_7a", 1055, 32, 490),
    "mixed9": ("Mixed_7b", 1183, 32, 554),
    "mixed10": ("Mixed_7c", 1311, 32, 618),
}

MOBILENET_V1 = {
    "conv1": ("Conv2d_0", 3, 2, 0),
    "conv_pw_1": ("Conv2d_1_pointwise", 7, 2, 2),
    "conv_pw_2": ("Conv2d_2_pointwise", 11, 4, 2),
    "conv_pw_3": ("Conv2d_3_pointwise", 19, 4, 6),
    "conv_pw_5": ("Conv2d_5_pointwise", 43, 8, 14),
    "conv_pw_11": ("Conv2d_11_pointwise", 219, 16, 94),
    "conv_pw_12": ("Conv2d_12_pointwise", 251, 32, 94),
    "conv_pw_13": ("Conv2d_13_pointwise", 315, 32, 126),
}


def _published(table):
    return {
        name: {"size": size, "stride": stride, "padding": padding} for name, (_, size, stride, padding) in table.items()
    }


# Slow: 8-10 s for InceptionV3; VGG16 and MobileNet are checked against the same table in the default run.
@pytest.mark.slow
def test_inception_v3_matches_the_published_table():
    fields = _fields(keras.applications.InceptionV3(weights=None, include_top=False, input_shape=(299, 299, 3)))
    assert {name: fields[name] for name in INCEPTION_V3} == _published(INCEPTION_V3)


def test_mobilenet_matches_the_published_table_at_224():
    fields = _fields(keras.applications.MobileNet(weights=None, include_top=False, input_shape=(224, 224, 3)))
    assert {name: fields[name] for name in MOBILENET_V1} == _published(MOBILENET_V1)
    assert fields["conv_pw_13_relu"] == fields["conv_pw_13_bn"] == fields["conv_pw_13"]  # passed through


def test_a_branched_model_takes_the_widest_branch_by_hand():
    inputs = keras.Input((32, 32, 3))
    stem = layers.Conv2D(4, 3, padding="same", name="stem")(inputs)  # r 3, j 1, p 1
    narrow = layers.Conv2D(4, 1, name="narrow")(stem)  # r 3, j 1, p 1
    wide = layers.Conv2D(4, 5, strides=2, padding="same", name="wide")(stem)  # r 3 + 4 = 7, j 2, p 1 + 1 = 2
    wide = layers.UpSampling2D(name="up")(wide)  # unknown to kreg: the path after it is unknown
    pooled = layers.MaxPooling2D(3, strides=1, padding="same", name="pool")(stem)  # r 5, j 1, p 2
    merged = layers.Add(name="merge")([narrow, pooled])  # the widest: r 5, p 2
    head = layers.Conv2D(4, (3, 1), strides=(2, 1), padding="valid", name="head")(merged)  # r (7, 5), j (2, 1)
    gap = layers.GlobalAveragePooling2D(name="gap")(head)
    model = keras.Model(inputs, [gap, wide])
    fields = _fields(model)
    assert fields["stem"] == {"size": 3, "stride": 1, "padding": 1}
    assert fields["wide"] == {"size": 7, "stride": 2, "padding": 2}
    assert fields["pool"] == {"size": 5, "stride": 1, "padding": 2}
    assert fields["merge"] == {"size": 5, "stride": 1, "padding": 2}
    assert fields["head"] == {"size": [7, 5], "stride": [2, 1], "padding": 2}
    assert fields["gap"]["whole_input"] is True
    assert fields["up"] is None


def test_a_model_without_convolutions_has_no_field():
    inputs = keras.Input((8,))
    assert set(_fields(keras.Model(inputs, layers.Dense(2)(inputs))).values()) == {None}


def test_the_text_table_of_a_conv_model_shows_the_field_and_the_activation_count(vgg16_component):
    report = Report(architecture="vgg16", hyperparameters={}, components={"model": vgg16_component})
    text = inspection_text(report)
    rows = {line.split()[1]: line for line in text.splitlines() if line.startswith("│ block5_pool ")}
    assert "RF /stride" in text and "212 /32" in rows["block5_pool"]
    assert "activation count" in text and "13,556,712 (13.6 M" in text
    dense_only = keras.Model(inputs := keras.Input((8,)), layers.Dense(2)(inputs))
    assert "RF /stride" not in inspection_text(Report("mlp", {}, {"model": component_report(dense_only)}))


def test_the_notebook_card_shows_the_field_per_layer_and_the_activation_count():
    inputs = keras.Input((16, 16, 3))
    x = layers.Conv2D(4, 3, strides=2, name="conv")(inputs)  # 7 x 7 x 4 outputs
    card = kreg.inspect(keras.Model(inputs, layers.GlobalMaxPooling2D(name="gmp")(x)))._repr_html_()
    assert "<th>RF /stride</th>" in card and "<td>3 /2</td>" in card and "<td>all</td>" in card
    assert '<th class="num">activation count</th>' in card and '<td class="num">196</td>' in card


@pytest.mark.slow
def test_resnet50_stages_match_resnet_v1_50s_field_sizes_with_the_stride_where_keras_puts_it():
    """resnet_v1_50/block1..4 in the table: 35, 99, 291, 483 (224 x 224; strides 8, 16, 32, 32).

    Slim strides the last unit of a block, Keras the first unit of the next
    (conv3_block1 ...): the fields' sizes are the same at each stage's end,
    the effective strides those of Keras's layout, 4, 8, 16, 32.
    """
    fields = _fields(keras.applications.ResNet50(weights=None))
    ends = ["conv2_block3_out", "conv3_block4_out", "conv4_block6_out", "conv5_block3_out"]
    assert [fields[name]["size"] for name in ends] == [35, 99, 291, 483]
    assert [fields[name]["stride"] for name in ends] == [4, 8, 16, 32]
