"""The builder of the conditional risk-factor autoencoder (the seed's ``make_model``)."""

from __future__ import annotations

import keras
from keras import layers

from kreg.plugins.common.defaults import defaults_from
from kreg.plugins.risk_factor.defaults import RISK_FACTOR
from kreg.validation import require_positive_int


@defaults_from(RISK_FACTOR)
def build(*, n_tickers: int, n_characteristics: int, hidden_units: int, n_factors: int) -> keras.Model:
    """Build and compile the conditional autoencoder, layer for layer as the seed lists it.

    Args:
        n_tickers: int. Assets in the cross-section (the dimension Dense threads over).
        n_characteristics: int. Characteristics per asset.
        hidden_units: int. Units of the hidden beta layer.
        n_factors: int. Latent factors.

    Returns:
        keras.Model. Inputs ``input_beta`` (n_tickers, n_characteristics) and
        ``input_factor`` (n_tickers,); output (n_tickers,); compiled with mse and adam.

    Raises:
        HyperparameterError: a size is not a positive integer.
    """
    require_positive_int(
        n_tickers=n_tickers, n_characteristics=n_characteristics, hidden_units=hidden_units, n_factors=n_factors
    )
    input_beta = keras.Input((n_tickers, n_characteristics), name="input_beta")
    input_factor = keras.Input((n_tickers,), name="input_factor")

    hidden_layer = layers.Dense(units=hidden_units, activation="relu", name="hidden_layer")(input_beta)
    batch_norm = layers.BatchNormalization(name="batch_norm")(hidden_layer)
    output_beta = layers.Dense(units=n_factors, name="output_beta")(batch_norm)

    output_factor = layers.Dense(units=n_factors, name="output_factor")(input_factor)

    output = layers.Dot(axes=(2, 1), name="output_layer")([output_beta, output_factor])

    model = keras.Model(inputs=[input_beta, input_factor], outputs=output, name="risk_factor_autoencoder")
    model.compile(loss="mse", optimizer="adam")
    return model
