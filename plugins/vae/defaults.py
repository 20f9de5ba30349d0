"""The variational autoencoders' defaults, each written once.

The registration shows and parses against them (``kreg info``); the builders
and samplers take them through :func:`kreg.plugins.common.defaults.defaults_from`.
No Keras here: the registration imports this module.
"""

CONVOLUTIONAL_VAE = {"latent_dim": 2}
"""``vae``: listing 12.24's latent plane."""

MLP_VAE = {"original_dim": 784, "intermediate_dim": 64, "latent_dim": 32}
"""``vae-mlp``: the sizes of the researchers' guide's VAE."""

LATENT_GRID_OPTIONS = {"n": 30, "scale": 1.0}
"""``kreg sample vae``: listing 12.29's 30x30 grid over [-1, 1]."""

DECODED_SAMPLE_OPTIONS = {"num_img": 16, "columns": 4, "seed": 0}
"""``kreg sample vae-mlp``: sixteen decoded latent draws in rows of four."""
