"""The conditional risk-factor autoencoder, kreg's first built-in plugin.

This module is what the entry point names, so it is imported by ``kreg list``:
it holds only the registration, with the model and its data referred to by
``"module:attr"`` strings. Copy this shape for a plugin of your own.
"""

import kreg
from kreg.plugins.risk_factor.defaults import RISK_FACTOR

SOURCE = (
    "S. Jansen, Machine Learning for Algorithmic Trading, 2nd ed. (Packt, 2020), ch. 20, Autoencoders for "
    "Conditional Risk Factors and Asset Pricing: make_model in the notebook "
    "06_conditional_autoencoders_for_conditional_risk_factors.ipynb, "
    "github.com/stefan-jansen/machine-learning-for-trading"
)


@kreg.hookimpl
def kreg_register_architectures(register):
    """Register ``risk-factor-autoencoder``."""
    register(
        kreg.Architecture(
            name="risk-factor-autoencoder",
            summary="Conditional autoencoder: threaded Dense betas from characteristics, dotted with factors",
            description=(
                "Two inputs: the characteristics of every ticker (n_tickers x n_characteristics) "
                "and the cross-section of returns (n_tickers). A Dense layer threaded over the "
                "tickers maps each ticker's characteristics to its factor loadings (betas) with "
                "one kernel shared by all tickers; another Dense maps returns to factor returns; "
                "their dot product reconstructs each ticker's return."
            ),
            source=SOURCE,
            builder="kreg.plugins.risk_factor.model:build",
            data_adapter="kreg.plugins.risk_factor.data:make_dataset",
            train_step=None,
            hyperparameters=RISK_FACTOR,
            tags=("finance", "autoencoder", "threaded-dense", "functional"),
            components=("model",),
            presets={"smoke": {"n_tickers": 16, "n_characteristics": 6}},
            batch_size=32,
        )
    )
