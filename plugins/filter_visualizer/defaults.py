"""The filter visualiser's defaults, each written once.

The registration shows and parses against them (``kreg info``); the builder,
the sampler and the data adapter take them through
:func:`kreg.plugins.common.defaults.defaults_from` or read them. No Keras here:
the registration imports this module.
"""

FILTER_VISUALIZER = {
    "backbone": "resnet50v2",
    "layer_name": "conv3_block4_out",
    "filter_index": 0,
    "image_size": 180,
    "step_size": 10.0,
    "iterations": 30,
    "weights": None,
}
"""``filter-visualizer``: the keras.io example's network, layer, image size and ascent."""

SAMPLE_OPTIONS = {"grid": 0, "columns": 8}
"""``kreg sample filter-visualizer``: no grid unless asked, eight filters a row."""
