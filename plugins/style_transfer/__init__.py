"""Neural style transfer with VGG19 (Generative Deep Learning, listings 12.16-12.23).

Registration only: the model, data, train step and sampler are ``"module:attr"``
strings, so importing this module never imports TensorFlow.
"""

import kreg
from kreg.plugins.common.registration import IMAGE_OPTIMISATION_LAYOUT, layout_of
from kreg.plugins.common.sources import DEEP_LEARNING_WITH_PYTHON
from kreg.plugins.style_transfer.defaults import SAMPLE_OPTIONS, STYLE_TRANSFER

SOURCE = (
    f"{DEEP_LEARNING_WITH_PYTHON}, listings 12.16-12.23 (neural style "
    "transfer with VGG19); the same model as the keras.io example Neural style transfer, "
    "keras.io/examples/generative/neural_style_transfer/"
)


@kreg.hookimpl
def kreg_register_architectures(register):
    """Register ``style-transfer``."""
    register(
        kreg.Architecture(
            name="style-transfer",
            summary="Neural style transfer: SGD on the combination image against a frozen VGG19's features",
            description=(
                "A VGG19 feature extractor returns every layer's activations for the content, style "
                "and combination images. Loss: content_weight * squared distance of block5_conv2 "
                "activations, style_weight shared over the Gram-matrix distances of the five "
                "block*_conv1 layers, total_variation_weight * total variation of the combination "
                "image. SGD with ExponentialDecay(100.0, 100, 0.96) updates the combination image (the "
                "model's only trainable weight; it starts as the content image), never VGG19. VGG19 "
                "has random weights unless `weights` names a local notop weights file (nothing is "
                "downloaded). Data: a folder with content.* and style.* images, or two synthetic ones. "
                "`kreg sample` writes the current combination image."
            ),
            source=SOURCE,
            **layout_of(__name__, IMAGE_OPTIMISATION_LAYOUT),
            sample_options=SAMPLE_OPTIONS,
            hyperparameters=STYLE_TRANSFER,
            tags=("research", "generative", "style-transfer", "vgg19", "custom-train-step", "subclassed"),
            presets={"smoke": {"image_height": 32, "image_width": 48, "iterations": 20}},
        )
    )
