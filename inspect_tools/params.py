"""Parameter counts from a model's own variables.

Counts come from ``weights``, ``trainable_weights`` and ``non_trainable_weights``
(deduplicated), never from the optimizer: Keras's ``summary()`` adds optimizer
variables once a model is compiled and trained, which is not the model's size.
BatchNormalization's moving mean and variance are non-trainable weights; random
seed state is not a weight. A ``Model`` subclass without ``call()`` (a VAE or
GAN that only overrides ``train_step``) is never built, so Keras refuses to
count it; kreg counts it as the sum of its sub-models.
"""

from __future__ import annotations

from collections.abc import Iterable

from kreg.inspect_tools.keras_types import KerasLayer, KerasModel, KerasVariable
from kreg.inspect_tools.report_types import ParamCounts


def variable_size(variable: KerasVariable) -> int:
    """Number of scalars in a variable."""
    size = 1
    for dim in variable.shape:
        size *= int(dim)
    return size


def count_variables(variables: Iterable[KerasVariable]) -> int:
    """Sum of the sizes of distinct variables (a variable listed twice counts once)."""
    seen: dict[int, KerasVariable] = {}
    for variable in variables:
        seen.setdefault(id(variable), variable)
    return sum(variable_size(v) for v in seen.values())


def count_params(layer: KerasLayer) -> ParamCounts:
    """Count the parameters of a model or layer.

    Args:
        layer: keras.layers.Layer. A model, a nested model or a single layer;
            a ``Model`` subclass without ``call()`` is the sum of its sub-models.

    Returns:
        ParamCounts. Total, trainable and non-trainable counts.
    """
    if is_container_model(layer):
        return _sum_of(submodels(layer))
    return ParamCounts(
        total=count_variables(layer.weights),
        trainable=count_variables(layer.trainable_weights),
        non_trainable=count_variables(layer.non_trainable_weights),
    )


def _sum_of(models: Iterable[KerasModel]) -> ParamCounts:
    models = list(models)
    return ParamCounts(
        total=count_variables(w for m in models for w in m.weights),
        trainable=count_variables(w for m in models for w in m.trainable_weights),
        non_trainable=count_variables(w for m in models for w in m.non_trainable_weights),
    )


def has_own_call(model: KerasModel) -> bool:
    """True when the model's class (or a base below ``keras.Model``) defines ``call()``.

    Functional and Sequential models do; a subclass that only overrides
    ``train_step`` (the seeds' VAE and GAN) does not.
    """
    import keras

    for cls in type(model).__mro__:
        if cls in (keras.Model, keras.layers.Layer):
            return False
        if "call" in vars(cls):
            return True
    return False


def is_container_model(layer: KerasLayer) -> bool:
    """True for a ``keras.Model`` without its own ``call()``: it is inspected through its sub-models."""
    import keras

    return isinstance(layer, keras.Model) and not has_own_call(layer)


def submodels(model: KerasModel) -> list[KerasLayer]:
    """The models (and other layers) a container model holds directly, in attribute order."""
    return list(model.layers)
