"""Small Keras models several test folders build."""

from __future__ import annotations


def stages_model():
    """A small CNN with a numbered series of three blocks (``stage2_block1`` ...), as ResNet names its own."""
    import keras

    inputs = keras.Input((16, 16, 3), name="pixels")
    x = keras.layers.Conv2D(8, 3, padding="same", name="stem_conv")(inputs)
    for block in (1, 2, 3):
        x = keras.layers.Conv2D(8, 3, padding="same", name=f"stage2_block{block}_conv")(x)
        x = keras.layers.ReLU(name=f"stage2_block{block}_relu")(x)
    x = keras.layers.GlobalAveragePooling2D(name="pool")(x)
    return keras.Model(inputs, keras.layers.Dense(4, name="head")(x), name="stages")


def regressor():
    """A one-Dense regressor on 3 features, compiled with SGD and mean squared error."""
    import keras

    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    return model


def regressor_data(hyperparameters, batch_size, source):
    """A data adapter for :func:`regressor`: 16 examples of ones, in batches of ``batch_size``."""
    import numpy as np
    import tensorflow as tf

    x = np.ones((16, 3), "float32")
    return tf.data.Dataset.from_tensor_slices((x, x[:, :1])).batch(batch_size)


def shadowed_dense_model():
    """A layer ``dense`` (4 -> 8) and a nested model ``inner`` holding its own ``dense`` (8 -> 3): two layers whose
    paths end in the same name, ``dense`` and ``inner/dense``."""
    import keras

    features = keras.Input((4,), name="features")
    hidden = keras.layers.Dense(8, name="dense")(features)
    inner = keras.Sequential([keras.Input((8,)), keras.layers.Dense(3, name="dense")], name="inner")
    return keras.Model(features, inner(hidden), name="outer")
