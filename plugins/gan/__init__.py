"""The GANs: the DCGAN of listings 12.34-12.38 (``dcgan``) and keras.io's WGAN-GP (``wgan-gp``).

Both are Model subclasses with their own ``compile`` (two optimizers) and
``train_step``, share the two-player serialisation (``model.py``) and the image
grid sampler (``sampling.py``). This module is what the entry point names:
registrations only, everything else by ``"module:attr"`` strings.
"""

import kreg

DCGAN_SOURCE = (
    "seeds/003_ec0e170915c7e91d.txt, listings 12.30-12.38 (Chollet, Deep Learning with Python, 2nd ed., ch. 12); "
    "seeds/000_0277b79063998d35.txt, 'GAN'"
)
WGAN_SOURCE = (
    "seeds/000_0277b79063998d35.txt, 'Wasserstein GAN with Gradient Penalty', which follows "
    "https://keras.io/examples/generative/wgan_gp/ (A_K_Nain)"
)


@kreg.hookimpl
def kreg_register_architectures(register):
    """Register ``dcgan`` and ``wgan-gp``."""
    register(
        kreg.Architecture(
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
            builder="kreg.plugins.gan.model:build",
            data_adapter="kreg.plugins.gan.data:make_dcgan_dataset",
            train_step=None,
            hyperparameters={"latent_dim": 128},
            tags=("generative", "gan", "convolutional", "custom-train-step", "custom-compile", "model-subclass"),
            components=("model", "generator", "discriminator"),
            presets={"smoke": {"latent_dim": 16}},
            batch_size=32,
            sampler="kreg.plugins.gan.sampling:generated_grid",
            sample_options={"num_img": 10, "columns": 5, "seed": 0},
        )
    )
    register(
        kreg.Architecture(
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
            builder="kreg.plugins.gan.wgan_model:build",
            data_adapter="kreg.plugins.gan.data:make_wgan_dataset",
            train_step=None,
            hyperparameters={"noise_dim": 128, "discriminator_extra_steps": 3, "gp_weight": 10.0},
            tags=(
                "generative",
                "gan",
                "wgan",
                "gradient-penalty",
                "custom-train-step",
                "custom-compile",
                "model-subclass",
            ),
            components=("model", "generator", "discriminator"),
            presets={"smoke": {"noise_dim": 16}},
            batch_size=64,
            sampler="kreg.plugins.gan.sampling:generated_grid",
            sample_options={"num_img": 10, "columns": 5, "seed": 0},
        )
    )
