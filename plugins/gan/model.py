"""The DCGAN of listings 12.34-12.38 (64x64 faces), ported to Keras 3."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import keras
from keras import layers, ops

from kreg.plugins.common.defaults import defaults_from
from kreg.plugins.gan.defaults import DCGAN
from kreg.validation import require_positive_int

PACKAGE = "kreg.gan"
"""Package name the GAN models are registered under for ``.keras`` (de)serialisation."""

IMAGE_SHAPE = (64, 64, 3)
"""The listings' image size; the stack (8x8 seed, three stride-2 upsamplings) fixes it."""


def strided_leaky_stack(convolution: type[layers.Layer], filters: Sequence[int]) -> list[layers.Layer]:
    """The listings' stride-2 stack: per size in ``filters``, a 4x4 ``convolution`` then LeakyReLU(0.2).

    ``layers.Conv2D`` halves the image at each step (the discriminator),
    ``layers.Conv2DTranspose`` doubles it (the generator).
    """
    stack: list[layers.Layer] = []
    for size in filters:
        stack += [convolution(size, kernel_size=4, strides=2, padding="same"), layers.LeakyReLU(negative_slope=0.2)]
    return stack


def build_discriminator() -> keras.Model:
    """Listing 12.34: a 64x64x3 image -> the probability that it is real (fake is 1 in training)."""
    return keras.Sequential(
        [
            keras.Input(shape=IMAGE_SHAPE),
            *strided_leaky_stack(layers.Conv2D, (64, 128, 128)),
            layers.Flatten(),
            layers.Dropout(0.2),
            layers.Dense(1, activation="sigmoid"),
        ],
        name="discriminator",
    )


def build_generator(latent_dim: int) -> keras.Model:
    """Listing 12.35: a latent vector -> a 64x64x3 image in [0, 1].

    Args:
        latent_dim: int. Size of the latent space (128 in the listing).
    """
    return keras.Sequential(
        [
            keras.Input(shape=(latent_dim,)),
            layers.Dense(8 * 8 * 128),
            layers.Reshape((8, 8, 128)),
            *strided_leaky_stack(layers.Conv2DTranspose, (128, 256, 512)),
            layers.Conv2D(3, kernel_size=5, padding="same", activation="sigmoid"),
        ],
        name="generator",
    )


class TwoPlayerModel(keras.Model):
    """What the GAN and the WGAN share: two sub-models, two optimizers, serialisation.

    Like the listings' models they have no ``call()``; their variables all live
    in the (already built) discriminator and generator, so they mark themselves
    built, which lets Keras save them without warnings and lets a distribution
    strategy's symbolic build skip calling them. ``compile`` passes
    ``optimizer=None`` to Keras: the listings' bare ``super().compile()`` would
    make an RMSprop that nothing uses (but that a distribution strategy builds
    and ``save`` writes). It builds the two optimizers it is given at once.

    Subclasses list their compile arguments in ``COMPILE_ARGS``; those are
    serialised by :meth:`get_compile_config`, so a loaded model comes back
    compiled, optimizer state included.

    Args:
        discriminator: keras.Model. Image -> score.
        generator: keras.Model. Latent vector -> image.
        latent_dim: int. Size of the generator's input.
        seed: int or None. Seed of the model's random generator.
        **kwargs: Standard ``keras.Model`` arguments (``name``, ...).
    """

    COMPILE_ARGS: tuple[str, ...] = ()

    def __init__(
        self, discriminator: keras.Model, generator: keras.Model, latent_dim: int, seed: int | None = None, **kwargs
    ):
        super().__init__(**kwargs)
        self.discriminator = discriminator
        self.generator = generator
        self.latent_dim = latent_dim
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.built = True

    def _compile_two(self, compile_args: dict[str, Any], **kwargs) -> None:
        super().compile(optimizer=None, **kwargs)
        for name, value in compile_args.items():
            setattr(self, name, value)
        self._two_player_compile_kwargs = kwargs
        # Create the optimizers' variables now, in the caller's distribution scope:
        # left to their first apply_gradients, they would be created inside the
        # replicated train step, which fails under MirroredStrategy (Keras only
        # pre-builds `self.optimizer`).
        for optimizer, model in ((self.d_optimizer, self.discriminator), (self.g_optimizer, self.generator)):
            if not optimizer.built:
                optimizer.build(model.trainable_variables)

    def get_compile_config(self) -> dict:
        """The compile arguments (optimizers, loss functions), serialised."""
        if not self.compiled:
            return {}
        config = {name: keras.saving.serialize_keras_object(getattr(self, name)) for name in self.COMPILE_ARGS}
        return {**config, **self._two_player_compile_kwargs}

    def compile_from_config(self, config: dict) -> None:
        """Compile from :meth:`get_compile_config`'s output.

        ``compile`` builds both optimizers, before Keras loads the saved state:
        that is what lets their variables (Adam's moments, the iteration
        count) be restored.
        """
        config = dict(config)
        arguments = {name: keras.saving.deserialize_keras_object(config.pop(name)) for name in self.COMPILE_ARGS}
        self.compile(**arguments, **config)

    def get_config(self) -> dict:
        """Model config plus the serialised sub-models, ``latent_dim`` and ``seed``."""
        return {
            **super().get_config(),
            "discriminator": keras.saving.serialize_keras_object(self.discriminator),
            "generator": keras.saving.serialize_keras_object(self.generator),
            "latent_dim": self.latent_dim,
            "seed": self.seed,
        }

    @classmethod
    def from_config(cls, config: dict):
        """Rebuild the sub-models, then the model around them."""
        config = dict(config)
        discriminator = keras.saving.deserialize_keras_object(config.pop("discriminator"))
        generator = keras.saving.deserialize_keras_object(config.pop("generator"))
        return cls(discriminator=discriminator, generator=generator, **config)


@keras.saving.register_keras_serializable(package=PACKAGE)
class GAN(TwoPlayerModel):
    """Listing 12.36: the DCGAN with its own ``compile`` and ``train_step``.

    Each step trains the discriminator on generated images (label 1) and real
    ones (label 0) with a little uniform noise added to the labels, then the
    generator through the discriminator, whose weights it does not update, with
    "misleading" labels that call every generated image real (0).

    The discriminator is called with ``training=True``: under Keras 3 a layer
    called without a ``training`` argument inside a custom ``train_step`` runs in
    inference mode, which would switch off the listing's "important trick", the
    discriminator's dropout.

    Args:
        discriminator: keras.Model. Image -> probability.
        generator: keras.Model. Latent vector -> image.
        latent_dim: int. Size of the generator's input.
        seed: int or None. Seed of the latent and label-noise draws.
        **kwargs: Standard ``keras.Model`` arguments.
    """

    COMPILE_ARGS = ("d_optimizer", "g_optimizer", "loss_fn")

    def __init__(
        self, discriminator: keras.Model, generator: keras.Model, latent_dim: int, seed: int | None = None, **kwargs
    ):
        super().__init__(discriminator, generator, latent_dim, seed=seed, **kwargs)
        self.d_loss_metric = keras.metrics.Mean(name="d_loss")
        self.g_loss_metric = keras.metrics.Mean(name="g_loss")

    def compile(self, d_optimizer, g_optimizer, loss_fn, **kwargs) -> None:
        """Set one optimizer per player and the loss both use.

        Args:
            d_optimizer: keras.optimizers.Optimizer. Updates the discriminator.
            g_optimizer: keras.optimizers.Optimizer. Updates the generator.
            loss_fn: keras.losses.Loss. Binary cross-entropy in the listing.
            **kwargs: Passed to ``keras.Model.compile`` (``jit_compile``, ``steps_per_execution``).
        """
        self._compile_two({"d_optimizer": d_optimizer, "g_optimizer": g_optimizer, "loss_fn": loss_fn}, **kwargs)

    @property
    def metrics(self) -> list:
        """The two loss trackers, reset by Keras at each epoch."""
        return [self.d_loss_metric, self.g_loss_metric]

    def train_step(self, real_images):
        """One discriminator step and one generator step; returns the running ``d_loss`` and ``g_loss``."""
        import tensorflow as tf  # GradientTape: this is the TensorFlow backend's train step

        if isinstance(real_images, tuple):
            real_images = real_images[0]
        batch_size = ops.shape(real_images)[0]
        random_latent_vectors = keras.random.normal((batch_size, self.latent_dim), seed=self.seed_generator)
        generated_images = self.generator(random_latent_vectors)
        combined_images = ops.concatenate([generated_images, real_images], axis=0)
        labels = ops.concatenate([ops.ones((batch_size, 1)), ops.zeros((batch_size, 1))], axis=0)
        labels += 0.05 * keras.random.uniform(ops.shape(labels), seed=self.seed_generator)

        with tf.GradientTape() as tape:
            predictions = self.discriminator(combined_images, training=True)
            d_loss = self.loss_fn(labels, predictions)
        grads = tape.gradient(d_loss, self.discriminator.trainable_weights)
        self.d_optimizer.apply_gradients(zip(grads, self.discriminator.trainable_weights))

        random_latent_vectors = keras.random.normal((batch_size, self.latent_dim), seed=self.seed_generator)
        misleading_labels = ops.zeros((batch_size, 1))
        with tf.GradientTape() as tape:
            predictions = self.discriminator(self.generator(random_latent_vectors), training=True)
            g_loss = self.loss_fn(misleading_labels, predictions)
        grads = tape.gradient(g_loss, self.generator.trainable_weights)
        self.g_optimizer.apply_gradients(zip(grads, self.generator.trainable_weights))

        self.d_loss_metric.update_state(d_loss)
        self.g_loss_metric.update_state(g_loss)
        return {"d_loss": self.d_loss_metric.result(), "g_loss": self.g_loss_metric.result()}


@defaults_from(DCGAN)
def build(*, latent_dim: int) -> dict[str, keras.Model]:
    """Build the DCGAN and compile it as listing 12.38 does: Adam(1e-4) twice, binary cross-entropy.

    Args:
        latent_dim: int. Size of the latent space.

    Returns:
        dict[str, keras.Model]. ``model`` (the compiled GAN), ``generator``, ``discriminator``.

    Raises:
        HyperparameterError: ``latent_dim`` is not a positive integer.
    """
    require_positive_int(latent_dim=latent_dim)
    discriminator = build_discriminator()
    generator = build_generator(latent_dim)
    gan = GAN(discriminator=discriminator, generator=generator, latent_dim=latent_dim, name="gan")
    gan.compile(
        d_optimizer=keras.optimizers.Adam(learning_rate=0.0001),
        g_optimizer=keras.optimizers.Adam(learning_rate=0.0001),
        loss_fn=keras.losses.BinaryCrossentropy(),
    )
    return {"model": gan, "generator": generator, "discriminator": discriminator}
