"""A classifier for imbalanced classes trained with per-example weights and a custom loss.

Registration only: the model, data and train step are ``"module:attr"`` strings,
so importing this module never imports TensorFlow.
"""

import kreg
from kreg.plugins.common.registration import RESEARCH_LAYOUT, layout_of
from kreg.plugins.weighted_classifier.defaults import WEIGHTED_CLASSIFIER

SOURCE = (
    "F. Chollet, Customizing what happens in fit() with TensorFlow (keras.io guide), "
    "keras.io/guides/custom_train_step_in_tensorflow/, section 'Supporting sample_weight & class_weight'; "
    "the loss has Keras's signature loss_fn(y_true, y_pred, sample_weight=None), keras.io/api/losses/"
)


@kreg.hookimpl
def kreg_register_architectures(register):
    """Register ``weighted-classifier``."""
    register(
        kreg.Architecture(
            name="weighted-classifier",
            summary="Imbalanced-class classifier: a custom train step feeds per-example weights to a custom loss",
            description=(
                "Dense(hidden_units, relu) then Dense(classes, softmax). The data are (x, y, sample_weight) "
                "batches: synthetic overlapping blobs where the last class is rare (minority_fraction), "
                "each example weighted N / (classes * count(its class)). The train step unpacks the "
                "weights and passes them to a custom loss with Keras's loss signature "
                "loss_fn(y_true, y_pred, sample_weight=None), so the rare class counts as much as the others."
            ),
            source=SOURCE,
            **layout_of(__name__, RESEARCH_LAYOUT),
            hyperparameters=WEIGHTED_CLASSIFIER,
            tags=("research", "custom-loss", "custom-train-step", "imbalanced", "functional"),
            components=("model",),
            presets={"smoke": {"n_features": 8, "hidden_units": 8}},
            batch_size=64,
        )
    )
