"""The functional dense autoencoder (``autoencoder``), denoising when ``noise > 0``.

This module is what the entry point names: the registration only, everything
else by ``"module:attr"`` strings.
"""

import kreg
from kreg.plugins.autoencoder.defaults import AUTOENCODER, RECONSTRUCTION_OPTIONS
from kreg.plugins.common.registration import CONVENTIONAL_LAYOUT, layout_of

SOURCE = (
    "F. Chollet, Building Autoencoders in Keras (The Keras Blog, 2016), "
    "blog.keras.io/building-autoencoders-in-keras.html, section 'Let's build the simplest possible autoencoder'"
)


@kreg.hookimpl
def kreg_register_architectures(register):
    """Register ``autoencoder``."""
    register(
        kreg.Architecture(
            name="autoencoder",
            summary="Functional dense autoencoder, 784 -> 32 -> 784, with encoder and decoder models of their own",
            description=(
                "Dense(encoding_dim, relu) encodes a flattened 28x28 image and Dense(784, sigmoid) "
                "decodes it; the encoder and the decoder are models of their own and the "
                "autoencoder is decoder(encoder(x)), trained with fit on (x, x), Adam and binary "
                "cross-entropy. noise > 0 adds a GaussianNoise layer before the encoder (training "
                "only): the denoising autoencoder."
            ),
            source=SOURCE,
            **layout_of(__name__, CONVENTIONAL_LAYOUT),
            hyperparameters=AUTOENCODER,
            tags=("generative", "autoencoder", "functional", "denoising"),
            components=("model", "encoder", "decoder"),
            presets={"smoke": {"encoding_dim": 8}, "denoising": {"noise": 0.2}},
            batch_size=256,
            sampler="kreg.plugins.autoencoder.sampling:reconstructions",
            sample_options=RECONSTRUCTION_OPTIONS,
        )
    )
