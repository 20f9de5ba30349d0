"""Neural style transfer's defaults, each written once.

The registration shows and parses against them (``kreg info``); the builder and
the sampler take them through :func:`kreg.plugins.common.defaults.defaults_from`.
No Keras here: the registration imports this module.
"""

CONTENT_LAYER = "block5_conv2"
"""Listing 12.22's content layer."""

STYLE_LAYERS = ["block1_conv1", "block2_conv1", "block3_conv1", "block4_conv1", "block5_conv1"]
"""Listing 12.22's style layers."""

STYLE_TRANSFER = {
    "image_height": 400,
    "image_width": 533,
    "content_layer": CONTENT_LAYER,
    "style_layers": STYLE_LAYERS,
    "content_weight": 2.5e-8,
    "style_weight": 1e-6,
    "total_variation_weight": 1e-6,
    "learning_rate": 100.0,
    "decay_steps": 100,
    "decay_rate": 0.96,
    "iterations": 4000,
    "weights": None,
}
"""``style-transfer``: listings 12.16-12.23's sizes, layers, loss weights and SGD schedule."""

SAMPLE_OPTIONS = {"filename": "combination.png"}
"""``kreg sample style-transfer``: the file the combination image is written to."""
