"""Neural style transfer with VGG19 (listings 12.18-12.23): the model that owns the combination image."""

from __future__ import annotations

import os
from collections.abc import Sequence

import keras
from keras import ops

from kreg.errors import HyperparameterError
from kreg.plugins.common.configs import attribute_config
from kreg.plugins.common.defaults import defaults_from
from kreg.plugins.style_transfer.defaults import STYLE_LAYERS, STYLE_TRANSFER
from kreg.plugins.style_transfer.losses import content_loss, style_loss, total_variation_loss
from kreg.validation import require_positive_int

PACKAGE = "kreg.style_transfer"


def build_feature_extractor(image_height: int, image_width: int, weights: str | None = None) -> keras.Model:
    """VGG19 without its top, returning every layer's activations as a dict (listing 12.18).

    Args:
        image_height: int. Height of the images it will see.
        image_width: int. Width of the images it will see.
        weights: str or None. A local VGG19 "notop" weights file; None for
            random weights (kreg never downloads the ImageNet ones).

    Returns:
        keras.Model. Named ``vgg19_features``; outputs ``{layer name: activation}``.
    """
    vgg = keras.applications.VGG19(weights=weights, include_top=False, input_shape=(image_height, image_width, 3))
    outputs = {layer.name: layer.output for layer in vgg.layers}
    return keras.Model(inputs=vgg.input, outputs=outputs, name="vgg19_features")


@keras.saving.register_keras_serializable(package=PACKAGE)
class StyleTransfer(keras.Model):
    """A frozen VGG19 feature extractor and the combination image, the only trainable weight.

    Called on ``(content_image, style_image)`` (each (1, height, width, 3),
    VGG19-preprocessed), it returns the listing 12.22 loss of its current
    combination image: ``{"loss", "content_loss", "style_loss",
    "total_variation_loss"}``, each term already weighted.

    Args:
        image_height: int. Height of the three images.
        image_width: int. Width of the three images.
        content_layer: str. Layer whose activations the content loss compares.
        style_layers: list of str. Layers whose Gram matrices the style loss compares.
        content_weight: float. Weight of the content loss.
        style_weight: float. Weight of the style loss (shared among the style layers).
        total_variation_weight: float. Weight of the total variation loss.
        weights: str or None. Local VGG19 weights file used when the model is
            built; not part of the config (a saved model carries its weights).
    """

    def __init__(
        self,
        image_height: int,
        image_width: int,
        content_layer: str,
        style_layers: Sequence[str],
        content_weight: float,
        style_weight: float,
        total_variation_weight: float,
        weights: str | None = None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.image_height, self.image_width = image_height, image_width
        self.content_layer = content_layer
        self.style_layers = list(style_layers)
        self.content_weight, self.style_weight = content_weight, style_weight
        self.total_variation_weight = total_variation_weight
        self.feature_extractor = build_feature_extractor(image_height, image_width, weights)
        self.feature_extractor.trainable = False
        self.combination_image = self.add_weight(
            shape=(1, image_height, image_width, 3), initializer="zeros", trainable=True, name="combination_image"
        )

    def call(self, inputs):
        content, style = inputs
        combination = ops.convert_to_tensor(self.combination_image)
        features = self.feature_extractor(ops.concatenate([content[:1], style[:1], combination], axis=0))
        content_features = features[self.content_layer]
        content_term = self.content_weight * content_loss(content_features[0], content_features[2])
        style_term = ops.zeros(())
        for layer_name in self.style_layers:
            layer_features = features[layer_name]
            value = style_loss(layer_features[1], layer_features[2], self.image_height * self.image_width)
            style_term = style_term + (self.style_weight / len(self.style_layers)) * value
        variation_term = self.total_variation_weight * total_variation_loss(combination)
        return {
            "loss": content_term + style_term + variation_term,
            "content_loss": content_term,
            "style_loss": style_term,
            "total_variation_loss": variation_term,
        }

    def get_config(self) -> dict:
        names = ("image_height", "image_width", "content_layer", "style_layers", "content_weight", "style_weight")
        return attribute_config(super().get_config(), self, (*names, "total_variation_weight"))


@defaults_from(STYLE_TRANSFER)
def build(
    *,
    image_height: int,
    image_width: int,
    content_layer: str,
    style_layers: Sequence[str],
    content_weight: float,
    style_weight: float,
    total_variation_weight: float,
    learning_rate: float,
    decay_steps: int,
    decay_rate: float,
    iterations: int,
    weights: str | None,
) -> dict[str, keras.Model]:
    """Build the style-transfer model, compiled with listing 12.23's SGD.

    Args:
        image_height: int. Shared height of the images (the listing's 400).
        image_width: int. Width; the listing derives it from the content
            image's aspect ratio (``round(width * 400 / height)``): set it to match yours.
        content_layer: str. The content loss's layer (``block5_conv2``).
        style_layers: list of str. The style loss's layers (the five ``block*_conv1``).
        content_weight: float. 2.5e-8 in the listing.
        style_weight: float. 1e-6.
        total_variation_weight: float. 1e-6.
        learning_rate: float. Initial SGD learning rate of the exponential decay (100.0).
        decay_steps: int. Steps per decay (100).
        decay_rate: float. Decay factor (0.96).
        iterations: int. Steps of one run (the listing's 4000); read by the data adapter.
        weights: str or None. A local VGG19 notop weights file (``.h5``); None
            for random weights.

    Returns:
        dict[str, keras.Model]. ``"model"``: the :class:`StyleTransfer`, built on
        symbolic inputs, compiled; ``"feature_extractor"``: its VGG19.

    Raises:
        HyperparameterError: a bad size, an unknown layer, a missing weights file.
    """
    require_positive_int(
        image_height=image_height, image_width=image_width, decay_steps=decay_steps, iterations=iterations
    )
    if min(image_height, image_width) < 32:
        raise HyperparameterError(
            "image_height" if image_height < 32 else "image_width", "must be at least 32 (VGG19's five poolings)"
        )
    if weights and not os.path.isfile(weights):
        raise HyperparameterError(
            "weights", f"no such file {weights!r}; give a local VGG19 notop weights file, or leave it empty"
        )
    style_layers = list(style_layers or STYLE_LAYERS)
    model = StyleTransfer(
        image_height,
        image_width,
        content_layer,
        style_layers,
        content_weight,
        style_weight,
        total_variation_weight,
        weights=weights or None,
        name="style_transfer",
    )
    check_layers(model.feature_extractor, content_layer, style_layers)
    image = (image_height, image_width, 3)
    model((keras.Input(image, name="content_image"), keras.Input(image, name="style_image")))
    schedule = keras.optimizers.schedules.ExponentialDecay(
        learning_rate, decay_steps=decay_steps, decay_rate=decay_rate
    )
    model.compile(optimizer=keras.optimizers.SGD(schedule))
    model.optimizer.build([model.combination_image])
    return {"model": model, "feature_extractor": model.feature_extractor}


def check_layers(feature_extractor: keras.Model, content_layer: str, style_layers: list[str]) -> None:
    """Raise a HyperparameterError naming a layer VGG19 does not have."""
    known = [layer.name for layer in feature_extractor.layers]
    for key, names in (("content_layer", [content_layer]), ("style_layers", style_layers)):
        for name in names:
            if name not in known:
                raise HyperparameterError(key, f"VGG19 has no layer {name!r}; its layers: {', '.join(known[1:])}")
