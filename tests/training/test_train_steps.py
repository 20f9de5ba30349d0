"""The kinds of train steps kreg must serve, each run inside Keras's fit.

A plain model's compiled loss, a train_step function on a model compiled
without a loss, a Model subclass with its own train_step and a custom
compile(d_optimizer, g_optimizer, loss_fn) (a GAN), a step that optimises an
input image instead of the weights, and steps or adapters that fail.
"""

from __future__ import annotations

import numpy as np
import pytest

import kreg
from kreg.errors import ArchitectureFailure, KregUsageError
from kreg.running.building import BuiltArchitecture
from kreg.running.training import TrainOptions, train_model
from kreg.workflows.training import train
from tests.support.catalogues import catalogue_of as register

keras = pytest.importorskip("keras")
tf = pytest.importorskip("tensorflow")

QUIET = TrainOptions(steps=6, quiet=True)


def built(entry: kreg.Entry, model: keras.Model) -> BuiltArchitecture:
    """``model`` as the built ``"model"`` component of ``entry``, with no hyperparameters."""
    return BuiltArchitecture(entry, {}, {"model": model})


def regression_data(hyperparameters, batch_size, source):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(128, 4)).astype("float32")
    return tf.data.Dataset.from_tensor_slices((x, x.sum(axis=1, keepdims=True))).batch(batch_size)


def linear_model(loss: str | None = "mse") -> keras.Model:
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(0.05), loss=loss)
    return model


def plain_step(model, batch):
    x, y = batch
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.square(model(x, training=True) - y))
    model.optimizer.apply_gradients(zip(tape.gradient(loss, model.trainable_variables), model.trainable_variables))
    return {"loss": loss}


def architecture(name: str, builder, train_step=None, data_adapter=regression_data, **fields) -> kreg.Architecture:
    return kreg.Architecture(
        name=name, summary=name, builder=builder, data_adapter=data_adapter, train_step=train_step, **fields
    )


def test_function_step_loss_is_not_fits_zero_tracker():
    catalogue = register(architecture("fn", lambda: linear_model(loss=None), plain_step))
    model = linear_model(loss=None)
    result = train_model(built(catalogue.get("fn"), model), QUIET)
    assert 0.0 < result.trace.last["loss"] < result.trace.first["loss"]
    # The epoch logs every callback and History see are the step's, not fit's unupdated tracker.
    assert model.history.history["loss"] == [pytest.approx(result.trace.last["loss"])]


def test_the_models_own_train_step_is_restored_afterwards():
    catalogue = register(architecture("fn", linear_model, plain_step))
    model = linear_model()
    train_model(built(catalogue.get("fn"), model), QUIET)
    assert "train_step" not in vars(model) and model.train_function is None
    history = model.fit(regression_data({}, 32, None), epochs=1, verbose=0, shuffle=False)
    assert history.history["loss"][0] > 0  # the compiled loss runs again


class TinyGAN(keras.Model):
    """A GAN the way keras.io writes one: no call(), its own compile and train_step."""

    def __init__(self, generator, discriminator, latent_dim=2, **kwargs):
        super().__init__(**kwargs)
        self.generator, self.discriminator, self.latent_dim = generator, discriminator, latent_dim
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")

    @property
    def metrics(self):
        return [self.d_loss_tracker, self.g_loss_tracker]

    def compile(self, d_optimizer, g_optimizer, loss_fn):
        super().compile()
        self.d_optimizer, self.g_optimizer, self.loss_fn = d_optimizer, g_optimizer, loss_fn

    def train_step(self, real):
        batch = tf.shape(real)[0]
        fake = self.generator(tf.random.normal((batch, self.latent_dim)))
        images = tf.concat([fake, real], axis=0)
        labels = tf.concat([tf.ones((batch, 1)), tf.zeros((batch, 1))], axis=0)
        with tf.GradientTape() as tape:
            d_loss = self.loss_fn(labels, self.discriminator(images))
        weights = self.discriminator.trainable_weights
        self.d_optimizer.apply_gradients(zip(tape.gradient(d_loss, weights), weights))
        with tf.GradientTape() as tape:
            fooled = self.discriminator(self.generator(tf.random.normal((batch, self.latent_dim))))
            g_loss = self.loss_fn(tf.zeros((batch, 1)), fooled)
        weights = self.generator.trainable_weights
        self.g_optimizer.apply_gradients(zip(tape.gradient(g_loss, weights), weights))
        self.d_loss_tracker.update_state(d_loss)
        self.g_loss_tracker.update_state(g_loss)
        return {"d_loss": self.d_loss_tracker.result(), "g_loss": self.g_loss_tracker.result()}


def build_gan():
    generator = keras.Sequential([keras.Input((2,)), keras.layers.Dense(4)], name="generator")
    discriminator = keras.Sequential(
        [keras.Input((4,)), keras.layers.Dense(1, activation="sigmoid")], name="discriminator"
    )
    gan = TinyGAN(generator, discriminator)
    gan.compile(keras.optimizers.Adam(1e-3), keras.optimizers.Adam(1e-3), keras.losses.BinaryCrossentropy())
    return {"model": gan, "generator": generator, "discriminator": discriminator}


def gan_data(hyperparameters, batch_size, source):
    return tf.data.Dataset.from_tensor_slices(np.random.default_rng(0).random((64, 4), dtype="float32")).batch(
        batch_size
    )


def test_model_subclass_with_custom_compile_and_train_step():
    catalogue = register(
        architecture("gan", build_gan, data_adapter=gan_data, components=("model", "generator", "discriminator"))
    )
    result = train(catalogue.get("gan"), {}, QUIET)
    assert set(result.trace.last) == {"d_loss", "g_loss"} and result.finite
    assert result.train_step is None and result.trace.steps == 6


class Dreamer(keras.Model):
    """A frozen network and an image variable that the train step optimises."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.network = keras.Sequential([keras.Input((6, 6, 1)), keras.layers.Conv2D(2, 3)])
        self.image = tf.Variable(tf.random.uniform((1, 6, 6, 1), seed=1), trainable=False, name="image")

    def call(self, inputs):
        return self.network(inputs)


def build_dreamer():
    model = Dreamer()
    model(tf.zeros((1, 6, 6, 1)))
    model.compile(optimizer="sgd")
    return model


def ascend_image(model, batch):
    with tf.GradientTape() as tape:
        tape.watch(model.image)
        activation = tf.reduce_mean(model(model.image))
    gradient = tape.gradient(activation, model.image)
    model.image.assign_add(0.1 * gradient / (tf.math.reduce_std(gradient) + 1e-8))
    return {"activation": activation}


def test_step_that_optimises_an_input_not_the_weights():
    steps = tf.data.Dataset.from_tensors(tf.zeros((1,)))
    catalogue = register(architecture("dream", build_dreamer, ascend_image, data_adapter=lambda h, b, s: steps))
    result = train(catalogue.get("dream"), {}, QUIET)
    assert result.trace.last["activation"] > result.trace.first["activation"]


def failing_step(model, batch):
    x, _y = batch
    return {"loss": tf.reduce_sum(model(x) - tf.ones((3, 5)))}


@pytest.mark.parametrize(
    "fields, phase, cause",
    [
        (
            {"builder": lambda: linear_model(), "train_step": failing_step},
            "train",
            "InvalidArgumentError: Incompatible shapes",
        ),
        ({"builder": lambda: linear_model(), "train_step": lambda model, batch: 3.0}, "train", "must return a dict"),
        ({"builder": lambda: linear_model(), "data_adapter": lambda h, b, s: 1 / 0}, "data", "ZeroDivisionError"),
        ({"builder": lambda: linear_model(), "data_adapter": lambda h, b, s: [1, 2]}, "data", "not a tf.data.Dataset"),
        ({"builder": lambda: keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])}, "build", "uncompiled"),
        ({"builder": lambda: linear_model(), "train_step": "no_such_module:step"}, "resolve", "No module named"),
    ],
)
def test_failures_name_their_phase(fields, phase, cause):
    fields = {"builder": None, "train_step": None, "data_adapter": regression_data, **fields}
    catalogue = register(kreg.Architecture(name="bad", summary="fails", **fields))
    with pytest.raises(ArchitectureFailure) as failure:
        train(catalogue.get("bad"), {}, QUIET)
    assert failure.value.phase == phase and cause in str(failure.value)
    assert "\n" not in str(failure.value)


def test_non_scalar_metric_stops_the_run():
    step = lambda model, batch: {"per_example": tf.reduce_sum(batch[0], axis=1)}  # noqa: E731
    catalogue = register(architecture("vector", linear_model, step))
    result = train(catalogue.get("vector"), {}, QUIET)
    assert not result.finite and result.trace.steps == 1
    assert "metric 'per_example' is not a scalar" in str(result.failure())


def test_architecture_without_data_adapter_cannot_be_trained():
    catalogue = register(architecture("static", linear_model, data_adapter=None))
    with pytest.raises(KregUsageError, match="no data adapter"):
        train(catalogue.get("static"), {}, QUIET)


def test_runtime_errors_keep_their_informative_line():
    from kreg.running.causes import specific_cause as short_cause

    message = (
        "Graph execution error:\n\nDetected at node adam/CollectiveReduceV2 defined at (most recent call last):\n"
        '  File "train.py", line 3, in step\n    model.optimizer.apply_gradients(pairs)\n'
        "Collective ops is aborted by: Shape mismatch in the collective instance 100.\n"
        "The error could be from a previous operation. Restart your program to reset.\n"
        "\t [[{{function_node __inference_one_step_on_data_1990}}{{node adam/CollectiveReduceV2}}]]"
    )
    error = tf.errors.InvalidArgumentError(None, None, message)
    assert (
        short_cause(error)
        == "InvalidArgumentError: Collective ops is aborted by: Shape mismatch in the collective instance 100."
    )
    eager = tf.errors.InvalidArgumentError(None, None, "Incompatible shapes: [2] vs. [3] [Op:AddV2] name: ")
    assert short_cause(eager) == "InvalidArgumentError: Incompatible shapes: [2] vs. [3]"
    plain = ValueError("kept as is")
    assert short_cause(plain) is plain


@pytest.mark.parametrize("jit_compile", [True, False])
def test_jit_compile_override_reaches_fit(jit_compile):
    catalogue = register(architecture("xla", linear_model, plain_step))
    model = linear_model()
    result = train_model(built(catalogue.get("xla"), model), TrainOptions(steps=3, quiet=True, jit_compile=jit_compile))
    assert model.jit_compile is jit_compile and result.finite
