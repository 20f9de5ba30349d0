"""The hypernetwork's defaults, each written once.

The registration shows and parses against them (``kreg info``); the builder
takes them through :func:`kreg.plugins.common.defaults.defaults_from`. No Keras
here: the registration imports this module.
"""

HYPERNETWORK = {"input_dim": 784, "classes": 10, "hidden_units": 64, "inner_units": 16, "learning_rate": 0.0001}
"""``hypernetwork``: the researchers' guide's MNIST sizes and Adam(1e-4)."""
