"""The guide's MLP's defaults, each written once.

The registration shows and parses against them (``kreg info``); the builder
takes them through :func:`kreg.plugins.common.defaults.defaults_from`. No Keras
here: the registration imports this module.
"""

GUIDE_MLP = {
    "variant": "mlp",
    "input_dim": 784,
    "classes": 10,
    "units": 32,
    "rate": 0.01,
    "dropout": 0.5,
    "learning_rate": 0.001,
    "optimizer": "guide",
    "input_sum": False,
}
"""``mlp``: the researchers' guide's MLP, its SparseMLP rate, its dropout and learning rates."""
