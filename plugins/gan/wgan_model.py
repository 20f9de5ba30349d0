"""The WGAN-GP of keras.io's "WGAN-GP overriding Model.train_step" (28x28x1 Fashion-MNIST).

The seed's lecture notes point to that example for the gradient penalty (an
inner GradientTape used for a loss term, not a weight update), the overridden
``compile`` and the custom ``train_step``.
"""

from __future__ import annotations

import keras
from keras import layers, ops

from kreg.plugins.common.defaults import defaults_from
from kreg.plugins.gan.defaults import WGAN_GP
from kreg.plugins.gan.model import PACKAGE, TwoPlayerModel
from kreg.validation import require_in_range, require_positive_int

IMG_SHAPE = (28, 28, 1)
"""The example's image size: zero-padded to 32x32 by the critic, cropped back by the generator."""


def conv_block(
    x,
    filters: int,
    activation,
    kernel_size=(3, 3),
    strides=(1, 1),
    padding="same",
    use_bias=True,
    use_bn=False,
    use_dropout=False,
    drop_value=0.5,
):
    """The example's critic block: Conv2D, optional BatchNorm, activation, optional Dropout."""
    x = layers.Conv2D(filters, kernel_size, strides=strides, padding=padding, use_bias=use_bias)(x)
    if use_bn:
        x = layers.BatchNormalization()(x)
    x = activation(x)
    if use_dropout:
        x = layers.Dropout(drop_value)(x)
    return x


def upsample_block(x, filters: int, activation, up_size=(2, 2), **conv_options):
    """The example's generator block: UpSampling2D, then the :func:`conv_block` (Conv2D, BatchNorm, activation)."""
    return conv_block(layers.UpSampling2D(up_size)(x), filters, activation, **conv_options)


def build_discriminator() -> keras.Model:
    """The critic: pad to 32x32, four stride-2 5x5 convolutions (64..512), Dense(1) with no activation."""
    img_input = layers.Input(shape=IMG_SHAPE)
    x = layers.ZeroPadding2D((2, 2))(img_input)
    # Dropout after the two middle blocks only, as in the example.
    for filters, use_dropout in ((64, False), (128, True), (256, True), (512, False)):
        x = conv_block(
            x,
            filters,
            kernel_size=(5, 5),
            strides=(2, 2),
            use_bn=False,
            activation=layers.LeakyReLU(negative_slope=0.2),
            use_bias=True,
            use_dropout=use_dropout,
            drop_value=0.3,
        )
    x = layers.Flatten()(x)
    x = layers.Dropout(0.2)(x)
    x = layers.Dense(1)(x)
    return keras.Model(img_input, x, name="discriminator")


def build_generator(noise_dim: int) -> keras.Model:
    """The generator: Dense(4*4*256) + BatchNorm, three upsample blocks to 32x32x1 (tanh), cropped to 28x28.

    Args:
        noise_dim: int. Size of the noise vector.
    """
    noise = layers.Input(shape=(noise_dim,))
    x = layers.Dense(4 * 4 * 256, use_bias=False)(noise)
    x = layers.BatchNormalization()(x)
    x = layers.LeakyReLU(negative_slope=0.2)(x)
    x = layers.Reshape((4, 4, 256))(x)
    for filters in (128, 64):
        x = upsample_block(
            x,
            filters,
            layers.LeakyReLU(negative_slope=0.2),
            strides=(1, 1),
            use_bias=False,
            use_bn=True,
            padding="same",
            use_dropout=False,
        )
    x = upsample_block(x, 1, layers.Activation("tanh"), strides=(1, 1), use_bias=False, use_bn=True)
    # (32, 32, 1) -> (28, 28, 1), the shape of the real images.
    x = layers.Cropping2D((2, 2))(x)
    return keras.Model(noise, x, name="generator")


@keras.saving.register_keras_serializable(package=PACKAGE)
def discriminator_loss(real_img, fake_img):
    """Critic loss ``mean(fake) - mean(real)``; the gradient penalty is added in the train step."""
    return ops.mean(fake_img) - ops.mean(real_img)


@keras.saving.register_keras_serializable(package=PACKAGE)
def generator_loss(fake_img):
    """Generator loss ``-mean(critic(fake))``."""
    return -ops.mean(fake_img)


@keras.saving.register_keras_serializable(package=PACKAGE)
class WGAN(TwoPlayerModel):
    """The example's WGAN: ``discriminator_extra_steps`` critic steps with a gradient penalty, then one generator step.

    The penalty keeps the critic's gradient norm near 1 on images interpolated
    between real and generated ones, computed with an inner ``GradientTape``.
    The interpolation weight is drawn from U[0, 1] per image, as the WGAN-GP
    paper's Algorithm 1 does (and keras.io's example since keras-io issue 415;
    its first version drew it from N(0, 1)). The step returns the last
    ``d_loss`` and ``g_loss``, as the example does.

    Args:
        discriminator: keras.Model. Image -> critic score (no activation).
        generator: keras.Model. Noise vector -> image in [-1, 1].
        latent_dim: int. Size of the noise vector.
        discriminator_extra_steps: int. Critic steps per generator step.
        gp_weight: float. Weight of the gradient penalty.
        seed: int or None. Seed of the noise and interpolation draws.
        **kwargs: Standard ``keras.Model`` arguments.
    """

    COMPILE_ARGS = ("d_optimizer", "g_optimizer", "d_loss_fn", "g_loss_fn")

    def __init__(
        self,
        discriminator: keras.Model,
        generator: keras.Model,
        latent_dim: int,
        discriminator_extra_steps: int,
        gp_weight: float,
        seed: int | None = None,
        **kwargs,
    ):
        super().__init__(discriminator, generator, latent_dim, seed=seed, **kwargs)
        self.d_steps = discriminator_extra_steps
        self.gp_weight = gp_weight

    def compile(self, d_optimizer, g_optimizer, d_loss_fn, g_loss_fn, **kwargs) -> None:
        """Set one optimizer and one loss function per player.

        Args:
            d_optimizer: keras.optimizers.Optimizer. Updates the critic.
            g_optimizer: keras.optimizers.Optimizer. Updates the generator.
            d_loss_fn: callable. ``d_loss_fn(real_img=..., fake_img=...)`` on critic scores.
            g_loss_fn: callable. ``g_loss_fn(fake_scores)``.
            **kwargs: Passed to ``keras.Model.compile``.
        """
        arguments = {
            "d_optimizer": d_optimizer,
            "g_optimizer": g_optimizer,
            "d_loss_fn": d_loss_fn,
            "g_loss_fn": g_loss_fn,
        }
        self._compile_two(arguments, **kwargs)

    def gradient_penalty(self, batch_size, real_images, fake_images):
        """Mean of ``(||grad critic(interpolated)|| - 1)**2`` over the batch."""
        import tensorflow as tf

        alpha = keras.random.uniform((batch_size, 1, 1, 1), 0.0, 1.0, seed=self.seed_generator)
        diff = fake_images - real_images
        interpolated = real_images + alpha * diff
        with tf.GradientTape() as gp_tape:
            gp_tape.watch(interpolated)
            pred = self.discriminator(interpolated, training=True)
        grads = gp_tape.gradient(pred, [interpolated])[0]
        norm = ops.sqrt(ops.sum(ops.square(grads), axis=[1, 2, 3]))
        return ops.mean((norm - 1.0) ** 2)

    def train_step(self, real_images):
        """``d_steps`` critic updates, then one generator update; returns ``d_loss`` and ``g_loss``."""
        import tensorflow as tf

        if isinstance(real_images, tuple):
            real_images = real_images[0]
        batch_size = ops.shape(real_images)[0]
        for _ in range(self.d_steps):
            random_latent_vectors = keras.random.normal((batch_size, self.latent_dim), seed=self.seed_generator)
            with tf.GradientTape() as tape:
                fake_images = self.generator(random_latent_vectors, training=True)
                fake_logits = self.discriminator(fake_images, training=True)
                real_logits = self.discriminator(real_images, training=True)
                d_cost = self.d_loss_fn(real_img=real_logits, fake_img=fake_logits)
                gp = self.gradient_penalty(batch_size, real_images, fake_images)
                d_loss = d_cost + gp * self.gp_weight
            d_gradient = tape.gradient(d_loss, self.discriminator.trainable_variables)
            self.d_optimizer.apply_gradients(zip(d_gradient, self.discriminator.trainable_variables))

        random_latent_vectors = keras.random.normal((batch_size, self.latent_dim), seed=self.seed_generator)
        with tf.GradientTape() as tape:
            generated_images = self.generator(random_latent_vectors, training=True)
            gen_img_logits = self.discriminator(generated_images, training=True)
            g_loss = self.g_loss_fn(gen_img_logits)
        gen_gradient = tape.gradient(g_loss, self.generator.trainable_variables)
        self.g_optimizer.apply_gradients(zip(gen_gradient, self.generator.trainable_variables))
        return {"d_loss": d_loss, "g_loss": g_loss}

    def get_config(self) -> dict:
        """Config of :class:`TwoPlayerModel` plus the critic schedule and penalty weight."""
        return {**super().get_config(), "discriminator_extra_steps": self.d_steps, "gp_weight": self.gp_weight}


def example_adam() -> keras.optimizers.Optimizer:
    """The example's optimizer, one per player: Adam(2e-4, beta_1=0.5, beta_2=0.9)."""
    return keras.optimizers.Adam(learning_rate=0.0002, beta_1=0.5, beta_2=0.9)


@defaults_from(WGAN_GP)
def build(*, noise_dim: int, discriminator_extra_steps: int, gp_weight: float) -> dict[str, keras.Model]:
    """Build the WGAN-GP and compile it as the example does: Adam(2e-4, beta_1=0.5, beta_2=0.9) twice.

    Args:
        noise_dim: int. Size of the noise vector.
        discriminator_extra_steps: int. Critic steps per generator step.
        gp_weight: float. Weight of the gradient penalty, in [0, 1000].

    Returns:
        dict[str, keras.Model]. ``model`` (the compiled WGAN), ``generator``, ``discriminator``.

    Raises:
        HyperparameterError: a bad size, step count or weight, named.
    """
    require_positive_int(noise_dim=noise_dim, discriminator_extra_steps=discriminator_extra_steps)
    require_in_range("gp_weight", gp_weight, 0.0, 1000.0)
    d_model = build_discriminator()
    g_model = build_generator(noise_dim)
    wgan = WGAN(
        discriminator=d_model,
        generator=g_model,
        latent_dim=noise_dim,
        discriminator_extra_steps=discriminator_extra_steps,
        gp_weight=gp_weight,
        name="wgan",
    )
    wgan.compile(
        d_optimizer=example_adam(),
        g_optimizer=example_adam(),
        g_loss_fn=generator_loss,
        d_loss_fn=discriminator_loss,
    )
    return {"model": wgan, "generator": g_model, "discriminator": d_model}
