"""Each component equals its source listing, layer for layer and parameter for parameter.

The transcriptions below are written from the seeds (and keras.io's WGAN-GP
example) with plain Keras 3 layers, independently of the plugins' code; the
concrete counts are what those listings' ``summary()`` shows.
"""

from __future__ import annotations

import keras
import pytest
from keras import layers

# ---- plain transcriptions of the listings ---------------------------------


def listing_vae_encoder(latent_dim=2):
    """Listing 12.24."""
    encoder_inputs = keras.Input(shape=(28, 28, 1))
    x = layers.Conv2D(32, 3, activation="relu", strides=2, padding="same")(encoder_inputs)
    x = layers.Conv2D(64, 3, activation="relu", strides=2, padding="same")(x)
    x = layers.Flatten()(x)
    x = layers.Dense(16, activation="relu")(x)
    z_mean = layers.Dense(latent_dim, name="z_mean")(x)
    z_log_var = layers.Dense(latent_dim, name="z_log_var")(x)
    return keras.Model(encoder_inputs, [z_mean, z_log_var], name="encoder")


def listing_vae_decoder(latent_dim=2):
    """Listing 12.26."""
    latent_inputs = keras.Input(shape=(latent_dim,))
    x = layers.Dense(7 * 7 * 64, activation="relu")(latent_inputs)
    x = layers.Reshape((7, 7, 64))(x)
    x = layers.Conv2DTranspose(64, 3, activation="relu", strides=2, padding="same")(x)
    x = layers.Conv2DTranspose(32, 3, activation="relu", strides=2, padding="same")(x)
    decoder_outputs = layers.Conv2D(1, 3, activation="sigmoid", padding="same")(x)
    return keras.Model(latent_inputs, decoder_outputs, name="decoder")


def guide_vae_mlp(original_dim=784, intermediate_dim=64, latent_dim=32):
    """The guide's functional VAE; its weightless Sampling layer stands in as an Add (same shapes, no weights)."""
    original_inputs = keras.Input(shape=(original_dim,))
    x = layers.Dense(intermediate_dim, activation="relu")(original_inputs)
    z_mean = layers.Dense(latent_dim, name="z_mean")(x)
    z_log_var = layers.Dense(latent_dim, name="z_log_var")(x)
    z = layers.Add()([z_mean, z_log_var])
    encoder = keras.Model(original_inputs, z, name="encoder")
    latent_inputs = keras.Input(shape=(latent_dim,))
    x = layers.Dense(intermediate_dim, activation="relu")(latent_inputs)
    outputs = layers.Dense(original_dim, activation="sigmoid")(x)
    decoder = keras.Model(latent_inputs, outputs, name="decoder")
    vae = keras.Model(original_inputs, decoder(z), name="vae")
    return {"model": vae, "encoder": encoder, "decoder": decoder}


def notes_autoencoder(encoding_dim=32):
    """The notes' functional autoencoder (blog.keras.io's simplest one)."""
    input_img = keras.Input(shape=(784,))
    encoded = layers.Dense(encoding_dim, activation="relu")(input_img)
    decoded = layers.Dense(784, activation="sigmoid")(encoded)
    autoencoder = keras.Model(input_img, decoded)
    encoder = keras.Model(input_img, encoded)
    encoded_input = keras.Input(shape=(encoding_dim,))
    decoder = keras.Model(encoded_input, autoencoder.layers[-1](encoded_input))
    return {"model": autoencoder, "encoder": encoder, "decoder": decoder}


def listing_dcgan_discriminator():
    """Listing 12.34."""
    return keras.Sequential(
        [
            keras.Input(shape=(64, 64, 3)),
            layers.Conv2D(64, kernel_size=4, strides=2, padding="same"),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Conv2D(128, kernel_size=4, strides=2, padding="same"),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Conv2D(128, kernel_size=4, strides=2, padding="same"),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Flatten(),
            layers.Dropout(0.2),
            layers.Dense(1, activation="sigmoid"),
        ]
    )


def listing_dcgan_generator(latent_dim=128):
    """Listing 12.35."""
    return keras.Sequential(
        [
            keras.Input(shape=(latent_dim,)),
            layers.Dense(8 * 8 * 128),
            layers.Reshape((8, 8, 128)),
            layers.Conv2DTranspose(128, kernel_size=4, strides=2, padding="same"),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Conv2DTranspose(256, kernel_size=4, strides=2, padding="same"),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Conv2DTranspose(512, kernel_size=4, strides=2, padding="same"),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Conv2D(3, kernel_size=5, padding="same", activation="sigmoid"),
        ]
    )


def example_wgan_discriminator():
    """keras.io WGAN-GP ``get_discriminator_model`` with its conv_block calls unrolled."""
    img_input = keras.Input(shape=(28, 28, 1))
    x = layers.ZeroPadding2D((2, 2))(img_input)
    for filters, dropout in ((64, False), (128, True), (256, True), (512, False)):
        x = layers.Conv2D(filters, (5, 5), strides=(2, 2), padding="same")(x)
        x = layers.LeakyReLU(negative_slope=0.2)(x)
        if dropout:
            x = layers.Dropout(0.3)(x)
    x = layers.Flatten()(x)
    x = layers.Dropout(0.2)(x)
    x = layers.Dense(1)(x)
    return keras.Model(img_input, x)


def example_wgan_generator(noise_dim=128):
    """keras.io WGAN-GP ``get_generator_model`` with its upsample_block calls unrolled."""
    noise = keras.Input(shape=(noise_dim,))
    x = layers.Dense(4 * 4 * 256, use_bias=False)(noise)
    x = layers.BatchNormalization()(x)
    x = layers.LeakyReLU(negative_slope=0.2)(x)
    x = layers.Reshape((4, 4, 256))(x)
    for filters, activation in (
        (128, layers.LeakyReLU(negative_slope=0.2)),
        (64, layers.LeakyReLU(negative_slope=0.2)),
        (1, layers.Activation("tanh")),
    ):
        x = layers.UpSampling2D((2, 2))(x)
        x = layers.Conv2D(filters, (3, 3), padding="same", use_bias=False)(x)
        x = layers.BatchNormalization()(x)
        x = activation(x)
    x = layers.Cropping2D((2, 2))(x)
    return keras.Model(noise, x)


# ---- what the plugins must match ------------------------------------------

TRANSCRIPTIONS = {
    ("vae", "encoder"): listing_vae_encoder,
    ("vae", "decoder"): listing_vae_decoder,
    ("vae-mlp", "model"): lambda: guide_vae_mlp()["model"],
    ("vae-mlp", "encoder"): lambda: guide_vae_mlp()["encoder"],
    ("vae-mlp", "decoder"): lambda: guide_vae_mlp()["decoder"],
    ("autoencoder", "model"): lambda: notes_autoencoder()["model"],
    ("autoencoder", "encoder"): lambda: notes_autoencoder()["encoder"],
    ("autoencoder", "decoder"): lambda: notes_autoencoder()["decoder"],
    ("dcgan", "discriminator"): listing_dcgan_discriminator,
    ("dcgan", "generator"): listing_dcgan_generator,
    ("wgan-gp", "discriminator"): example_wgan_discriminator,
    ("wgan-gp", "generator"): example_wgan_generator,
}

KNOWN_PARAMS = {
    ("vae", "encoder"): 69_076,
    ("vae", "decoder"): 65_089,
    ("vae", "model"): 134_165,
    ("vae-mlp", "encoder"): 54_400,
    ("vae-mlp", "decoder"): 53_072,
    ("vae-mlp", "model"): 107_472,
    ("autoencoder", "encoder"): 25_120,
    ("autoencoder", "decoder"): 25_872,
    ("autoencoder", "model"): 50_992,
    ("dcgan", "discriminator"): 404_801,
    ("dcgan", "generator"): 3_979_651,
    ("dcgan", "model"): 4_384_452,
    ("wgan-gp", "discriminator"): 4_305_409,
    ("wgan-gp", "generator"): 910_660,
    ("wgan-gp", "model"): 5_216_069,
}


def weighted_layers(model: keras.Model) -> list[tuple[str, list[tuple[int, ...]]]]:
    """(class, weight shapes) of every layer with weights, nested models expanded, in order."""
    signature = []
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            signature.extend(weighted_layers(layer))
        elif layer.weights:
            signature.append((type(layer).__name__, [tuple(w.shape) for w in layer.weights]))
    return signature


def layer_classes(model: keras.Model) -> list[str]:
    """Class names of a model's layers, in order (InputLayer left out)."""
    return [type(layer).__name__ for layer in model.layers if type(layer).__name__ != "InputLayer"]


@pytest.fixture(scope="module")
def default_builds(generative_catalogue):
    """Every family built once with its default (listing) hyperparameters."""
    from kreg.hyperparameters import resolve_hyperparameters
    from kreg.running.building import build

    names = sorted({name for name, _ in KNOWN_PARAMS})
    return {
        name: build(generative_catalogue.get(name), resolve_hyperparameters(generative_catalogue.get(name))).components
        for name in names
    }


@pytest.mark.parametrize("key", sorted(KNOWN_PARAMS), ids="-".join)
def test_parameter_count_is_the_listings(default_builds, key):
    name, component = key
    model = default_builds[name][component]
    assert model.count_params() == KNOWN_PARAMS[key]
    if key in TRANSCRIPTIONS:
        assert model.count_params() == TRANSCRIPTIONS[key]().count_params()


@pytest.mark.parametrize("key", sorted(TRANSCRIPTIONS), ids="-".join)
def test_weighted_layers_match_the_listing(default_builds, key):
    name, component = key
    assert weighted_layers(default_builds[name][component]) == weighted_layers(TRANSCRIPTIONS[key]())


@pytest.mark.parametrize(
    "key",
    [
        ("vae", "encoder"),
        ("vae", "decoder"),
        ("dcgan", "discriminator"),
        ("dcgan", "generator"),
        ("wgan-gp", "discriminator"),
        ("wgan-gp", "generator"),
    ],
    ids="-".join,
)
def test_layer_stack_is_the_listings(default_builds, key):
    name, component = key
    assert layer_classes(default_builds[name][component]) == layer_classes(TRANSCRIPTIONS[key]())


def test_wgan_generator_trainable_split(default_builds):
    generator = default_builds["wgan-gp"]["generator"]
    trainable = sum(int(w.numpy().size) for w in generator.trainable_weights)
    assert trainable == 902_082  # the four BatchNorms keep 2 * (4096 + 128 + 64 + 1) moving statistics


def test_vae_mlp_encoder_adds_only_weightless_kl_and_sampling(default_builds):
    encoder = default_builds["vae-mlp"]["encoder"]
    assert layer_classes(encoder) == ["Dense", "Dense", "Dense", "KLDivergenceLoss", "Sampling"]


def test_autoencoder_denoising_adds_only_a_noise_layer(build_architecture):
    built = build_architecture("autoencoder", noise=0.3)
    assert built.model.count_params() == KNOWN_PARAMS[("autoencoder", "model")]
    noise = built.model.get_layer("input_noise")
    assert isinstance(noise, layers.GaussianNoise) and noise.stddev == pytest.approx(0.3)
    assert "GaussianNoise" not in layer_classes(built.components["encoder"])
    assert "GaussianNoise" not in layer_classes(build_architecture("autoencoder").model)


@pytest.mark.parametrize("name", ["vae", "vae-mlp", "autoencoder", "dcgan", "wgan-gp"])
def test_smoke_preset_keeps_the_layer_stack(build_architecture, default_builds, name):
    smoke = build_architecture(name, preset="smoke").components
    for component, model in default_builds[name].items():
        if component != "model":
            assert layer_classes(smoke[component]) == layer_classes(model), component
