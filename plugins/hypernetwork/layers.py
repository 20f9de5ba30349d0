"""Layers of the outer network: they own no weights, they are handed them.

The guide marks the outer ``Dense`` layers as built and assigns generated
tensors to their ``kernel`` and ``bias`` attributes. Keras 3's ``Dense`` does
not allow that (``kernel`` is a read-only property), so the port makes the
hand-over explicit: :class:`SplitCoefficients` cuts the inner network's output
into per-layer kernels and biases, and :class:`GeneratedDense` applies them.
"""

from __future__ import annotations

import math

import keras
from keras import ops

PACKAGE = "kreg.hypernetwork"


@keras.saving.register_keras_serializable(package=PACKAGE)
class SplitCoefficients(keras.layers.Layer):
    """Cut a (batch, sum of sizes) tensor into consecutive (batch, *shape) tensors.

    Args:
        shapes: list of list of int. The shape of each piece without the batch
            axis, in order, e.g. ``[[784, 64], [64], [64, 10], [10]]``.
    """

    def __init__(self, shapes: list[list[int]], **kwargs):
        super().__init__(**kwargs)
        self.shapes = [list(shape) for shape in shapes]

    @property
    def sizes(self) -> list[int]:
        """Number of coefficients each piece takes."""
        return [math.prod(shape) for shape in self.shapes]

    def call(self, coefficients):
        pieces, start = [], 0
        for shape, size in zip(self.shapes, self.sizes):
            pieces.append(ops.reshape(coefficients[:, start : start + size], (-1, *shape)))
            start += size
        return pieces

    def compute_output_shape(self, input_shape):
        return [(input_shape[0], *shape) for shape in self.shapes]

    def get_config(self) -> dict:
        return {**super().get_config(), "shapes": self.shapes}


@keras.saving.register_keras_serializable(package=PACKAGE)
class GeneratedDense(keras.layers.Layer):
    """A Dense layer whose kernel and bias are inputs: ``activation(x . kernel + bias)``.

    Each example brings its own kernel (batch, in, units) and bias (batch, units);
    with a batch of one, as in the guide, this is exactly ``Dense`` with the
    generated weights.

    Args:
        units: int. Output size.
        activation: str or None. Keras activation name.
    """

    def __init__(self, units: int, activation: str | None = None, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.activation = keras.activations.get(activation)
        self.activation_name = activation

    def call(self, inputs):
        x, kernel, bias = inputs
        return self.activation(ops.einsum("bi,biu->bu", x, kernel) + bias)

    def compute_output_shape(self, input_shape):
        return (input_shape[0][0], self.units)

    def get_config(self) -> dict:
        return {**super().get_config(), "units": self.units, "activation": self.activation_name}
