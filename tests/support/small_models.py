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
