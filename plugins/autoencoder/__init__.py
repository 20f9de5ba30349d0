"""The functional dense autoencoder (``autoencoder``), denoising when ``noise > 0``.

This module is what the entry point names: the registration only, everything
else by ``"module:attr"`` strings.
"""

import kreg

SOURCE = (
    "seeds/000_0277b79063998d35.txt and 001_43102aeab7f0dc7d.txt, 'Autoencoder: Functional model' "
    "(the linked Autoencoder_example notebook, after blog.keras.io 'Building autoencoders in Keras')"
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
            builder="kreg.plugins.autoencoder.model:build",
            data_adapter="kreg.plugins.autoencoder.data:make_dataset",
            train_step=None,
            hyperparameters={"input_dim": 784, "encoding_dim": 32, "noise": 0.0},
            tags=("generative", "autoencoder", "functional", "denoising"),
            components=("model", "encoder", "decoder"),
            presets={"smoke": {"encoding_dim": 8}, "denoising": {"noise": 0.2}},
            batch_size=256,
            sampler="kreg.plugins.autoencoder.sampling:reconstructions",
            sample_options={"num_img": 8, "seed": 1},
        )
    )
