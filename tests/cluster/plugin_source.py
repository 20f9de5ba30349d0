"""The plugin the cluster tests pip-install: a regressor whose train step writes
down the ids of the examples each replica trains on.

Its batch normalisation (``norm=True``) keeps moving statistics that each
replica updates from its own slice of the batch: without kreg averaging them,
the workers would end with different weights. Without it and without shuffling
(``--set norm=false --set shuffle=false``) two workers compute what one process
computes on the same global batches. (A seeded shuffle gives the workers one
order, but not the order of a process without a strategy: TensorFlow rewrites a
distributed dataset's graph.)"""

from __future__ import annotations

EXAMPLES = 64
"""Examples in the adapter's data: one pass is EXAMPLES / BATCH steps."""

BATCH = 8
"""The architecture's (global) batch size."""

SHARDED = f"""
import kreg

@kreg.hookimpl
def kreg_register_architectures(register):
    register(kreg.Architecture(
        name="test-sharded",
        summary="Linear regression on numbered examples; the train step writes the ids it trains on",
        builder="kreg_test_sharded:build",
        data_adapter="kreg_test_sharded:data",
        train_step="kreg_test_sharded:step",
        hyperparameters={{"features": 4, "learning_rate": 0.05, "norm": True, "shuffle": True}},
        batch_size={BATCH},
    ))

def build(features, learning_rate, norm, shuffle):
    import keras

    layers = [keras.layers.BatchNormalization(name="norm")] if norm else []
    model = keras.Sequential([keras.Input((features,)), *layers, keras.layers.Dense(1)], name="test_sharded")
    model.compile(optimizer=keras.optimizers.SGD(learning_rate))
    return model

def data(hyperparameters, batch_size, source):
    import numpy as np
    import tensorflow as tf

    rng = np.random.default_rng(2)
    x = rng.normal(size=({EXAMPLES}, hyperparameters["features"])).astype("float32")
    y = (x @ rng.normal(size=(hyperparameters["features"], 1))).astype("float32")
    ids = np.arange({EXAMPLES}, dtype="int64")
    dataset = tf.data.Dataset.from_tensor_slices(((x, ids), y))
    if hyperparameters["shuffle"]:
        dataset = dataset.shuffle({EXAMPLES}, seed=1)
    return dataset.batch(batch_size)

def step(model, batch):
    import os
    import tensorflow as tf

    (x, ids), y = batch
    replicas = tf.distribute.get_strategy().num_replicas_in_sync
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.square(model(x, training=True) - y))
        # Gradients are summed over the replicas: scale the local mean.
        scaled = loss / replicas
    gradients = tape.gradient(scaled, model.trainable_variables)
    model.optimizer.apply_gradients(zip(gradients, model.trainable_variables))
    seen = os.environ.get("KREG_TEST_SEEN")
    if seen:
        tf.print(ids, output_stream="file://" + seen, summarize=-1)
    return {{"loss": loss}}
"""
