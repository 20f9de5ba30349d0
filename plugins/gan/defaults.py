"""The GANs' defaults, each written once.

The registration shows and parses against them (``kreg info``); the builders
and the sampler take them through :func:`kreg.plugins.common.defaults.defaults_from`.
No Keras here: the registration imports this module.
"""

DCGAN = {"latent_dim": 128}
"""``dcgan``: listing 12.35's latent size."""

WGAN_GP = {"noise_dim": 128, "discriminator_extra_steps": 3, "gp_weight": 10.0}
"""``wgan-gp``: the keras.io example's noise size, critic steps and penalty weight."""

GRID_SAMPLE_OPTIONS = {"num_img": 10, "columns": 5, "seed": 0}
"""``kreg sample`` of both GANs: listing 12.38's ten images, in rows of five."""
