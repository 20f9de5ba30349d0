"""The weighted classifier's defaults, each written once.

The registration shows and parses against them (``kreg info``); the builder
takes them through :func:`kreg.plugins.common.defaults.defaults_from`. No Keras
here: the registration imports this module.
"""

WEIGHTED_CLASSIFIER = {
    "n_features": 20,
    "classes": 2,
    "hidden_units": 32,
    "minority_fraction": 0.1,
    "learning_rate": 0.001,
}
"""``weighted-classifier``: two classes, the rare one a tenth of the synthetic data."""
