"""Receptive field, effective stride and padding per layer call (issue 24, part 7).

Expected figures: google-research/receptive_field's RECEPTIVE_FIELD_TABLE.md
for the Keras models that mirror TF-Slim's (VGG16's block5_pool is vgg_16's
pool5: 212, stride 32, padding 90; InceptionV3's mixed10 is Mixed_7c: 1311,
32, 618), and a branched toy model counted by hand.
"""

from __future__ import annotations

import keras
from keras import layers

from kreg.inspect_tools.report import component_report


def _fields(model):
    return {row.path: row.receptive_field for row in component_report(model).layers}


def test_vgg16_block5_pool_matches_the_published_table_and_the_classifier_mixes_everything():
    fields = _fields(keras.applications.VGG16(weights=None))
    assert fields["block5_pool"] == {"size": 212, "stride": 32, "padding": 90}
    assert fields["block3_pool"] == {"size": 44, "stride": 8, "padding": 18}
    assert fields["flatten"] == fields["fc1"] == {"size": None, "stride": None, "padding": None, "whole_input": True}


def test_inception_v3_mixed10_matches_the_published_table():
    fields = _fields(keras.applications.InceptionV3(weights=None, include_top=False, input_shape=(299, 299, 3)))
    assert fields["mixed10"] == {"size": 1311, "stride": 32, "padding": 618}


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
