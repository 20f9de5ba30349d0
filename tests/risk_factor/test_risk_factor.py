"""The conditional risk-factor autoencoder: the seed's make_model, its data, its training."""

from __future__ import annotations

import numpy as np
import pytest

from kreg.errors import HyperparameterError
from kreg.hyperparameters import resolve_hyperparameters
from kreg.running.building import build

keras = pytest.importorskip("keras")


def seed_make_model(n_tickers=100, n_characteristics=20, hidden_units=8, n_factors=3):
    """Jansen's make_model (ch. 20), transcribed with plain Keras (independent of the plugin)."""
    from keras.layers import BatchNormalization, Dense, Dot, Input

    input_beta = Input((n_tickers, n_characteristics), name="input_beta")
    input_factor = Input((n_tickers,), name="input_factor")
    hidden_layer = Dense(units=hidden_units, activation="relu", name="hidden_layer")(input_beta)
    batch_norm = BatchNormalization(name="batch_norm")(hidden_layer)
    output_beta = Dense(units=n_factors, name="output_beta")(batch_norm)
    output_factor = Dense(units=n_factors, name="output_factor")(input_factor)
    output = Dot(axes=(2, 1), name="output_layer")([output_beta, output_factor])
    return keras.Model(inputs=[input_beta, input_factor], outputs=output)


@pytest.fixture(scope="module")
def entry(request):
    import kreg

    return kreg.load_catalogue().get("risk-factor-autoencoder")


def built_model(entry, *assignments):
    return build(entry, resolve_hyperparameters(entry, assignments)).model


def test_layers_match_the_listing(entry):
    model, reference = built_model(entry), seed_make_model()
    layers = [(layer.name, type(layer).__name__) for layer in model.layers]
    assert layers == [(layer.name, type(layer).__name__) for layer in reference.layers]
    assert [t.name for t in model.inputs] == ["input_beta", "input_factor"]
    assert model.get_layer("hidden_layer").kernel.shape == (20, 8)
    assert model.get_layer("output_beta").output.shape == (None, 100, 3)
    assert model.output.shape == (None, 100)


def test_parameter_counts_equal_the_listing(entry):
    model, reference = built_model(entry), seed_make_model()
    trainable = sum(int(np.prod(w.shape)) for w in model.trainable_weights)
    assert (model.count_params(), trainable) == (reference.count_params(), 514)
    assert model.count_params() == 530  # 168 + 32 (BN) + 27 + 303


def test_compiled_with_mse_and_adam(entry):
    model = built_model(entry)
    assert model.loss == "mse" and type(model.optimizer).__name__ == "Adam"


def test_builder_rejects_bad_sizes_by_name(entry):
    with pytest.raises(HyperparameterError, match="'n_tickers': must be a positive integer, got -3"):
        built_model(entry, "n_tickers=-3")


def test_synthetic_batches_have_the_model_shapes(entry):
    from kreg.plugins.risk_factor.data import make_dataset

    hyperparameters = resolve_hyperparameters(entry, ["n_tickers=7", "n_characteristics=5"])
    (characteristics, factors), returns = next(iter(make_dataset(hyperparameters, 4, None)))
    assert characteristics.shape == (4, 7, 5) and factors.shape == (4, 7) and returns.shape == (4, 7)
    assert characteristics.dtype.name == "float32"


def test_npz_files_load_and_bad_shapes_are_named(entry, tmp_path):
    from kreg.plugins.risk_factor.data import make_dataset, synthetic_arrays

    arrays = synthetic_arrays(6, 4, 2, examples=10)
    np.savez(tmp_path / "good.npz", **arrays)
    hyperparameters = resolve_hyperparameters(entry, ["n_tickers=6", "n_characteristics=4"])
    batches = list(make_dataset(hyperparameters, 4, str(tmp_path / "good.npz")))
    assert [len(b[1]) for b in batches] == [4, 4, 2]
    np.savez(tmp_path / "bad.npz", **{**arrays, "factors": arrays["factors"][:, :3]})
    with pytest.raises(ValueError, match=r"array 'factors' has shape \(10, 3\), expected \(N, 6\)"):
        make_dataset(hyperparameters, 4, str(tmp_path / "bad.npz"))
    np.savez(tmp_path / "partial.npz", returns=arrays["returns"])
    with pytest.raises(ValueError, match=r"missing arrays \['characteristics', 'factors'\]"):
        make_dataset(hyperparameters, 4, str(tmp_path / "partial.npz"))


def test_fit_learns_the_synthetic_factor_structure(entry):
    from kreg.plugins.risk_factor.data import make_dataset

    keras.utils.set_random_seed(0)
    hyperparameters = resolve_hyperparameters(entry, ["n_tickers=16", "n_characteristics=6"])
    model = build(entry, hyperparameters).model
    history = model.fit(make_dataset(hyperparameters, 32, None), epochs=3, verbose=0, shuffle=False)
    losses = history.history["loss"]
    assert all(np.isfinite(losses)) and losses[-1] < losses[0]


def test_each_ticker_keeps_its_characteristics_across_periods():
    from kreg.plugins.risk_factor.data import synthetic_arrays

    arrays = synthetic_arrays(5, 3, 2, examples=8)
    characteristics = arrays["characteristics"]
    assert characteristics.shape == (8, 5, 3)
    np.testing.assert_array_equal(characteristics, np.broadcast_to(characteristics[0], characteristics.shape))
    assert np.ptp(characteristics[0], axis=0).min() > 0  # tickers differ from each other
    held_out = synthetic_arrays(5, 3, 2, examples=8, seed=1)
    np.testing.assert_array_equal(held_out["characteristics"], characteristics)  # same universe
    assert not np.allclose(held_out["returns"], arrays["returns"])  # other periods


def held_out_errors(entry, epochs: int) -> tuple[float, float]:
    """Train the default model with kreg's training path; the held-out MSE of predicting zero and of the model."""
    from kreg.plugins.risk_factor.data import SYNTHETIC_EXAMPLES, synthetic_arrays
    from kreg.running.training import TrainOptions, train_model

    hyperparameters = resolve_hyperparameters(entry)
    keras.utils.set_random_seed(0)
    built = build(entry, hyperparameters)
    model = built.model
    steps = SYNTHETIC_EXAMPLES // entry.architecture.batch_size
    train_model(built, TrainOptions(steps=steps, epochs=epochs, quiet=True, seed=None))
    sizes = (hyperparameters["n_tickers"], hyperparameters["n_characteristics"], hyperparameters["n_factors"])
    held_out = synthetic_arrays(*sizes, examples=512, seed=1)  # new periods of the same tickers
    inputs = [held_out["characteristics"].astype("float32"), held_out["factors"].astype("float32")]
    predicted = model.predict(inputs, verbose=0)
    returns = held_out["returns"]
    return float(np.mean(returns**2)), float(np.mean((predicted - returns) ** 2))


def test_training_beats_predicting_zero_by_a_wide_margin(entry):
    # With characteristics redrawn every period (the adapter before issue 17) the
    # model ends above the zero predictor (0.0115 against 0.0079 after 10 epochs).
    zero, trained = held_out_errors(entry, epochs=10)
    assert trained < 0.5 * zero, (trained, zero)


@pytest.mark.slow
def test_forty_epochs_reach_the_issue_figure(entry):
    # Issue 17: 0.00887 against 0.00926 after 40 epochs before; 0.00039 with fixed characteristics.
    zero, trained = held_out_errors(entry, epochs=40)
    assert trained < 0.1 * zero, (trained, zero)
    assert trained == pytest.approx(0.00039, rel=0.25)
