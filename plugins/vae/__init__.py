"""The variational autoencoders: the convolutional VAE (``vae``) and the MLP VAE (``vae-mlp``).

Both live here because they share the family's parts: the latent sampling layers
(``layers.py``), the image data of 28x28 digits (``data.py``) and the samplers
that decode latent points (``sampling.py``). This module is what the entry point
names: registrations only, everything else by ``"module:attr"`` strings.
"""

import kreg
from kreg.plugins.common.registration import Family
from kreg.plugins.common.sources import DEEP_LEARNING_WITH_PYTHON, KERAS_FOR_RESEARCHERS
from kreg.plugins.vae.defaults import CONVOLUTIONAL_VAE, DECODED_SAMPLE_OPTIONS, LATENT_GRID_OPTIONS, MLP_VAE

CONV_SOURCE = f"{DEEP_LEARNING_WITH_PYTHON}, listings 12.24-12.29"
MLP_SOURCE = f"{KERAS_FOR_RESEARCHERS}, section 'End-to-end experiment example 1: variational autoencoders'"

VAES = Family(__name__, tags=("generative", "vae"), components=("model", "encoder", "decoder"))
"""What the two VAEs share: an encoder and a decoder, and the family's tags."""


@kreg.hookimpl
def kreg_register_architectures(register):
    """Register ``vae`` and ``vae-mlp``."""
    register(
        VAES.architecture(
            name="vae",
            summary="Convolutional VAE on 28x28 digits with a 2-D latent plane and a custom train_step",
            description=(
                "Encoder: two stride-2 Conv2D, Dense(16), then z_mean and z_log_var; a Sampler "
                "layer draws z; decoder: Dense(7*7*64), Reshape, two stride-2 Conv2DTranspose and "
                "a sigmoid Conv2D. The VAE Model subclass's train_step sums the binary "
                "cross-entropy over the pixels, averages it over the batch, adds the KL term, and "
                "tracks total_loss, reconstruction_loss and kl_loss (reset every epoch). "
                "`kreg sample` draws the latent-grid figure of listing 12.29."
            ),
            source=CONV_SOURCE,
            builder=".model:build",
            data_adapter=".data:make_dataset",
            hyperparameters=CONVOLUTIONAL_VAE,
            tags=("convolutional", "custom-train-step", "model-subclass"),
            presets={"smoke": {"latent_dim": 2}},
            batch_size=128,
            sampler=".sampling:latent_grid",
            sample_options=LATENT_GRID_OPTIONS,
        )
    )
    register(
        VAES.architecture(
            name="vae-mlp",
            summary="Functional MLP VAE on flattened 28x28 digits; KL as a layer loss, fit on (x, x) with MSE",
            description=(
                "Encoder: Dense(intermediate_dim, relu), z_mean and z_log_var, a KL-divergence "
                "layer that calls self.add_loss, and a Sampling layer; decoder: "
                "Dense(intermediate_dim, relu), Dense(original_dim, sigmoid). The VAE chains them "
                "and trains with fit on (x, x): MSE plus the KL layer loss, Adam(1e-3)."
            ),
            source=MLP_SOURCE,
            builder=".mlp_model:build",
            data_adapter=".data:make_flat_dataset",
            hyperparameters=MLP_VAE,
            tags=("mlp", "functional", "layer-loss"),
            presets={"smoke": {"latent_dim": 8}},
            batch_size=32,
            sampler=".sampling:decoded_samples",
            sample_options=DECODED_SAMPLE_OPTIONS,
        )
    )
