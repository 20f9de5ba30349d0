"""``.keras`` round trips with ``safe_mode=True``: sub-models, compile arguments and optimizer state come back."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import keras
import numpy as np
import pytest

RELOAD_VAE = textwrap.dedent(
    """
    import json, sys
    import numpy as np
    import kreg.plugins.vae.model  # registers the VAE and its Sampler with Keras
    import keras

    path, z_path = sys.argv[1], sys.argv[2]
    vae = keras.models.load_model(path, safe_mode=True)
    z = np.load(z_path)
    print(json.dumps({
        "class": type(vae).__name__,
        "metrics": [m.name for m in vae.metrics],
        "iterations": int(vae.optimizer.iterations.numpy()),
        "params": {"encoder": vae.encoder.count_params(), "decoder": vae.decoder.count_params()},
        "decoded": vae.decoder.predict(z, verbose=0).tolist(),
        "history": vae.fit(np.random.default_rng(0).uniform(size=(8, 28, 28, 1)).astype("float32"),
                           batch_size=4, epochs=1, verbose=0).history,
    }))
    """
)

pytestmark = pytest.mark.filterwarnings("ignore:`shuffle=True` was passed:UserWarning")


# Slow (14 s); the default suite reloads saved models in safe mode (risk-factor, tests/inspect/test_saved_models.py).
@pytest.mark.slow
def test_trained_vae_reloads_in_a_fresh_process(build_architecture, adapter, tmp_path):
    built = build_architecture("vae", preset="smoke")
    built.model.fit(adapter("vae", built.hyperparameters, 4), steps_per_epoch=2, epochs=1, verbose=0)
    path, z_path = tmp_path / "v.keras", tmp_path / "z.npy"
    built.model.save(path)
    z = np.array([[0.0, 0.0], [0.5, -1.0]], dtype="float32")
    np.save(z_path, z)

    result = subprocess.run(
        [sys.executable, "-c", RELOAD_VAE, str(path), str(z_path)], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-3000:]
    reloaded = json.loads(result.stdout.strip().splitlines()[-1])

    assert reloaded["class"] == "VAE"
    assert reloaded["metrics"] == ["total_loss", "reconstruction_loss", "kl_loss"]
    assert reloaded["iterations"] == 2
    assert reloaded["params"] == {"encoder": 69_076, "decoder": 65_089}
    np.testing.assert_allclose(
        reloaded["decoded"], built.components["decoder"].predict(z, verbose=0), rtol=1e-5, atol=1e-6
    )
    assert set(reloaded["history"]) == {"total_loss", "reconstruction_loss", "kl_loss"}


def reload(model, tmp_path):
    path = tmp_path / f"{model.name}.keras"
    model.save(path)
    return keras.models.load_model(path, safe_mode=True)


def train_a_step(model, batch):
    model.fit(batch, batch_size=len(batch), epochs=1, verbose=0)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["dcgan", "wgan-gp"])
def test_gans_reload_compiled_with_their_optimizer_state(build_architecture, adapter, tmp_path, name):
    built = build_architecture(name, preset="smoke")
    batch = next(iter(adapter(name, built.hyperparameters, 2))).numpy()
    train_a_step(built.model, batch)
    loaded = reload(built.model, tmp_path)

    assert type(loaded) is type(built.model)
    assert loaded.latent_dim == 16
    for attribute in ("d_optimizer", "g_optimizer"):
        original, restored = getattr(built.model, attribute), getattr(loaded, attribute)
        assert type(restored) is type(original)
        assert float(restored.learning_rate.numpy()) == pytest.approx(float(original.learning_rate.numpy()))
        assert float(restored.beta_1) == pytest.approx(float(original.beta_1))
        assert int(restored.iterations.numpy()) == int(original.iterations.numpy()) > 0
        for a, b in zip(original.variables, restored.variables):
            np.testing.assert_array_equal(a.numpy(), b.numpy())
    z = np.random.default_rng(0).standard_normal((2, 16)).astype("float32")
    np.testing.assert_allclose(
        loaded.generator.predict(z, verbose=0),
        built.components["generator"].predict(z, verbose=0),
        rtol=1e-5,
        atol=1e-6,
    )
    if name == "wgan-gp":
        assert (loaded.d_steps, loaded.gp_weight) == (3, 10.0)
        assert loaded.d_loss_fn.__name__ == "discriminator_loss" and loaded.g_loss_fn.__name__ == "generator_loss"
    else:
        assert isinstance(loaded.loss_fn, keras.losses.BinaryCrossentropy)
    train_a_step(loaded, batch)  # still trainable: compiled on load


@pytest.mark.parametrize("name", ["vae-mlp", "autoencoder"])
def test_functional_models_reload(build_architecture, adapter, tmp_path, name):
    built = build_architecture(name, preset="smoke", **({"noise": 0.1} if name == "autoencoder" else {}))
    built.model.fit(adapter(name, built.hyperparameters, 4), steps_per_epoch=1, epochs=1, verbose=0)
    loaded = reload(built.model, tmp_path)
    x = np.full((2, 784), 0.5, dtype="float32")
    if name == "vae-mlp":  # the sampled z differs per call: compare the deterministic decoder
        decoder, z = loaded.get_layer("decoder"), np.zeros((2, 8), dtype="float32")
        np.testing.assert_allclose(
            decoder.predict(z, verbose=0), built.components["decoder"].predict(z, verbose=0), rtol=1e-5, atol=1e-6
        )
        loaded(x)
        assert len(loaded.losses) == 1  # the KL layer still adds its loss
    else:
        np.testing.assert_allclose(
            loaded.predict(x, verbose=0), built.model.predict(x, verbose=0), rtol=1e-5, atol=1e-6
        )
        assert loaded.get_layer("input_noise").stddev == pytest.approx(0.1)
