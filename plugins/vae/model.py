"""The convolutional VAE of listings 12.24-12.28, ported to Keras 3."""

from __future__ import annotations

import keras
from keras import layers, ops

from kreg.plugins.common.defaults import defaults_from
from kreg.plugins.vae.defaults import CONVOLUTIONAL_VAE
from kreg.plugins.vae.layers import PACKAGE, Sampler
from kreg.validation import require_positive_int

IMAGE_SHAPE = (28, 28, 1)
"""The listings' MNIST digits; the stack (two stride-2 convolutions, 7x7x64) fixes it."""


def build_encoder(latent_dim: int) -> keras.Model:
    """Listing 12.24: map a 28x28x1 image to ``[z_mean, z_log_var]``.

    Args:
        latent_dim: int. Size of the latent space (2 in the listing: a plane).

    Returns:
        keras.Model. Named ``"encoder"``.
    """
    encoder_inputs = keras.Input(shape=IMAGE_SHAPE)
    x = layers.Conv2D(32, 3, activation="relu", strides=2, padding="same")(encoder_inputs)
    x = layers.Conv2D(64, 3, activation="relu", strides=2, padding="same")(x)
    x = layers.Flatten()(x)
    x = layers.Dense(16, activation="relu")(x)
    z_mean = layers.Dense(latent_dim, name="z_mean")(x)
    z_log_var = layers.Dense(latent_dim, name="z_log_var")(x)
    return keras.Model(encoder_inputs, [z_mean, z_log_var], name="encoder")


def build_decoder(latent_dim: int) -> keras.Model:
    """Listing 12.26: map a latent point back to a 28x28x1 image in [0, 1].

    Args:
        latent_dim: int. Size of the latent space.

    Returns:
        keras.Model. Named ``"decoder"``.
    """
    latent_inputs = keras.Input(shape=(latent_dim,))
    x = layers.Dense(7 * 7 * 64, activation="relu")(latent_inputs)
    x = layers.Reshape((7, 7, 64))(x)
    x = layers.Conv2DTranspose(64, 3, activation="relu", strides=2, padding="same")(x)
    x = layers.Conv2DTranspose(32, 3, activation="relu", strides=2, padding="same")(x)
    decoder_outputs = layers.Conv2D(1, 3, activation="sigmoid", padding="same")(x)
    return keras.Model(latent_inputs, decoder_outputs, name="decoder")


@keras.saving.register_keras_serializable(package=PACKAGE)
class VAE(keras.Model):
    """Listing 12.27: a VAE whose ``train_step`` adds the KL term to the reconstruction loss.

    It has no ``call()``, as in the listing: the encoder and decoder are the models
    to inspect. Its only variables live in those (already built) functional
    models, so it marks itself built; Keras then saves it without warnings and a
    distribution strategy's symbolic build does not try to call it.

    Args:
        encoder: keras.Model. Image -> ``[z_mean, z_log_var]``.
        decoder: keras.Model. Latent point -> image.
        seed: int or None. Seed of the sampler's random generator.
        **kwargs: Standard ``keras.Model`` arguments (``name``, ...).
    """

    def __init__(self, encoder: keras.Model, decoder: keras.Model, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.encoder = encoder
        self.decoder = decoder
        self.seed = seed
        self.sampler = Sampler(seed=seed, name="sampler")
        self.total_loss_tracker = keras.metrics.Mean(name="total_loss")
        self.reconstruction_loss_tracker = keras.metrics.Mean(name="reconstruction_loss")
        self.kl_loss_tracker = keras.metrics.Mean(name="kl_loss")
        self.sampler.built = True  # weightless; its seed state is created in __init__
        self.built = True

    @property
    def metrics(self) -> list:
        """The three trackers, listed so Keras resets them at each epoch."""
        return [self.total_loss_tracker, self.reconstruction_loss_tracker, self.kl_loss_tracker]

    def train_step(self, data):
        """One step on a batch of images; returns the three running means."""
        import tensorflow as tf  # GradientTape: this is the TensorFlow backend's train step

        if isinstance(data, tuple):  # tolerate (x,) or (x, y) batches; the targets are the inputs
            data = data[0]
        with tf.GradientTape() as tape:
            z_mean, z_log_var = self.encoder(data)
            z = self.sampler(z_mean, z_log_var)
            reconstruction = self.decoder(z)
            reconstruction_loss = ops.mean(ops.sum(keras.losses.binary_crossentropy(data, reconstruction), axis=(1, 2)))
            kl_loss = -0.5 * (1 + z_log_var - ops.square(z_mean) - ops.exp(z_log_var))
            total_loss = reconstruction_loss + ops.mean(kl_loss)
        grads = tape.gradient(total_loss, self.trainable_weights)
        self.optimizer.apply_gradients(zip(grads, self.trainable_weights))
        self.total_loss_tracker.update_state(total_loss)
        self.reconstruction_loss_tracker.update_state(reconstruction_loss)
        self.kl_loss_tracker.update_state(kl_loss)
        return {
            "total_loss": self.total_loss_tracker.result(),
            "reconstruction_loss": self.reconstruction_loss_tracker.result(),
            "kl_loss": self.kl_loss_tracker.result(),
        }

    def get_config(self) -> dict:
        """Model config plus the serialised encoder and decoder."""
        return {
            **super().get_config(),
            "encoder": keras.saving.serialize_keras_object(self.encoder),
            "decoder": keras.saving.serialize_keras_object(self.decoder),
            "seed": self.seed,
        }

    @classmethod
    def from_config(cls, config: dict) -> VAE:
        """Rebuild the encoder and decoder, then the VAE around them."""
        config = dict(config)
        encoder = keras.saving.deserialize_keras_object(config.pop("encoder"))
        decoder = keras.saving.deserialize_keras_object(config.pop("decoder"))
        return cls(encoder=encoder, decoder=decoder, **config)


@defaults_from(CONVOLUTIONAL_VAE)
def build(*, latent_dim: int) -> dict[str, keras.Model]:
    """Build the convolutional VAE and compile it with Adam, as listing 12.28 does.

    The listing compiles with ``run_eagerly=True``; kreg trains under
    ``tf.function``, so this one does not.

    Args:
        latent_dim: int. Size of the latent space; 2 gives the listing's plane.

    Returns:
        dict[str, keras.Model]. ``model`` (the compiled VAE), ``encoder``, ``decoder``.

    Raises:
        HyperparameterError: ``latent_dim`` is not a positive integer.
    """
    require_positive_int(latent_dim=latent_dim)
    encoder = build_encoder(latent_dim)
    decoder = build_decoder(latent_dim)
    vae = VAE(encoder, decoder, name="vae")
    vae.compile(optimizer=keras.optimizers.Adam())
    return {"model": vae, "encoder": encoder, "decoder": decoder}
