"""The functional MLP VAE of the "Keras for researchers" guide (end-to-end example 1)."""

from __future__ import annotations

import math

import keras
from keras import layers

from kreg.errors import HyperparameterError
from kreg.plugins.common.defaults import defaults_from
from kreg.plugins.vae.defaults import MLP_VAE
from kreg.plugins.vae.layers import KLDivergenceLoss, Sampling
from kreg.validation import require_positive_int


@defaults_from(MLP_VAE)
def build(*, original_dim: int, intermediate_dim: int, latent_dim: int) -> dict[str, keras.Model]:
    """Build the guide's functional VAE and compile it with Adam(1e-3) and MSE.

    The encoder maps a flattened image to a sampled ``z``; the decoder maps ``z``
    back; the VAE chains them. The KL term is a layer loss added by
    :class:`~kreg.plugins.vae.layers.KLDivergenceLoss` (the guide's
    ``vae.add_loss(kl_loss)``, which Keras 3 refuses on symbolic tensors), so
    ``fit`` on ``(x, x)`` minimises MSE + KL, as in the guide.

    Args:
        original_dim: int. Pixels per flattened image; a square (784 = 28x28).
        intermediate_dim: int. Units of the hidden Dense layer of each half.
        latent_dim: int. Size of the latent space.

    Returns:
        dict[str, keras.Model]. ``model`` (the compiled VAE), ``encoder``, ``decoder``.

    Raises:
        HyperparameterError: a size is not a positive integer, or ``original_dim``
            is not the pixel count of a square image.
    """
    require_positive_int(original_dim=original_dim, intermediate_dim=intermediate_dim, latent_dim=latent_dim)
    if math.isqrt(original_dim) ** 2 != original_dim:
        raise HyperparameterError(
            "original_dim", f"must be the pixel count of a square image (784 = 28x28), got {original_dim}"
        )

    # Define encoder model.
    original_inputs = keras.Input(shape=(original_dim,), name="encoder_input")
    x = layers.Dense(intermediate_dim, activation="relu")(original_inputs)
    z_mean = layers.Dense(latent_dim, name="z_mean")(x)
    z_log_var = layers.Dense(latent_dim, name="z_log_var")(x)
    z_mean, z_log_var = KLDivergenceLoss(name="kl_divergence")((z_mean, z_log_var))
    z = Sampling(name="sampling")((z_mean, z_log_var))
    encoder = keras.Model(inputs=original_inputs, outputs=z, name="encoder")

    # Define decoder model.
    latent_inputs = keras.Input(shape=(latent_dim,), name="z_sampling")
    x = layers.Dense(intermediate_dim, activation="relu")(latent_inputs)
    outputs = layers.Dense(original_dim, activation="sigmoid")(x)
    decoder = keras.Model(inputs=latent_inputs, outputs=outputs, name="decoder")

    # Define VAE model.
    outputs = decoder(z)
    vae = keras.Model(inputs=original_inputs, outputs=outputs, name="vae")
    vae.compile(keras.optimizers.Adam(learning_rate=1e-3), loss=keras.losses.MeanSquaredError())
    return {"model": vae, "encoder": encoder, "decoder": decoder}
