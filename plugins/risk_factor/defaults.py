"""The risk-factor autoencoder's defaults, each written once.

The registration shows and parses against them (``kreg info``); the builder
takes them through :func:`kreg.plugins.common.defaults.defaults_from` and the
data adapter reads them for what it is not given. No Keras here: the
registration imports this module.
"""

RISK_FACTOR = {"n_tickers": 100, "n_characteristics": 20, "hidden_units": 8, "n_factors": 3}
"""``risk-factor-autoencoder``: the cross-section, characteristics, hidden units and factors."""
