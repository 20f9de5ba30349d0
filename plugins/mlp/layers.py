"""The layers of "Introduction to Keras for researchers", ported to Keras 3.

``Linear`` makes its weights in ``build`` with ``add_weight``; ``ComputeSum``
keeps non-trainable state; ``ActivityRegularization`` creates a loss with
``add_loss``; ``Dropout`` honours the ``training`` argument. ``MLP``,
``SparseMLP`` and ``MLPWithDropout`` compose them exactly as the guide does
(with the guide's sizes as defaults).

The blocks (and the classifier holding them) define no ``compute_output_shape``
on purpose: Keras then runs their ``call`` when they are called on a symbolic
``keras.Input``, so the Linear layers inside are called too and a tool tracing
layer calls sees each one's shapes.
"""

from __future__ import annotations

import keras
from keras import ops

PACKAGE = "kreg.mlp"


@keras.saving.register_keras_serializable(package=PACKAGE)
class Linear(keras.layers.Layer):
    """y = w.x + b, with the weights made in ``build`` from the input's last axis.

    Args:
        units: int. Size of the output.
    """

    def __init__(self, units: int = 32, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.w = self.add_weight(
            shape=(input_shape[-1], self.units), initializer="random_normal", trainable=True, name="w"
        )
        self.b = self.add_weight(shape=(self.units,), initializer="random_normal", trainable=True, name="b")

    def call(self, inputs):
        return ops.matmul(inputs, self.w) + self.b

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.units)

    def get_config(self) -> dict:
        return {**super().get_config(), "units": self.units}


@keras.saving.register_keras_serializable(package=PACKAGE)
class ComputeSum(keras.layers.Layer):
    """Return the running sum of every batch of inputs seen, kept in a non-trainable weight.

    Args:
        input_dim: int. Size of the inputs' last axis (and of the sum).
    """

    def __init__(self, input_dim: int, **kwargs):
        super().__init__(**kwargs)
        self.input_dim = input_dim
        # Made in __init__, as in the guide: the state exists before any call.
        self.total = self.add_weight(shape=(input_dim,), initializer="zeros", trainable=False, name="total")

    def call(self, inputs):
        self.total.assign_add(ops.sum(inputs, axis=0))
        return ops.convert_to_tensor(self.total)

    def compute_output_shape(self, input_shape):
        return (self.input_dim,)

    def get_config(self) -> dict:
        return {**super().get_config(), "input_dim": self.input_dim}


@keras.saving.register_keras_serializable(package=PACKAGE)
class ActivityRegularization(keras.layers.Layer):
    """Pass the inputs through and add ``rate * sum(inputs)`` to the layer's losses.

    Args:
        rate: float. Weight of the sparsity loss.
    """

    def __init__(self, rate: float = 1e-2, **kwargs):
        super().__init__(**kwargs)
        self.rate = rate

    def call(self, inputs):
        self.add_loss(self.rate * ops.sum(inputs))
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        return {**super().get_config(), "rate": self.rate}


@keras.saving.register_keras_serializable(package=PACKAGE)
class Dropout(keras.layers.Layer):
    """Zero a fraction ``rate`` of the inputs when ``training`` is true; identity otherwise.

    Args:
        rate: float. Fraction of the inputs to drop, in [0, 1).
        seed: int or None. Seed of the dropout masks.
    """

    def __init__(self, rate: float, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.rate = rate
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, inputs, training=None):
        if training:
            return keras.random.dropout(inputs, rate=self.rate, seed=self.seed_generator)
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        return {**super().get_config(), "rate": self.rate, "seed": self.seed}


@keras.saving.register_keras_serializable(package=PACKAGE)
class MLP(keras.layers.Layer):
    """Simple stack of Linear layers: Linear(units), relu, Linear(units), relu, Linear(classes).

    Args:
        units: int. Width of the two hidden Linear layers (the guide's 32).
        classes: int. Size of the output (the guide's 10).
    """

    def __init__(self, units: int = 32, classes: int = 10, **kwargs):
        super().__init__(**kwargs)
        self.units, self.classes = units, classes
        self.linear_1 = Linear(units, name="linear_1")
        self.linear_2 = Linear(units, name="linear_2")
        self.linear_3 = Linear(classes, name="linear_3")

    def call(self, inputs, training=None):
        x = ops.relu(self.linear_1(inputs))
        x = ops.relu(self.linear_2(x))
        return self.linear_3(x)

    def get_config(self) -> dict:
        return {**super().get_config(), "units": self.units, "classes": self.classes}


@keras.saving.register_keras_serializable(package=PACKAGE)
class SparseMLP(keras.layers.Layer):
    """Linear layers with an activity-sparsity loss on the hidden layer.

    Args:
        units: int. Width of the hidden Linear layer.
        classes: int. Size of the output.
        rate: float. Weight of the ActivityRegularization loss (the guide's 1e-2).
    """

    def __init__(self, units: int = 32, classes: int = 10, rate: float = 1e-2, **kwargs):
        super().__init__(**kwargs)
        self.units, self.classes, self.rate = units, classes, rate
        self.linear_1 = Linear(units, name="linear_1")
        self.regularization = ActivityRegularization(rate, name="regularization")
        self.linear_3 = Linear(classes, name="linear_3")

    def call(self, inputs, training=None):
        x = ops.relu(self.linear_1(inputs))
        x = self.regularization(x)
        return self.linear_3(x)

    def get_config(self) -> dict:
        return {**super().get_config(), "units": self.units, "classes": self.classes, "rate": self.rate}


@keras.saving.register_keras_serializable(package=PACKAGE)
class MLPWithDropout(keras.layers.Layer):
    """Linear layers with the custom Dropout between them, active only in training.

    Args:
        units: int. Width of the hidden Linear layer.
        classes: int. Size of the output.
        dropout: float. Dropout rate (the guide's 0.5).
        seed: int or None. Seed of the dropout masks.
    """

    def __init__(self, units: int = 32, classes: int = 10, dropout: float = 0.5, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.units, self.classes, self.dropout_rate, self.seed = units, classes, dropout, seed
        self.linear_1 = Linear(units, name="linear_1")
        self.dropout = Dropout(dropout, seed=seed, name="dropout")
        self.linear_3 = Linear(classes, name="linear_3")

    def call(self, inputs, training=None):
        x = ops.relu(self.linear_1(inputs))
        x = self.dropout(x, training=training)
        return self.linear_3(x)

    def get_config(self) -> dict:
        config = super().get_config()
        return {**config, "units": self.units, "classes": self.classes, "dropout": self.dropout_rate, "seed": self.seed}
