"""kreg builds a compiled optimizer before ``fit``, so the train step is traced once, not twice.

Keras without a distribution strategy creates the optimizer's variables
inside the first traced train step, and ``tf.function`` traces the step again
once they exist. A layer that counts its calls sees each trace.
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from kreg.running.train_loop import build_optimizer, fit_steps


class CountingCalls(keras.layers.Layer):
    """Passes its input through and counts how often its call is traced."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.calls = 0

    def call(self, inputs):
        self.calls += 1
        return inputs


def _compiled() -> tuple[keras.Model, CountingCalls]:
    counting = CountingCalls()
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3), counting, keras.layers.Dense(2)])
    model.compile(optimizer="adam", loss="mse")
    return model, counting


def _dataset() -> tf.data.Dataset:
    return tf.data.Dataset.from_tensor_slices((np.zeros((8, 4), "float32"), np.zeros((8, 2), "float32"))).batch(4)


def test_fit_steps_traces_the_train_step_once():
    model, counting = _compiled()
    built = counting.calls  # the symbolic call that built the Sequential
    fit_steps(model, _dataset(), steps=2, epochs=1, callbacks=[], verbose=0)
    assert counting.calls - built == 1
    assert model.optimizer.built


def test_keras_alone_traces_it_twice():
    """What build_optimizer saves (if Keras changes this, the test says so)."""
    model, counting = _compiled()
    built = counting.calls
    model.fit(_dataset().repeat(), steps_per_epoch=2, epochs=1, verbose=0)
    assert counting.calls - built == 2


def test_an_optimizer_built_for_other_variables_is_left_as_it_is():
    model, _ = _compiled()
    first = model.layers[0].trainable_variables
    model.optimizer.build(first)
    build_optimizer(model)
    slots = [variable for variable in model.optimizer.variables if tuple(variable.shape) == (4, 3)]
    assert len(slots) == 2  # Adam's two slots of the first kernel only
    assert not [variable for variable in model.optimizer.variables if tuple(variable.shape) == (3, 2)]
