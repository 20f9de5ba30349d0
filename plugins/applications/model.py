"""Builders of the ``keras.applications`` models, one per registered name.

``kreg.plugins.applications.model:resnet50`` is the builder of ``resnet50``:
this module answers any registered name with :func:`builder` (a module
``__getattr__``), so the forty builders need no forty copies.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

import keras

from kreg.errors import HyperparameterError
from kreg.plugins.applications.catalog import BY_NAME, Application, application
from kreg.plugins.applications.defaults import defaults
from kreg.validation import require_positive_int

OPTIMIZERS = {"adam": "Adam", "sgd": "SGD"}
"""``optimizer`` values and the Keras optimizers they name."""

POOLINGS = ("avg", "max")
"""``pooling`` values: how the feature extractor ends when ``include_top`` is false."""

HEAD = "head"
"""The name of the Dense layer kreg puts on a feature extractor (``include_top=false``)."""


def build_application(
    spec: Application,
    *,
    weights: str | None,
    include_top: bool,
    image_size: int,
    classes: int,
    pooling: str,
    learning_rate: float,
    optimizer: str,
    data_state: Mapping[str, Any] | None = None,
) -> keras.Model:
    """Build one ``keras.applications`` model and compile it for classification.

    Args:
        spec: Application. Which model.
        weights: str or None. None for random initialisation, or the path of a
            local weights file (``.h5`` or ``.weights.h5``) that fits the model
            as configured. ``"imagenet"`` is refused: kreg never downloads.
        include_top: bool. True: Keras's model with its classifier top
            (``classes`` outputs, softmax). False: Keras's feature extractor
            (``include_top=False`` with ``pooling``), nested in a model that adds
            a new ``Dense(classes, softmax)`` named ``head``, as in transfer learning.
        image_size: int. Side of the square RGB input; at least the model's
            ``min_size``.
        classes: int. Classes the top (or the new head) predicts.
        pooling: str. ``"avg"`` or ``"max"``: the extractor's global pooling
            (used only when ``include_top`` is false).
        learning_rate: float. The optimizer's learning rate.
        optimizer: str. ``"adam"`` or ``"sgd"`` (plain SGD: the smoke preset's
            choice, since tracing Adam's per-variable update for hundreds of
            variables is what makes the first training step slow).
        data_state: Mapping or None. What the data-state step found in
            ``--data`` (:func:`kreg.plugins.applications.data.class_state`): its
            ``classes`` replace ``classes``.

    Returns:
        keras.Model. Compiled with the optimizer (built by ``kreg train``
        before ``fit``: :func:`kreg.running.train_loop.build_optimizer`),
        sparse categorical cross-entropy and accuracy, for inputs
        (None, image_size, image_size, 3).

    Raises:
        HyperparameterError: a value the model cannot take; the message names
            the hyperparameter and says what would work.
    """
    classes = int((data_state or {}).get("classes", classes))
    _check_training(spec, image_size, classes, pooling, learning_rate, optimizer)
    _check_weights(spec, weights, include_top, image_size)
    function = getattr(keras.applications, spec.function)
    input_shape = (image_size, image_size, 3)
    if include_top:
        model = function(include_top=True, weights=weights, input_shape=input_shape, classes=classes)
    else:
        model = _with_head(
            function(include_top=False, weights=weights, input_shape=input_shape, pooling=pooling), classes
        )
    model.compile(
        optimizer=getattr(keras.optimizers, OPTIMIZERS[optimizer])(learning_rate),
        loss=keras.losses.SparseCategoricalCrossentropy(),
        metrics=[keras.metrics.SparseCategoricalAccuracy(name="accuracy")],
    )
    return model


def _with_head(extractor: keras.Model, classes: int) -> keras.Model:
    inputs = keras.Input(extractor.input_shape[1:], name="images")
    outputs = keras.layers.Dense(classes, activation="softmax", name=HEAD)(extractor(inputs))
    return keras.Model(inputs, outputs, name=f"{extractor.name}_with_head")


def _check_training(
    spec: Application, image_size: int, classes: int, pooling: str, learning_rate: float, optimizer: str
) -> None:
    require_positive_int(image_size=image_size, classes=classes)
    if optimizer not in OPTIMIZERS:
        raise HyperparameterError("optimizer", f"must be one of {', '.join(OPTIMIZERS)}, got {optimizer!r}")
    if image_size < spec.min_size:
        raise HyperparameterError(
            "image_size", f"{spec.function} needs images of at least {spec.min_size}x{spec.min_size}, got {image_size}"
        )
    if pooling not in POOLINGS:
        raise HyperparameterError("pooling", f"must be one of {', '.join(POOLINGS)}, got {pooling!r}")
    if not learning_rate > 0:
        raise HyperparameterError("learning_rate", f"must be positive, got {learning_rate!r}")


def _check_weights(spec: Application, weights: str | None, include_top: bool, image_size: int) -> None:
    if weights is None:
        return
    if weights == "imagenet":
        raise HyperparameterError(
            "weights",
            "kreg never downloads; pass the path of a local weights file "
            "(Keras keeps the ones it downloaded in ~/.keras/models/)",
        )
    if not isinstance(weights, str) or not os.path.isfile(weights):
        raise HyperparameterError(
            "weights", f"{weights!r} is not a file; pass the path of a local weights file, or null for random weights"
        )
    if include_top and spec.family == "vgg" and image_size != spec.default_size:
        raise HyperparameterError(
            "image_size",
            f"{spec.function}'s top flattens its last feature map, so a weights file with the top fits only "
            f"image_size={spec.default_size}; use that, or include_top=false",
        )


def builder(name: str) -> Callable[..., keras.Model]:
    """The builder of the registered application ``name``: :func:`build_application` for its spec.

    Its defaults are the registered ones (:func:`~kreg.plugins.applications.defaults.defaults`,
    the image size the model's own), so a direct call builds what ``kreg`` builds.
    """
    spec = application(name)
    built = partial(build_application, spec, **defaults(spec))
    built.__doc__ = f"Build keras.applications.{spec.function} (see build_application)."
    return built


def __getattr__(name: str) -> Callable[..., keras.Model]:
    """``model.resnet50`` and the like: the builder of each registered name (PEP 562)."""
    if name in BY_NAME:
        return builder(name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
