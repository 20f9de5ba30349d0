"""Data adapters of the ``keras.applications`` models, one per registered name.

Each model expects its own input preprocessing: the adapter reads images
(synthetic, a folder, or an ``.npz`` file; see
:func:`kreg.plugins.common.labelled_images.labelled_image_dataset`), scales
them to 0..255 RGB and applies ``keras.applications.<module>.preprocess_input``
of the model's module, which for ConvNeXt, EfficientNet and MobileNetV3 leaves
the pixels as they are (those models normalise inside).
``kreg.plugins.applications.data:resnet50`` is the adapter of ``resnet50``
(a module ``__getattr__``, as in :mod:`kreg.plugins.applications.model`).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import partial
from typing import Any

from kreg.plugins.applications.catalog import BY_NAME, Application, application
from kreg.plugins.common.labelled_images import labelled_class_count, labelled_image_dataset


def class_state(hyperparameters: dict[str, Any], source: str | None) -> dict[str, Any]:
    """The data-state step: how many classes ``--data`` holds, so the top is built for them.

    A folder with one subfolder per class has as many classes as subfolders;
    an ``.npz`` file with labels ``y``, the largest label plus one. When that
    differs from ``classes`` (1000 by default, ImageNet's), the model is built
    for the data's count and a line on stderr says so: training a 1000-class
    head on two classes of photos only looks like learning (loss about ln 1000).

    Returns:
        dict. ``{"classes": N, "class_names": [...]}`` for such data; empty
        for synthetic data or images without labels.
    """
    counted = labelled_class_count(source)
    if counted is None:
        return {}
    count, names = counted
    if count != hyperparameters["classes"]:
        listed = f" ({', '.join(names[:5])}{', ...' if len(names) > 5 else ''})" if names else ""
        print(
            f"kreg: --data {source} holds {count} classes{listed}: the model's top is built for "
            f"classes={count}, not {hyperparameters['classes']}",
            file=sys.stderr,
        )
    return {"classes": count, "class_names": names}


def classes_for(hyperparameters: dict[str, Any], data_state: dict[str, Any] | None) -> int:
    """The classes to build and label for: the data's (:func:`class_state`) when it has labels, else ``classes``."""
    return int((data_state or {}).get("classes", hyperparameters["classes"]))


def make_dataset(
    spec: Application,
    hyperparameters: dict[str, Any],
    batch_size: int,
    source: str | None = None,
    data_state: dict[str, Any] | None = None,
):
    """Batches of preprocessed images and labels for ``spec`` at ``image_size``.

    Args:
        spec: Application. Which model (its module's ``preprocess_input`` is used).
        hyperparameters: dict. Needs ``image_size`` and ``classes``.
        batch_size: int. Images per batch.
        source: str or None. None for synthetic images labelled by where their
            brightest region is; a folder with one subfolder per class (or a
            flat folder of images); or an ``.npz`` file with ``x`` and optionally ``y``.
        data_state: dict or None. What :func:`class_state` found: the classes of the data.

    Returns:
        tf.data.Dataset. ``(images, labels)``: float32 (batch, size, size, 3)
        preprocessed for the model, int32 (batch,) in ``[0, classes)``.
    """
    import keras

    size = hyperparameters["image_size"]
    preprocess = getattr(keras.applications, spec.module).preprocess_input
    dataset = labelled_image_dataset(source, (size, size), classes_for(hyperparameters, data_state), batch_size)
    return dataset.map(lambda images, labels: (preprocess(images * 255.0), labels))


def adapter(name: str) -> Callable[..., Any]:
    """The data adapter of the registered application ``name``."""
    return partial(make_dataset, application(name))


def __getattr__(name: str) -> Callable[..., Any]:
    """``data.resnet50`` and the like: the adapter of each registered name (PEP 562)."""
    if name in BY_NAME:
        return adapter(name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
