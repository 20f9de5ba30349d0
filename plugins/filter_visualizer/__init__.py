"""Visualising what a convnet's filters respond to, by gradient ascent on the input image.

Registration only: the model, data, train step and sampler are ``"module:attr"``
strings, so importing this module never imports TensorFlow.
"""

import kreg
from kreg.plugins.common.registration import IMAGE_OPTIMISATION_LAYOUT, layout_of
from kreg.plugins.filter_visualizer.defaults import FILTER_VISUALIZER, SAMPLE_OPTIONS

SOURCE = (
    "F. Chollet, Visualizing what convnets learn (keras.io code example), "
    "keras.io/examples/vision/visualizing_what_convnets_learn/"
)


@kreg.hookimpl
def kreg_register_architectures(register):
    """Register ``filter-visualizer``."""
    register(
        kreg.Architecture(
            name="filter-visualizer",
            summary="Gradient ascent on the input image to maximise one filter's mean activation",
            description=(
                "A convnet without its top (ResNet50V2 by default) cut at `layer_name` "
                "(conv3_block4_out); the quantity maximised is the mean activation of filter "
                "`filter_index` away from the feature map's 2-pixel border. The image being optimised "
                "is the model's only trainable weight; each train step moves it `step_size` along the "
                "L2-normalised gradient, for `iterations` steps from a noisy gray image. The convnet "
                "has random weights unless `weights` names a local weights file. `kreg sample` writes "
                "the image, and with grid=N a grid of the layer's first N filters."
            ),
            source=SOURCE,
            **layout_of(__name__, IMAGE_OPTIMISATION_LAYOUT),
            sample_options=SAMPLE_OPTIONS,
            hyperparameters=FILTER_VISUALIZER,
            tags=("research", "visualisation", "gradient-ascent", "custom-train-step", "subclassed"),
            presets={"smoke": {"image_size": 96, "iterations": 10}},
        )
    )
