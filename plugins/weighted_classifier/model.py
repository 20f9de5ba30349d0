"""A small classifier for imbalanced classes, compiled with the custom weighted loss."""

from __future__ import annotations

import keras

from kreg.errors import HyperparameterError
from kreg.plugins.common.defaults import defaults_from
from kreg.plugins.weighted_classifier.defaults import WEIGHTED_CLASSIFIER
from kreg.plugins.weighted_classifier.losses import weighted_sparse_crossentropy
from kreg.validation import require_in_range, require_positive_int


@defaults_from(WEIGHTED_CLASSIFIER)
def build(
    *, n_features: int, classes: int, hidden_units: int, minority_fraction: float, learning_rate: float
) -> keras.Model:
    """Build the classifier: Dense(hidden_units, relu) then Dense(classes, softmax).

    Args:
        n_features: int. Features per example.
        classes: int. Classes; the last one is the rare one in the synthetic data.
        hidden_units: int. Width of the hidden layer.
        minority_fraction: float. Share of the rare class in the synthetic data
            (read by the data adapter; checked here).
        learning_rate: float. Adam's learning rate.

    Returns:
        keras.Model. Compiled with Adam and :func:`weighted_sparse_crossentropy`
        (Keras's own ``fit`` passes ``sample_weight`` to it as well).

    Raises:
        HyperparameterError: a bad size, fraction or rate.
    """
    require_positive_int(n_features=n_features, classes=classes, hidden_units=hidden_units)
    if classes < 2:
        raise HyperparameterError("classes", f"must be at least 2, got {classes!r}")
    require_in_range("minority_fraction", minority_fraction, 0.001, 1.0 / classes)
    if learning_rate <= 0:
        raise HyperparameterError("learning_rate", f"must be positive, got {learning_rate!r}")
    features = keras.Input((n_features,), name="features")
    hidden = keras.layers.Dense(hidden_units, activation="relu", name="hidden")(features)
    probabilities = keras.layers.Dense(classes, activation="softmax", name="probabilities")(hidden)
    model = keras.Model(features, probabilities, name="weighted_classifier")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss=weighted_sparse_crossentropy)
    model.optimizer.build(model.trainable_variables)
    return model
