"""The variational autoencoders: the convolutional VAE (``vae``) and the MLP VAE (``vae-mlp``).

Both live here because they share the family's parts: the latent sampling layers
(``layers.py``), the image data of 28x28 digits (``data.py``) and the samplers
that decode latent points (``sampling.py``). This module is what the entry point
names: registrations only, everything else by ``"module:attr"`` strings.
"""

import kreg

CONV_SOURCE = (
    "seeds/003_ec0e170915c7e91d.txt, listings 12.24-12.29 (Chollet, Deep Learning with Python, 2nd ed., ch. 12)"
)
MLP_SOURCE = "seeds/004_866a58d947567f3b.txt, 'End-to-end experiment example 1: variational autoencoders' (Keras for researchers)"


@kreg.hookimpl
def kreg_register_architectures(register):
    """Register ``vae`` and ``vae-mlp``."""
    register(
        kreg.Architecture(
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
            builder="kreg.plugins.vae.model:build",
            data_adapter="kreg.plugins.vae.data:make_dataset",
            train_step=None,
            hyperparameters={"latent_dim": 2},
            tags=("generative", "vae", "convolutional", "custom-train-step", "model-subclass"),
            components=("model", "encoder", "decoder"),
            presets={"smoke": {"latent_dim": 2}},
            batch_size=128,
            sampler="kreg.plugins.vae.sampling:latent_grid",
            sample_options={"n": 30, "scale": 1.0},
        )
    )
    register(
        kreg.Architecture(
            name="vae-mlp",
            summary="Functional MLP VAE on flattened 28x28 digits; KL as a layer loss, fit on (x, x) with MSE",
            description=(
                "Encoder: Dense(intermediate_dim, relu), z_mean and z_log_var, a KL-divergence "
                "layer that calls self.add_loss, and a Sampling layer; decoder: "
                "Dense(intermediate_dim, relu), Dense(original_dim, sigmoid). The VAE chains them "
                "and trains with fit on (x, x): MSE plus the KL layer loss, Adam(1e-3)."
            ),
            source=MLP_SOURCE,
            builder="kreg.plugins.vae.mlp_model:build",
            data_adapter="kreg.plugins.vae.data:make_flat_dataset",
            train_step=None,
            hyperparameters={"original_dim": 784, "intermediate_dim": 64, "latent_dim": 32},
            tags=("generative", "vae", "mlp", "functional", "layer-loss"),
            components=("model", "encoder", "decoder"),
            presets={"smoke": {"latent_dim": 8}},
            batch_size=32,
            sampler="kreg.plugins.vae.sampling:decoded_samples",
            sample_options={"num_img": 16, "columns": 4, "seed": 0},
        )
    )
