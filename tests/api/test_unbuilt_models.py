"""``input_shapes=`` builds an unbuilt model, and its parameters agree with their bytes (issue 24, part 3)."""

from __future__ import annotations

import keras
from keras import layers

import kreg


class TwoDense(keras.Model):
    """A subclassed model whose layers get their weights only when it is built."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.hidden = layers.Dense(64, name="hidden")
        self.out = layers.Dense(16, name="out")

    def call(self, x):
        return self.out(self.hidden(x))


def _agree(report, model):
    component = report.components["model"]
    assert component.params.total == model.count_params()
    assert component.memory.parameter_bytes == 4 * component.params.total


def test_an_unbuilt_sequential_is_built_from_the_input_shape():
    model = keras.Sequential([layers.Dense(4, name="a"), layers.Dense(2, name="b")])
    report = kreg.inspect(model, input_shapes=(20,))
    assert report.macs == 20 * 4 + 4 * 2
    assert report.params.total == 20 * 4 + 4 + 4 * 2 + 2
    _agree(report, model)


def test_an_unbuilt_subclassed_model_is_built_and_its_counts_and_bytes_agree():
    model = TwoDense()
    report = kreg.inspect(model, input_shapes=(32,))
    assert report.params.total == 32 * 64 + 64 + 64 * 16 + 16 == 3_152
    assert report.macs == 32 * 64 + 64 * 16
    _agree(report, model)


def test_a_subclassed_model_after_build_counts_what_its_bytes_count():
    model = TwoDense()
    model.build((None, 32))
    report = kreg.inspect(model)
    assert report.params.total == 3_152
    _agree(report, model)
