"""MNIST-shaped classification data, as the guide's loops use: synthetic, or an ``.npz`` file.

The guide downloads MNIST and feeds ``(x.reshape(-1, 784) / 255, y)`` batches.
kreg never downloads: the synthetic stand-in has the same shapes and dtypes and
a learnable structure (one noisy prototype per class). The hypernetwork family
reads its data through this module too.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

SYNTHETIC_EXAMPLES = 2048


def make_dataset(hyperparameters: dict[str, Any], batch_size: int, source: str | None = None):
    """Return a shuffled ``tf.data.Dataset`` of ``(x, y)`` batches.

    Args:
        hyperparameters: dict. Needs ``input_dim`` and ``classes``.
        batch_size: int. Examples per batch (the guide's 64).
        source: str or None. None for synthetic data; otherwise an ``.npz``
            file with ``x`` (N, ...) pixels or features (uint8 images are
            scaled by 1/255, then flattened) and ``y`` (N,) integer labels.

    Returns:
        tf.data.Dataset. ``x`` float32 (batch, input_dim), ``y`` int32 (batch,).
    """
    import tensorflow as tf

    input_dim, classes = hyperparameters["input_dim"], hyperparameters["classes"]
    if source is None:
        x, y = synthetic_digits(input_dim, classes)
    else:
        x, y = load_npz(source, input_dim, classes)
    dataset = tf.data.Dataset.from_tensor_slices((x, y))
    return dataset.shuffle(len(y), seed=0).batch(batch_size)


def synthetic_digits(
    input_dim: int, classes: int, examples: int = SYNTHETIC_EXAMPLES, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Make MNIST-like data: noisy binary "images" in [0, 1], one prototype per class.

    The prototypes share most of their pixels (each flips 10% of a common
    pattern) and the noise is strong, so a classifier needs some training to
    tell them apart.

    Returns:
        tuple[np.ndarray, np.ndarray]. ``x`` float32 (examples, input_dim) and
        ``y`` int32 (examples,), the classes equally frequent.
    """
    rng = np.random.default_rng(seed)
    shared = rng.random(input_dim) < 0.2
    prototypes = np.stack([np.where(rng.random(input_dim) < 0.1, ~shared, shared) for _ in range(classes)]).astype(
        "float32"
    )
    y = (np.arange(examples) % classes).astype("int32")
    rng.shuffle(y)
    x = np.clip(prototypes[y] + rng.normal(0.0, 0.5, (examples, input_dim)), 0.0, 1.0).astype("float32")
    return x, y


def load_npz(path: str | Path, input_dim: int, classes: int) -> tuple[np.ndarray, np.ndarray]:
    """Load ``x`` and ``y`` from an ``.npz`` file, flattening and scaling ``x``.

    Raises:
        ValueError: a missing array, a size that does not match ``input_dim``,
            or a label outside ``[0, classes)``; the message says which.
    """
    with np.load(path) as data:
        missing = [name for name in ("x", "y") if name not in data.files]
        if missing:
            raise ValueError(f"{path}: missing arrays {missing}; expected 'x' (N, ...) and 'y' (N,)")
        x, y = data["x"], data["y"]
    scale = 255.0 if x.dtype == np.uint8 else 1.0
    x = x.reshape(len(x), -1).astype("float32") / scale
    if x.shape[1] != input_dim:
        raise ValueError(f"{path}: 'x' has {x.shape[1]} features per example, expected input_dim={input_dim}")
    y = y.reshape(-1).astype("int32")
    if len(y) != len(x):
        raise ValueError(f"{path}: 'x' has {len(x)} examples but 'y' has {len(y)}")
    if y.size and (y.min() < 0 or y.max() >= classes):
        raise ValueError(f"{path}: labels must be in [0, {classes}), got {y.min()}..{y.max()}")
    return x, y
