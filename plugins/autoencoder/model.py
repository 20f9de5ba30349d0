"""The functional dense autoencoder of The Keras Blog's "Building Autoencoders in Keras"."""

from __future__ import annotations

import math

import keras
from keras import layers

from kreg.errors import HyperparameterError
from kreg.plugins.autoencoder.defaults import AUTOENCODER
from kreg.plugins.common.defaults import defaults_from
from kreg.validation import require_in_range, require_positive_int


@defaults_from(AUTOENCODER)
def build(*, input_dim: int, encoding_dim: int, noise: float) -> dict[str, keras.Model]:
    """Build the autoencoder from an encoder and a decoder that are models of their own.

    As in the blog's simplest autoencoder: ``Dense(encoding_dim, relu)``
    encodes a flattened image, ``Dense(input_dim, sigmoid)`` decodes it, and the
    autoencoder is ``decoder(encoder(x))``, so the encoder and the decoder can
    each be used alone (the reason for the Functional API over a Sequential stack).
    Compiled with Adam and binary cross-entropy; fit on ``(x, x)``.

    With ``noise > 0`` it is the denoising autoencoder: a ``GaussianNoise(noise)``
    layer corrupts the input during training only, and the target stays the
    clean image. At ``noise=0`` the layer is left out, so the stack is exactly
    the blog's.

    Args:
        input_dim: int. Pixels per flattened image; a square (784 = 28x28).
        encoding_dim: int. Size of the code (32 floats: compression 24.5x).
        noise: float. Standard deviation of the training-time input noise, in [0, 1].

    Returns:
        dict[str, keras.Model]. ``model`` (the compiled autoencoder), ``encoder``, ``decoder``.

    Raises:
        HyperparameterError: a size is not a positive integer, ``input_dim`` is
            not a square, or ``noise`` is outside [0, 1].
    """
    require_positive_int(input_dim=input_dim, encoding_dim=encoding_dim)
    require_in_range("noise", noise, 0.0, 1.0)
    if math.isqrt(input_dim) ** 2 != input_dim:
        raise HyperparameterError(
            "input_dim", f"must be the pixel count of a square image (784 = 28x28), got {input_dim}"
        )

    input_img = keras.Input(shape=(input_dim,), name="input_img")
    encoded = layers.Dense(encoding_dim, activation="relu", name="encoded")(input_img)
    encoder = keras.Model(input_img, encoded, name="encoder")

    encoded_input = keras.Input(shape=(encoding_dim,), name="encoded_input")
    decoded = layers.Dense(input_dim, activation="sigmoid", name="decoded")(encoded_input)
    decoder = keras.Model(encoded_input, decoded, name="decoder")

    autoencoder_input = keras.Input(shape=(input_dim,), name="autoencoder_input")
    x = autoencoder_input
    if noise > 0:
        x = layers.GaussianNoise(noise, name="input_noise")(x)
    autoencoder = keras.Model(
        autoencoder_input, decoder(encoder(x)), name="denoising_autoencoder" if noise > 0 else "autoencoder"
    )
    autoencoder.compile(optimizer="adam", loss="binary_crossentropy")
    return {"model": autoencoder, "encoder": encoder, "decoder": decoder}
