"""Parameter, activation and training memory against counts made by hand and by Keras itself."""

from __future__ import annotations

import keras
import numpy as np
import pytest
from keras import layers

from kreg.inspect_tools.compute import TRACE_BATCH, count_macs
from kreg.inspect_tools.input_shapes import ShapePlan
from kreg.inspect_tools.memory import activation_bytes, optimizer_state_bytes, parameter_bytes_by_dtype
from kreg.inspect_tools.report import component_report
from kreg.inspect_tools.tracing import trace_model


def _mlp():
    inputs = keras.Input((10,), name="features")
    hidden = layers.Dense(8, activation="relu", name="hidden")(inputs)
    return keras.Model(inputs, layers.Dense(3, name="head")(hidden), name="mlp")


@pytest.mark.parametrize(
    "make",
    [
        lambda: keras.optimizers.SGD(),
        lambda: keras.optimizers.SGD(momentum=0.9),
        lambda: keras.optimizers.Adam(),
        lambda: keras.optimizers.Adam(amsgrad=True),
        lambda: keras.optimizers.AdamW(),
        lambda: keras.optimizers.RMSprop(momentum=0.5),
        lambda: keras.optimizers.Adagrad(),
    ],
)
def test_unbuilt_optimizer_state_matches_what_keras_allocates(make):
    model = _mlp()
    trainable = 4 * model.count_params()
    estimate = optimizer_state_bytes(make(), trainable)
    built = make()
    built.build(model.trainable_variables)
    assert estimate == sum(parameter_bytes_by_dtype(built.variables).values())


def test_a_loop_keeps_what_it_accumulates_for_its_gradient_at_every_step():
    from kreg.inspect_tools.backward import count_backward

    def saved(steps):
        inputs = keras.Input((steps, 5))
        return count_backward(keras.Model(inputs, layers.LSTM(6)(inputs))).saved_bytes

    one, two, three = saved(10), saved(20), saved(30)
    # Each step pushes the same tensors (gates, states) for the gradient loop: linear in the steps,
    # and more per step than the cell's two outputs (h and c, 6 floats each).
    assert three - two == two - one > 10 * 2 * 6 * 4


def test_parameter_bytes_follow_each_weights_dtype():
    inputs = keras.Input((4,))
    half = layers.Dense(3, dtype="float16", name="half")(inputs)
    model = keras.Model(inputs, layers.Dense(2, name="full")(half))
    assert parameter_bytes_by_dtype(model.weights) == {"float16": (4 * 3 + 3) * 2, "float32": (3 * 2 + 2) * 4}


def test_activation_bytes_count_a_recurrent_cells_state_at_every_step():
    steps, features, units = 9, 5, 6
    inputs = keras.Input((steps, features))
    trace = trace_model(keras.Model(inputs, layers.LSTM(units)(inputs)), batch=TRACE_BATCH)
    # The cell returns h and [h, c]: h and c (units each) at every step, float32.
    assert activation_bytes(trace, count_macs(trace).repeats) == steps * 2 * units * 4


def test_mixed_precision_activations_are_half_size():
    policy = keras.config.dtype_policy()
    keras.config.set_dtype_policy("mixed_float16")
    try:
        model = _mlp()
    finally:
        keras.config.set_dtype_policy(policy)
    trace = trace_model(model, batch=TRACE_BATCH)
    assert activation_bytes(trace, {}) == (8 + 3) * 2
    assert parameter_bytes_by_dtype(model.weights) == {"float32": 4 * model.count_params()}


def test_training_estimate_adds_parameters_gradients_optimizer_and_batch_activations():
    model = _mlp()
    model.layers[1].trainable = False  # "hidden": frozen, so no gradient and no slots
    model.compile(optimizer=keras.optimizers.Adam(), loss="mse")
    report = component_report(model, ShapePlan(batch_size=16), trained=True)
    memory = report.memory
    params, trainable = 4 * (10 * 8 + 8 + 8 * 3 + 3), 4 * (8 * 3 + 3)
    assert memory.parameter_bytes == params
    assert memory.activation_bytes_per_example == (8 + 3) * 4
    training = memory.training
    assert training.parameters == params and training.gradients == trainable
    assert 2 * trainable <= training.optimizer_state <= 2 * trainable + 16  # m and v, plus counters
    # A step keeps what the backward pass reads: the frozen layer's output, which the trainable
    # layer's weight gradient multiplies; the frozen layer's input and the model's output are not read.
    assert memory.saved_bytes_per_example == 8 * 4
    assert training.activations == 16 * 8 * 4
    # The widest gradient operation holds the output's gradient (3 floats per example) and makes no
    # activation gradient: the frozen layer needs none.
    assert training.activation_gradients == 16 * 3 * 4
    parts = training.optimizer_state + training.activations + training.activation_gradients
    assert memory.training_bytes == params + trainable + parts


def test_saved_bytes_are_the_tensors_the_gradients_read():
    inputs = keras.Input((5,))
    hidden = keras.layers.Dense(4, activation="relu")(inputs)
    model = keras.Model(inputs, keras.layers.Dense(2)(hidden))
    model.compile(optimizer="sgd", loss="mse")
    memory = component_report(model, ShapePlan(batch_size=8), trained=True).memory
    # The input (the first kernel's gradient), the ReLU's output (its own gradient and the second
    # kernel's); not the first MatMul's product nor the model's output.
    assert memory.saved_bytes_per_example == (5 + 4) * 4
    assert memory.activation_bytes_per_example == (4 + 2) * 4
    assert memory.training.activations == 8 * (5 + 4) * 4
    # The ReLU's gradient reads the gradient of its output (4 floats) and makes its input's (4).
    assert memory.training.activation_gradients == 8 * (4 + 4) * 4


def test_components_that_are_not_trained_have_no_training_estimate(toy):
    report = component_report(toy.threaded_model(), ShapePlan(batch_size=32), trained=False)
    assert report.memory.training_bytes is None and report.memory.training is None
    assert report.memory.activation_bytes_per_example == (800 + 800 + 300 + 3 + 100) * 4


def test_gan_counts_both_of_its_optimizers():
    import kreg
    from kreg.running.building import build

    entry = kreg.load_catalogue().get("dcgan")
    model = build(entry, entry.architecture.hyperparameters).model
    report = component_report(model, ShapePlan(batch_size=2), trained=True)
    built = [model.d_optimizer, model.g_optimizer]
    expected = sum(sum(parameter_bytes_by_dtype(o.variables).values()) for o in built)
    assert report.memory.training.optimizer_state == expected > 0
    # Adam: two float32 slots for each trainable weight of the generator and the discriminator.
    assert np.isclose(expected, 2 * 4 * sum(int(np.prod(w.shape)) for w in model.trainable_weights), rtol=0.01)
