"""Unknown input sizes: a rate per position only where it means one (issue 24, part 2).

``kreg.inspect(ResNet50(weights=None, include_top=False))`` headlined "23.5 M
MACs per unknown position": strided and pooled layers ran on a 1 x 1 input,
305 x the real rate at 224 x 224. A count that does not grow in proportion
to the positions gets no rate now, and a note naming the inputs to pin.
"""

from __future__ import annotations

import keras
from keras import layers, ops

import kreg
from kreg.inspect_tools.report import component_report


def test_resnet50_without_an_image_size_gives_no_rate_and_says_what_to_pin():
    report = kreg.inspect(keras.applications.ResNet50(weights=None, include_top=False))
    compute = report.components["model"].compute
    (name,) = compute.input_shapes  # Keras numbers input names by session
    assert compute.macs is None and compute.macs_per_position is None and not compute.exact
    assert "per unknown position" not in repr(report)
    assert f"--input-shape {name}=N1,N2,3" in compute.note
    assert all(row.macs is None and row.macs_per_position is None for row in report.components["model"].layers)


def test_a_strided_stack_gives_no_rate():
    inputs = keras.Input((None, None, 3), name="image")
    x = layers.Conv2D(8, 3, strides=2, padding="same")(inputs)
    x = layers.Conv2D(8, 3, strides=2, padding="same")(x)
    compute = component_report(keras.Model(inputs, x)).compute
    assert compute.macs_per_position is None
    assert "image (None, None, None, 3) leave sizes unknown" in compute.note


def test_a_dense_over_a_sequence_keeps_its_rate_per_position():
    inputs = keras.Input((None, 16), name="tokens")
    compute = component_report(keras.Model(inputs, layers.Dense(8)(inputs))).compute
    assert compute.macs is None and compute.macs_per_position == 16 * 8 and compute.exact


class MeanOfSide(layers.Layer):
    def call(self, inputs):
        tokens, side = inputs
        return tokens + ops.mean(side, axis=1, keepdims=True)


def test_an_input_whose_size_does_not_change_the_count_is_counted_per_example():
    tokens = keras.Input((10, 16), name="tokens")
    side = keras.Input((None, 16), name="side")
    x = layers.Dense(16, name="proj")(MeanOfSide()([tokens, side]))
    report = component_report(keras.Model([tokens, side], x))
    assert report.compute.macs == 10 * 16 * 16 and report.compute.macs_per_position is None
    assert "side (None, None, 16) do not change the MACs" in report.compute.note
    assert {row.path: row.macs for row in report.layers}["proj"] == 10 * 16 * 16
