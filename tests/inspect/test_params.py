"""Parameter counts: from the model's variables, never the optimizer's."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from kreg.inspect_tools.params import ParamCounts, count_params, has_own_call, is_container_model


def test_batch_norm_moving_statistics_are_non_trainable(toy):
    model = toy.threaded_model()

    counts = count_params(model)

    # hidden 20*8+8, batch norm 4*8 (gamma, beta trainable; moving mean, variance not),
    # output_beta 8*3+3, output_factor 100*3+3.
    assert counts == ParamCounts(total=530, trainable=514, non_trainable=16)
    assert counts.total == model.count_params()


def test_optimizer_variables_are_not_counted_after_compile_and_fit(toy):
    model = toy.threaded_model(n_tickers=5, n_characteristics=3)
    before = count_params(model)
    model.compile(optimizer="adam", loss="mse")
    x = [np.random.rand(8, 5, 3).astype("float32"), np.random.rand(8, 5).astype("float32")]
    model.fit(x, np.random.rand(8, 5).astype("float32"), epochs=1, verbose=0)

    optimizer_size = sum(int(np.prod(v.shape)) for v in model.optimizer.variables)
    assert optimizer_size > before.total  # Adam keeps two slots per weight: summary() would add them
    assert count_params(model) == before
    assert count_params(model).total == model.count_params()


def test_frozen_layer_counts_as_non_trainable():
    inputs = keras.Input((4,))
    frozen = keras.layers.Dense(3, name="frozen")
    model = keras.Model(inputs, keras.layers.Dense(2)(frozen(inputs)))
    frozen.trainable = False

    assert count_params(model) == ParamCounts(total=23, trainable=8, non_trainable=15)


def test_model_without_call_is_the_sum_of_its_submodels(toy):
    vae = toy.toy_vae(features=6, latent_dim=2)
    encoder, decoder = vae.encoder, vae.decoder

    counts = count_params(vae)

    assert counts.total == encoder.count_params() + decoder.count_params()
    assert counts.non_trainable == 10  # encoder_norm's moving mean and variance; the sampler's seed is no weight
    assert counts.trainable == counts.total - 10
    with pytest.raises(ValueError):  # what kreg works around: Keras refuses to count it
        vae.count_params()


def test_which_models_have_their_own_call(toy):
    assert has_own_call(toy.threaded_model(n_tickers=2))
    assert has_own_call(keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)]))
    assert has_own_call(toy.TinyMLP())
    vae = toy.toy_vae()
    assert not has_own_call(vae)
    assert is_container_model(vae) and not is_container_model(vae.encoder)


def test_to_json_has_the_design_keys():
    assert ParamCounts(3, 2, 1).to_json() == {"total": 3, "trainable": 2, "non_trainable": 1}
