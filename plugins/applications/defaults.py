"""The defaults of every ``keras.applications`` architecture, written once.

The registration shows and parses against them (``kreg info``) and each
builder is :func:`~kreg.plugins.applications.model.build_application` with them
bound, so a direct ``model.resnet50()`` builds what ``kreg`` builds. No Keras
here: the registration imports this module.
"""

from __future__ import annotations

from typing import Any

from kreg.plugins.applications.catalog import Application


def defaults(spec: Application) -> dict[str, Any]:
    """The hyperparameters of one application: random weights, Keras's top and image size, 1000 classes, Adam."""
    return {
        "weights": None,
        "include_top": True,
        "image_size": spec.default_size,
        "classes": 1000,
        "pooling": "avg",
        "learning_rate": 0.001,
        "optimizer": "adam",
    }
