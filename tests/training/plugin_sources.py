"""Sources of the plugin packages the training tests pip-install (or load in process).

Each is a one-module plugin in the shape third parties publish: the hookimpl at
the top, heavy imports only inside the builder, adapter and train step, which
the Architecture names with "module:attr" strings.
"""

from __future__ import annotations

import kreg
from tests.support.plugin_packages import import_source

MLP = """
import kreg

@kreg.hookimpl
def kreg_register_architectures(register):
    register(kreg.Architecture(
        name="test-mlp",
        summary="A small MLP regressor trained with the model's own train_step",
        builder="kreg_test_mlp:build",
        data_adapter="kreg_test_mlp:data",
        hyperparameters={"features": 8, "units": 16, "learning_rate": 0.01},
        presets={"smoke": {"units": 4}},
        batch_size=16,
    ))

def build(features, units, learning_rate):
    import keras
    from kreg.validation import require_positive_int

    require_positive_int(features=features, units=units)
    model = keras.Sequential(
        [keras.Input((features,)), keras.layers.Dense(units, activation="relu"), keras.layers.Dense(1)],
        name="test_mlp",
    )
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="mse")
    return model

def data(hyperparameters, batch_size, source):
    import numpy as np
    import tensorflow as tf

    if source is None:
        rng = np.random.default_rng(0)
        x = rng.normal(size=(512, hyperparameters["features"]))
        y = x @ rng.normal(size=(hyperparameters["features"], 1))
    else:
        with np.load(source) as arrays:
            x, y = arrays["x"], arrays["y"]
    return tf.data.Dataset.from_tensor_slices((x.astype("float32"), y.astype("float32"))).batch(batch_size)
"""

WEIGHTED = """
import kreg

@kreg.hookimpl
def kreg_register_architectures(register):
    register(kreg.Architecture(
        name="test-weighted",
        summary="Linear regression with per-example weights in a custom train step",
        builder="kreg_test_weighted:build",
        data_adapter="kreg_test_weighted:data",
        train_step="kreg_test_weighted:weighted_step",
        hyperparameters={"features": 4, "learning_rate": 0.05},
        batch_size=32,
    ))

def build(features, learning_rate):
    import keras

    model = keras.Sequential([keras.Input((features,)), keras.layers.Dense(1)], name="test_weighted")
    # No loss: the train step computes its own. Keras's fit would report its
    # never-updated loss tracker (0.0) for the "loss" this step returns.
    model.compile(optimizer=keras.optimizers.SGD(learning_rate))
    return model

def data(hyperparameters, batch_size, source):
    import numpy as np
    import tensorflow as tf

    rng = np.random.default_rng(1)
    x = rng.normal(size=(1024, hyperparameters["features"])).astype("float32")
    y = (x @ rng.normal(size=(hyperparameters["features"], 1)) + 1.0).astype("float32")
    weights = rng.uniform(0.1, 2.0, size=(1024,)).astype("float32")
    return tf.data.Dataset.from_tensor_slices((x, y, weights)).shuffle(1024, seed=0).batch(batch_size)

def weighted_step(model, batch):
    import tensorflow as tf

    x, y, weights = batch
    with tf.GradientTape() as tape:
        squared = tf.reduce_mean(tf.square(model(x, training=True) - y), axis=-1)
        loss = tf.reduce_sum(weights * squared) / tf.reduce_sum(weights)
    gradients = tape.gradient(loss, model.trainable_variables)
    model.optimizer.apply_gradients(zip(gradients, model.trainable_variables))
    return {"loss": loss, "weight_mean": tf.reduce_mean(weights)}
"""

NAN = """
import kreg

BATCH = 8

@kreg.hookimpl
def kreg_register_architectures(register):
    register(kreg.Architecture(
        name="test-nan",
        summary="A regressor whose third batch holds NaN inputs",
        builder="kreg_test_nan:build",
        data_adapter="kreg_test_nan:data",
        hyperparameters={"features": 3},
        batch_size=BATCH,
    ))

def build(features):
    import keras

    model = keras.Sequential([keras.Input((features,)), keras.layers.Dense(1)], name="test_nan")
    model.compile(optimizer="sgd", loss="mse")
    return model

def data(hyperparameters, batch_size, source):
    import numpy as np
    import tensorflow as tf

    x = np.ones((5 * batch_size, hyperparameters["features"]), dtype="float32")
    x[2 * batch_size : 3 * batch_size] = np.nan
    y = np.ones((5 * batch_size, 1), dtype="float32")
    return tf.data.Dataset.from_tensor_slices((x, y)).batch(batch_size)
"""

BROKEN = """
import kreg

@kreg.hookimpl
def kreg_register_architectures(register):
    register(kreg.Architecture(
        name="test-broken",
        summary="A builder that raises",
        builder="kreg_test_broken:build",
        data_adapter="kreg_test_broken:data",
    ))

def build():
    raise RuntimeError("this builder is broken on purpose")

def data(hyperparameters, batch_size, source):
    raise AssertionError("never reached: the builder fails first")
"""

CRASH = """
import kreg

@kreg.hookimpl
def kreg_register_architectures(register):
    register(kreg.Architecture(
        name="crash-test",
        summary="A builder that kills its process, as a segfault would",
        builder="kreg_test_crash:build",
        data_adapter="kreg_test_crash:build",
    ))

def build():
    import os

    os._exit(70)
"""
"""Never loaded in the test process: it would end it. Only pip-installed."""

SOURCES = {
    "kreg-test-mlp": MLP,
    "kreg-test-weighted": WEIGHTED,
    "kreg-test-nan": NAN,
    "kreg-test-broken": BROKEN,
}
"""Distribution name -> module source."""


def load_in_process(catalogue: kreg.Catalogue, *distributions: str) -> kreg.Catalogue:
    """Import plugin sources as modules of this process and add them to ``catalogue``.

    The module gets the name pip would install it under, so the Architecture's
    "module:attr" strings resolve exactly as they do after a real install.
    """
    for distribution in distributions:
        module = import_source(distribution.replace("-", "_"), SOURCES[distribution])
        catalogue.add_plugin(module, kreg.PluginRecord(name=distribution, distribution=distribution))
    return catalogue
