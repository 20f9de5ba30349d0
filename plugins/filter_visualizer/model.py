"""Visualising what a convnet's filter responds to: gradient ascent on the input image.

Follows keras.io's "Visualizing what convnets learn" (the notebook the seed
points to): a ResNet50V2 cut at ``conv3_block4_out``, a 180x180 image, the
mean activation of one filter away from the borders, 30 normalised ascent
steps of size 10.
"""

from __future__ import annotations

import os

import keras
from keras import ops

from kreg.errors import HyperparameterError
from kreg.plugins.common.configs import attribute_config
from kreg.plugins.common.defaults import defaults_from
from kreg.plugins.filter_visualizer.defaults import FILTER_VISUALIZER
from kreg.validation import require_in_range, require_positive_int

PACKAGE = "kreg.filter_visualizer"
BACKBONES = {"resnet50v2": "ResNet50V2", "vgg16": "VGG16", "vgg19": "VGG19"}
"""Backbone names and their ``keras.applications`` constructors."""
BORDER = 2
"""Activations this close to the feature map's edges are left out (border artefacts)."""


def build_feature_extractor(backbone: str, layer_name: str, image_size: int, weights: str | None = None) -> keras.Model:
    """A convnet without its top, cut at ``layer_name``.

    Args:
        backbone: str. A key of :data:`BACKBONES`.
        layer_name: str. The layer whose activations are returned.
        image_size: int. Height and width of the input images.
        weights: str or None. A local weights file for the backbone; None for random weights.

    Returns:
        keras.Model. (batch, image_size, image_size, 3) -> the layer's activations.

    Raises:
        HyperparameterError: unknown backbone or layer.
    """
    if backbone not in BACKBONES:
        raise HyperparameterError("backbone", f"must be one of {', '.join(BACKBONES)}, got {backbone!r}")
    constructor = getattr(keras.applications, BACKBONES[backbone])
    network = constructor(weights=weights, include_top=False, input_shape=(image_size, image_size, 3))
    names = [layer.name for layer in network.layers]
    if layer_name not in names:
        raise HyperparameterError("layer_name", f"{backbone} has no layer {layer_name!r}; e.g. {', '.join(names[-8:])}")
    layer = network.get_layer(layer_name)
    return keras.Model(network.input, layer.output, name=f"{backbone}_{layer_name}")


def mean_filter_activation(activation_map):
    """The quantity the ascent maximises: the mean of a (batch, h, w) map away from its borders."""
    return ops.mean(activation_map[:, BORDER:-BORDER, BORDER:-BORDER])


@keras.saving.register_keras_serializable(package=PACKAGE)
class FilterVisualizer(keras.Model):
    """A frozen convnet cut at one layer, and the image being optimised (its only trainable weight).

    Called on images (batch, size, size, 3), it returns the chosen filter's
    activation map (batch, h, w). The image starts as the notebook's "gray
    image with some random noise", uniform in [-0.125, 0.125].

    Args:
        backbone: str. ``"resnet50v2"`` (the notebook's), ``"vgg16"`` or ``"vgg19"``.
        layer_name: str. The layer holding the filter.
        filter_index: int. The filter (channel) whose mean activation is maximised.
        image_size: int. Height and width of the image.
        weights: str or None. Local weights file used when built; not part of
            the config (a saved model carries its weights).

    Raises:
        HyperparameterError: unknown backbone or layer, a filter index the layer
            lacks, or an image too small for the layer's feature map.
    """

    def __init__(
        self,
        backbone: str,
        layer_name: str,
        filter_index: int,
        image_size: int,
        weights: str | None = None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.backbone, self.layer_name, self.filter_index, self.image_size = (
            backbone,
            layer_name,
            filter_index,
            image_size,
        )
        self.feature_extractor = build_feature_extractor(backbone, layer_name, image_size, weights)
        self.feature_extractor.trainable = False
        check_feature_map(self.feature_extractor, filter_index)
        self.image = self.add_weight(
            shape=(1, image_size, image_size, 3),
            initializer=keras.initializers.RandomUniform(-0.125, 0.125),
            trainable=True,
            name="image",
        )

    def call(self, images):
        return self.feature_extractor(images)[..., self.filter_index]

    def get_config(self) -> dict:
        return attribute_config(super().get_config(), self, ("backbone", "layer_name", "filter_index", "image_size"))


@defaults_from(FILTER_VISUALIZER)
def build(
    *,
    backbone: str,
    layer_name: str,
    filter_index: int,
    image_size: int,
    step_size: float,
    iterations: int,
    weights: str | None,
) -> dict[str, keras.Model]:
    """Build the filter visualiser, compiled with SGD(step_size) for the ascent steps.

    Args:
        backbone: str. ``"resnet50v2"``, ``"vgg16"`` or ``"vgg19"``.
        layer_name: str. The layer to visualise (the notebook's ``conv3_block4_out``).
        filter_index: int. The filter to visualise.
        image_size: int. Image height and width (the notebook's 180).
        step_size: float. Length of each ascent step on the L2-normalised gradient (10.0).
        iterations: int. Ascent steps of one run (30); read by the data adapter and sampler.
        weights: str or None. A local weights file for the backbone; None for random weights.

    Returns:
        dict[str, keras.Model]. ``"model"``: the :class:`FilterVisualizer`,
        built, compiled; ``"feature_extractor"``: the cut convnet.

    Raises:
        HyperparameterError: a bad size, layer, filter index or weights file.
    """
    require_positive_int(image_size=image_size, iterations=iterations)
    require_in_range("step_size", step_size, 1e-12, float("inf"))
    if weights and not os.path.isfile(weights):
        raise HyperparameterError("weights", f"no such file {weights!r}; give a local weights file, or leave it empty")
    if image_size < 32:
        raise HyperparameterError("image_size", "must be at least 32")
    model = FilterVisualizer(
        backbone, layer_name, filter_index, image_size, weights=weights or None, name="filter_visualizer"
    )
    model(keras.Input((image_size, image_size, 3), name="image"))
    model.compile(optimizer=keras.optimizers.SGD(step_size))
    model.optimizer.build([model.image])
    return {"model": model, "feature_extractor": model.feature_extractor}


def check_feature_map(feature_extractor: keras.Model, filter_index: int) -> None:
    """Raise unless the layer has filter ``filter_index`` and a map larger than its borders."""
    _, height, width, channels = feature_extractor.output.shape
    if isinstance(filter_index, bool) or not isinstance(filter_index, int) or not 0 <= filter_index < channels:
        raise HyperparameterError(
            "filter_index", f"must be in [0, {channels}) for layer {feature_extractor.name!r}, got {filter_index!r}"
        )
    if min(height, width) <= 2 * BORDER:
        raise HyperparameterError(
            "image_size",
            f"too small: the layer's feature map is {height}x{width}, it must exceed {2 * BORDER} pixels a side",
        )
