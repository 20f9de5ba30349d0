"""The :class:`kreg.Architecture` of each ``keras.applications`` model, from the catalog alone.

Nothing here imports TensorFlow: names, defaults, presets and the text ``kreg
info`` shows all come from :mod:`kreg.plugins.applications.catalog`.
"""

from __future__ import annotations

import kreg
from kreg.plugins.applications.catalog import TAG, Application, published_figure
from kreg.plugins.applications.defaults import defaults

BATCH_SIZE = 16
"""Default training batch size (full-size images on a CPU)."""

SMOKE_CLASSES = 10
"""Classes of the ``smoke`` preset."""


def architecture(spec: Application) -> kreg.Architecture:
    """The registration of one application: builder and adapter by name, defaults, presets, tags."""
    return kreg.Architecture(
        name=spec.name,
        summary=f"{spec.function} from keras.applications ({spec.default_size}x{spec.default_size} RGB, 1000 classes)",
        description=description(spec),
        source=spec.source,
        builder=f"kreg.plugins.applications.model:{spec.name}",
        data_adapter=f"kreg.plugins.applications.data:{spec.name}",
        data_state="kreg.plugins.applications.data:class_state",
        train_step=None,
        hyperparameters=defaults(spec),
        tags=(TAG, spec.family, "image-classification", "functional"),
        components=("model",),
        presets={
            "smoke": {"image_size": spec.smoke_size, "classes": SMOKE_CLASSES, "optimizer": "sgd"},
            "extractor": {"include_top": False},
        },
        batch_size=BATCH_SIZE,
    )


def description(spec: Application) -> str:
    """What the model is and what each default means, for ``kreg info``."""
    size = spec.default_size
    parts = [
        f"Keras's {spec.function} exactly as keras.applications builds it, compiled with `optimizer` "
        "(adam or sgd) and sparse categorical cross-entropy.",
        "weights=null is random initialisation: kreg never downloads; weights=PATH loads a local weights "
        "file that fits the configuration (with or without the top).",
        "include_top=true is Keras's ImageNet classifier top with `classes` softmax outputs; false is Keras's "
        "feature extractor ending in global `pooling` (avg or max), nested under a new Dense(classes) layer "
        "named head, as in transfer learning (preset extractor).",
        f"image_size={size} is Keras's default side for {spec.function}; with weights=null any side of at "
        f"least {spec.min_size} builds.",
        _size_note(spec),
        _published(spec),
        f"Inputs are RGB images; the data adapter scales them to 0..255 and applies "
        f"keras.applications.{spec.module}.preprocess_input: {spec.preprocessing}.",
        "Without --data the images are synthetic blobs labelled by the grid cell of their brightest pixel; "
        "--data takes a folder with one subfolder per class (or a flat folder, labelled the same way) "
        "or an .npz file with x and optionally y; with labelled data the top is built for the data's classes "
        "(saying so on stderr when that is not `classes`).",
        f"The smoke preset (what kreg check builds) uses {spec.smoke_size}x{spec.smoke_size} images, "
        f"{SMOKE_CLASSES} classes and plain SGD (tracing Adam's update of every variable triples the first "
        f"step's time): the same layers, a smaller top; `kreg check` never builds the full size, "
        f"`kreg train {spec.name} --steps 1` does.",
    ]
    return " ".join(part for part in parts if part)


def _size_note(spec: Application) -> str:
    if spec.family == "vgg":
        return (
            "Its top flattens the last feature map, so the top's parameters grow with image_size and a "
            f"weights file with the top fits only {spec.default_size}."
        )
    return "Its top pools globally, so the parameter count does not depend on image_size."


def _published(spec: Application) -> str:
    if spec.published_params is None:
        return "keras.io publishes no parameter count for it."
    rounded = "" if spec.published_rounding == 1 else "rounded; "
    figure = published_figure(spec.published_params, spec.published_rounding)
    return f"keras.io publishes {figure} parameters for it ({rounded}include_top, 1000 classes, default size)."
