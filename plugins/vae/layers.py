"""The VAEs' custom layers: latent sampling and the KL-divergence layer loss."""

from __future__ import annotations

import keras
from keras import ops

PACKAGE = "kreg.vae"
"""Package name the layers are registered under for ``.keras`` (de)serialisation."""


@keras.saving.register_keras_serializable(package=PACKAGE)
class Sampler(keras.layers.Layer):
    """Draw ``z = z_mean + exp(z_log_var / 2) * epsilon`` (listing 12.25).

    Called as ``sampler(z_mean, z_log_var)``, as the listing does.

    Args:
        seed: int or None. Seed of the layer's random generator.
        **kwargs: Standard ``keras.layers.Layer`` arguments.
    """

    def __init__(self, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, z_mean, z_log_var):
        """Return one sample per row of ``z_mean``."""
        epsilon = keras.random.normal(ops.shape(z_mean), seed=self.seed_generator)
        return z_mean + ops.exp(0.5 * z_log_var) * epsilon

    def compute_output_shape(self, z_mean_shape, z_log_var_shape=None):
        """The shape of ``z_mean``."""
        return z_mean_shape

    def get_config(self) -> dict:
        """Layer config plus ``seed``."""
        return {**super().get_config(), "seed": self.seed}


@keras.saving.register_keras_serializable(package=PACKAGE)
class Sampling(Sampler):
    """Use ``(z_mean, z_log_var)`` to sample ``z``, the vector encoding a digit.

    The "Keras for researchers" guide's layer: called on the tuple
    ``(z_mean, z_log_var)``.

    Args:
        seed: int or None. Seed of the layer's random generator.
        **kwargs: Standard ``keras.layers.Layer`` arguments.
    """

    def call(self, inputs):
        """Return ``z_mean + exp(z_log_var / 2) * epsilon``."""
        z_mean, z_log_var = inputs
        return super().call(z_mean, z_log_var)

    def compute_output_shape(self, input_shape):
        """The shape of ``z_mean``."""
        return input_shape[0]


@keras.saving.register_keras_serializable(package=PACKAGE)
class KLDivergenceLoss(keras.layers.Layer):
    """Add the guide's KL-divergence term as a layer loss; pass its inputs through.

    The guide calls ``vae.add_loss(kl_loss)`` on the functional model with a
    symbolic tensor, which Keras 3 no longer accepts. This layer computes the same
    ``-0.5 * mean(z_log_var - z_mean**2 - exp(z_log_var) + 1)`` and hands it to
    ``self.add_loss`` on every call, so ``fit`` adds it to the compiled loss just
    as before. It returns ``(z_mean, z_log_var)`` unchanged, which keeps it on the
    graph's path to the output (a layer whose output nobody uses would not be part
    of the model).

    Args:
        **kwargs: Standard ``keras.layers.Layer`` arguments.
    """

    def call(self, inputs):
        """Record the KL term and return ``inputs``."""
        z_mean, z_log_var = inputs
        kl_loss = -0.5 * ops.mean(z_log_var - ops.square(z_mean) - ops.exp(z_log_var) + 1)
        self.add_loss(kl_loss)
        return z_mean, z_log_var

    def compute_output_shape(self, input_shape):
        """The shapes of ``(z_mean, z_log_var)``."""
        return tuple(input_shape)
