"""The guide's hypernetwork: a small inner network generates every weight of the outer one."""

from __future__ import annotations

import math

import keras

from kreg.errors import HyperparameterError
from kreg.plugins.common.defaults import defaults_from
from kreg.plugins.hypernetwork.defaults import HYPERNETWORK
from kreg.plugins.hypernetwork.layers import GeneratedDense, SplitCoefficients
from kreg.validation import require_positive_int


def outer_shapes(input_dim: int, hidden_units: int, classes: int) -> list[list[int]]:
    """Kernel and bias shapes of the outer network, in the order the guide slices them."""
    return [[input_dim, hidden_units], [hidden_units], [hidden_units, classes], [classes]]


def count_outer_coefficients(input_dim: int, hidden_units: int, classes: int) -> int:
    """The guide's ``num_weights_to_generate``: (classes * 64 + classes) + (64 * input_dim + 64)."""
    return sum(math.prod(shape) for shape in outer_shapes(input_dim, hidden_units, classes))


def build_outer(input_dim: int, hidden_units: int, classes: int) -> keras.Model:
    """The outer network, Dense(hidden_units, relu) then Dense(classes), owning no weights.

    Returns:
        keras.Model. Inputs ``features`` (input_dim,) and ``coefficients``
        (all outer coefficients,); output logits (classes,); zero parameters.
    """
    features = keras.Input((input_dim,), name="features")
    coefficients = keras.Input((count_outer_coefficients(input_dim, hidden_units, classes),), name="coefficients")
    kernel_0, bias_0, kernel_1, bias_1 = SplitCoefficients(
        outer_shapes(input_dim, hidden_units, classes), name="split_coefficients"
    )(coefficients)
    hidden = GeneratedDense(hidden_units, activation="relu", name="generated_dense_0")([features, kernel_0, bias_0])
    logits = GeneratedDense(classes, name="generated_dense_1")([hidden, kernel_1, bias_1])
    return keras.Model([features, coefficients], logits, name="outer")


def build_inner(input_dim: int, inner_units: int, coefficients: int) -> keras.Model:
    """The inner network, Dense(inner_units, relu) then Dense(coefficients, sigmoid): the weights that train."""
    return keras.Sequential(
        [
            keras.Input((input_dim,), name="features"),
            keras.layers.Dense(inner_units, activation="relu", name="dense"),
            keras.layers.Dense(coefficients, activation="sigmoid", name="coefficients"),
        ],
        name="inner",
    )


@defaults_from(HYPERNETWORK)
def build(
    *, input_dim: int, classes: int, hidden_units: int, inner_units: int, learning_rate: float
) -> dict[str, keras.Model]:
    """Build the hypernetwork and its two halves.

    Args:
        input_dim: int. Features per example (784, flattened MNIST).
        classes: int. Output logits.
        hidden_units: int. Units of the outer network's hidden layer (the guide's 64).
        inner_units: int. Units of the inner network's hidden layer (the guide's 16).
        learning_rate: float. Adam's learning rate (the guide's 1e-4).

    Returns:
        dict[str, keras.Model]. ``"model"``: features -> inner -> outer -> logits,
        compiled with Adam and sparse cross-entropy on logits (its only weights
        are the inner network's); ``"inner"``; ``"outer"`` (no weights).

    Raises:
        HyperparameterError: a size is not a positive integer or the rate is not positive.
    """
    require_positive_int(input_dim=input_dim, classes=classes, hidden_units=hidden_units, inner_units=inner_units)
    if learning_rate <= 0:
        raise HyperparameterError("learning_rate", f"must be positive, got {learning_rate!r}")
    inner = build_inner(input_dim, inner_units, count_outer_coefficients(input_dim, hidden_units, classes))
    outer = build_outer(input_dim, hidden_units, classes)
    features = keras.Input((input_dim,), name="features")
    logits = outer([features, inner(features)])
    model = keras.Model(features, logits, name="hypernetwork")
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    model.optimizer.build(inner.trainable_variables)
    return {"model": model, "inner": inner, "outer": outer}
