"""The autoencoder's defaults, each written once.

The registration shows and parses against them (``kreg info``); the builder and
the sampler take them through :func:`kreg.plugins.common.defaults.defaults_from`.
No Keras here: the registration imports this module.
"""

AUTOENCODER = {"input_dim": 784, "encoding_dim": 32, "noise": 0.0}
"""``autoencoder``: the blog's 784 -> 32 -> 784, without noise (``noise > 0``: denoising)."""

RECONSTRUCTION_OPTIONS = {"num_img": 8, "seed": 1}
"""``kreg sample autoencoder``: eight test images and their reconstructions."""
