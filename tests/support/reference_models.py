"""The real models the slow inspect tests compare kreg with a reference on (tf.gradients, Keras's own trace)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tests.support.catalogues import builtin_catalogue

SMALL_APPLICATIONS = [
    ("ResNet50", 64),
    ("MobileNetV2", 64),
    ("MobileNetV3Small", 64),
    ("EfficientNetB0", 64),
    ("EfficientNetV2B0", 64),
    ("ConvNeXtTiny", 64),
    ("DenseNet121", 64),
    ("InceptionV3", 96),
    ("Xception", 71),
    ("NASNetMobile", 64),
]
"""keras.applications models and the smallest square input each takes: every family of block they have."""

BUILTINS = builtin_catalogue()  # loading plugins imports no TensorFlow: cheap at collection

SEED_ARCHITECTURES = [name for name in BUILTINS.names() if BUILTINS.get(name).plugin.name != "applications"]
"""The built-in architectures that are not keras.applications (the seeds' plugins)."""


def small_application(name: str, size: int) -> Any:
    """A keras.applications model at ``size`` x ``size`` x 3, without weights."""
    import keras

    return getattr(keras.applications, name)(weights=None, input_shape=(size, size, 3))


def traceable_seed_components(name: str) -> Iterator[tuple[str, Any]]:
    """A seed architecture's components (smoke preset where it has one) that can be traced, by name.

    A GAN's or a VAE's ``"model"`` has no call of its own: it is left out, its parts are compared.
    """
    from kreg.hyperparameters import resolve_hyperparameters
    from kreg.inspect_tools.compute import TRACE_BATCH
    from kreg.inspect_tools.tracing import trace_model
    from kreg.running.building import build

    entry = BUILTINS.get(name)
    built = build(entry, resolve_hyperparameters(entry, (), "smoke" if "smoke" in entry.architecture.presets else None))
    for component, model in built.components.items():
        try:
            trace_model(model, batch=TRACE_BATCH)
        except Exception:  # noqa: BLE001 - no call of its own
            continue
        yield component, model
