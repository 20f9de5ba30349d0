"""Real ``fit`` steps on tiny data: each model trains with its own train step and reports its own metrics."""

from __future__ import annotations

import math

import keras
import numpy as np
import pytest

from kreg.errors import HyperparameterError

STEPS = 2

pytestmark = pytest.mark.filterwarnings("ignore:`shuffle=True` was passed:UserWarning")


def fit_steps(built, dataset, steps=STEPS, epochs=1, callbacks=()):
    history = built.model.fit(dataset, steps_per_epoch=steps, epochs=epochs, verbose=0, callbacks=list(callbacks))
    return history.history


def assert_finite_metrics(history: dict, names: set[str]) -> None:
    assert set(history) == names
    for name, values in history.items():
        assert values and all(math.isfinite(v) for v in values), (name, values)


def weights_of(model):
    return [w.numpy().copy() for w in model.trainable_weights]


def changed(before, after) -> bool:
    return any(not np.array_equal(a, b) for a, b in zip(before, after))


def test_architectures_use_their_models_own_train_step(generative_catalogue):
    for name in ("vae", "vae-mlp", "autoencoder", "dcgan", "wgan-gp"):
        assert generative_catalogue.get(name).architecture.train_step is None


def test_vae_trains_and_reports_its_three_losses(build_architecture, adapter):
    built = build_architecture("vae", preset="smoke")
    history = fit_steps(built, adapter("vae", built.hyperparameters, 4))
    assert_finite_metrics(history, {"total_loss", "reconstruction_loss", "kl_loss"})
    assert history["total_loss"][0] == pytest.approx(
        history["reconstruction_loss"][0] + history["kl_loss"][0], rel=1e-4
    )
    assert int(built.model.optimizer.iterations.numpy()) == STEPS


def test_vae_trackers_reset_every_epoch(build_architecture, adapter):
    built = build_architecture("vae", preset="smoke")
    counts = []

    class RecordCounts(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            counts.append([int(metric.count.numpy()) for metric in self.model.metrics])

    fit_steps(built, adapter("vae", built.hyperparameters, 4), epochs=2, callbacks=[RecordCounts()])
    assert [m.name for m in built.model.metrics] == ["total_loss", "reconstruction_loss", "kl_loss"]
    # kl_loss is updated with the per-example KL terms (as in the listing), so it counts examples.
    assert counts == [[STEPS, STEPS, STEPS * 4]] * 2


def test_vae_mlp_adds_the_kl_layer_loss_to_mse(build_architecture, adapter):
    built = build_architecture("vae-mlp", preset="smoke")
    x = np.random.default_rng(0).uniform(size=(8, 784)).astype("float32")
    built.model(x)
    assert len(built.model.losses) == 1
    hidden = keras.Model(
        built.model.inputs[0], [built.model.get_layer("z_mean").output, built.model.get_layer("z_log_var").output]
    )
    z_mean, z_log_var = (np.asarray(t) for t in hidden(x))
    expected = -0.5 * np.mean(z_log_var - z_mean**2 - np.exp(z_log_var) + 1)
    assert float(built.model.losses[0]) == pytest.approx(expected, rel=1e-4)

    history = fit_steps(built, adapter("vae-mlp", built.hyperparameters, 4))
    assert_finite_metrics(history, {"loss"})


@pytest.mark.parametrize("noise", [0.0, 0.2])
def test_autoencoder_fits_on_x_x(build_architecture, adapter, noise):
    built = build_architecture("autoencoder", preset="smoke", noise=noise)
    dataset = adapter("autoencoder", built.hyperparameters, 4)
    inputs, targets = next(iter(dataset))
    np.testing.assert_array_equal(inputs.numpy(), targets.numpy())
    before = weights_of(built.components["encoder"])
    history = fit_steps(built, dataset)
    assert_finite_metrics(history, {"loss"})
    assert changed(before, weights_of(built.components["encoder"]))


def test_denoising_noise_is_training_only(build_architecture):
    model = build_architecture("autoencoder", preset="smoke", noise=0.5).model
    x = np.full((2, 784), 0.5, dtype="float32")
    np.testing.assert_array_equal(np.asarray(model(x, training=False)), np.asarray(model(x, training=False)))
    assert not np.array_equal(np.asarray(model(x, training=True)), np.asarray(model(x, training=False)))


def test_encoder_and_decoder_work_as_models_of_their_own(build_architecture):
    components = build_architecture("autoencoder").components
    x = np.random.default_rng(0).uniform(size=(3, 784)).astype("float32")
    code = np.asarray(components["encoder"].predict(x, verbose=0))
    assert code.shape == (3, 32)
    np.testing.assert_allclose(
        components["decoder"].predict(code, verbose=0), components["model"].predict(x, verbose=0), rtol=1e-5, atol=1e-6
    )


@pytest.mark.parametrize(
    ("name", "overrides"),
    [
        ("vae", {"latent_dim": 0}),
        ("vae-mlp", {"original_dim": 780}),
        ("autoencoder", {"noise": 1.5}),
        ("autoencoder", {"encoding_dim": -1}),
        ("dcgan", {"latent_dim": 0}),
        ("wgan-gp", {"discriminator_extra_steps": 0}),
        ("wgan-gp", {"gp_weight": -1.0}),
    ],
)
def test_bad_hyperparameters_are_named(build_architecture, name, overrides):
    with pytest.raises(HyperparameterError) as error:
        build_architecture(name, **overrides)
    assert error.value.key == next(iter(overrides))


@pytest.mark.slow
def test_wgan_gp_trains_critic_extra_steps(build_architecture, adapter):
    built = build_architecture("wgan-gp", preset="smoke")
    gan = built.model
    before = {part: weights_of(built.components[part]) for part in ("generator", "discriminator")}
    history = fit_steps(built, adapter("wgan-gp", built.hyperparameters, 4))
    assert_finite_metrics(history, {"d_loss", "g_loss"})
    assert int(gan.d_optimizer.iterations.numpy()) == 3 * STEPS
    assert int(gan.g_optimizer.iterations.numpy()) == STEPS
    for part in before:
        assert changed(before[part], weights_of(built.components[part])), part


@pytest.mark.slow
def test_dcgan_trains_both_players(build_architecture, adapter):
    built = build_architecture("dcgan", preset="smoke")
    gan = built.model
    before = {part: weights_of(built.components[part]) for part in ("generator", "discriminator")}
    history = fit_steps(built, adapter("dcgan", built.hyperparameters, 4))
    assert_finite_metrics(history, {"d_loss", "g_loss"})
    assert int(gan.d_optimizer.iterations.numpy()) == STEPS
    assert int(gan.g_optimizer.iterations.numpy()) == STEPS
    assert gan.optimizer is None  # no phantom RMSprop from the bare super().compile()
    for part in before:
        assert changed(before[part], weights_of(built.components[part])), part
