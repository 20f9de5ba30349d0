"""The GANs: the DCGAN of listings 12.34-12.38 (``dcgan``) and keras.io's WGAN-GP (``wgan-gp``).

Both are Model subclasses with their own ``compile`` (two optimizers) and
``train_step``, share the two-player serialisation (``model.py``) and the image
grid sampler (``sampling.py``). This module is what the entry point names:
registrations only, everything else by ``"module:attr"`` strings.
"""

import kreg
from kreg.plugins.common.registration import Family
from kreg.plugins.common.sources import DEEP_LEARNING_WITH_PYTHON
from kreg.plugins.gan.defaults import DCGAN, GRID_SAMPLE_OPTIONS, WGAN_GP

DCGAN_SOURCE = (
    f"{DEEP_LEARNING_WITH_PYTHON}, listings 12.30-12.38; the same model as "
    "the keras.io example DCGAN to generate face images, keras.io/examples/generative/dcgan_overriding_train_step/"
)
WGAN_SOURCE = (
    "A_K_Nain, WGAN-GP overriding Model.train_step (keras.io code example), keras.io/examples/generative/wgan_gp/"
)

GANS = Family(
    __name__,
    tags=("generative", "gan"),
    components=("model", "generator", "discriminator"),
    sampler=".sampling:generated_grid",
    sample_options=GRID_SAMPLE_OPTIONS,
)
"""What the two GANs share: two players, the image-grid sampler and its options."""


@kreg.hookimpl
def kreg_register_architectures(register):
    """Register ``dcgan`` and ``wgan-gp``."""
    register(
        GANS.architecture(
            name="dcgan",
            summary="DCGAN on 64x64x3 images: GAN Model subclass with two optimizers and noisy labels",
            description=(
                "Discriminator: three stride-2 4x4 Conv2D with LeakyReLU(0.2), Flatten, Dropout(0.2), "
                "Dense(1, sigmoid). Generator: Dense(8*8*128), Reshape, three stride-2 4x4 "
                "Conv2DTranspose (128, 256, 512) with LeakyReLU(0.2), Conv2D(3, 5, sigmoid). The GAN "
                "overrides compile(d_optimizer, g_optimizer, loss_fn) and train_step: the "
                "discriminator learns real vs generated with noisy labels, then the generator learns "
                "through the frozen discriminator with misleading labels. Adam(1e-4) for both, "
                "binary cross-entropy; metrics d_loss and g_loss."
            ),
            source=DCGAN_SOURCE,
            builder=".model:build",
            data_adapter=".data:make_dcgan_dataset",
            hyperparameters=DCGAN,
            tags=("convolutional", "custom-train-step", "custom-compile", "model-subclass"),
            presets={"smoke": {"latent_dim": 16}},
            batch_size=32,
        )
    )
    register(
        GANS.architecture(
            name="wgan-gp",
            summary="WGAN-GP on 28x28x1 images: critic steps with a gradient penalty, then a generator step",
            description=(
                "Critic: ZeroPadding2D to 32x32, four stride-2 5x5 Conv2D (64, 128, 256, 512) with "
                "LeakyReLU(0.2) and two Dropout(0.3), Flatten, Dropout(0.2), Dense(1). Generator: "
                "Dense(4*4*256) + BatchNorm, three UpSampling2D + Conv2D + BatchNorm blocks to "
                "32x32x1 tanh, Cropping2D to 28x28. The WGAN overrides compile (two optimizers, two "
                "loss functions) and train_step: discriminator_extra_steps critic updates with a "
                "gradient penalty (an inner GradientTape on interpolated images, weight gp_weight), "
                "then one generator update. Adam(2e-4, beta_1=0.5, beta_2=0.9); metrics d_loss, g_loss. "
                "The example trains with batches of 512 on a GPU; the default here is 64, which "
                "keeps a CPU smoke step to a few seconds (--batch-size 512 for the example's)."
            ),
            source=WGAN_SOURCE,
            builder=".wgan_model:build",
            data_adapter=".data:make_wgan_dataset",
            hyperparameters=WGAN_GP,
            tags=("wgan", "gradient-penalty", "custom-train-step", "custom-compile", "model-subclass"),
            presets={"smoke": {"noise_dim": 16}},
            batch_size=64,
        )
    )
