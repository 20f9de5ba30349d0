"""Imbalanced classification data with per-example weights: synthetic, or an ``.npz`` file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

SYNTHETIC_EXAMPLES = 4096


def make_dataset(hyperparameters: dict[str, Any], batch_size: int, source: str | None = None):
    """Return a shuffled ``tf.data.Dataset`` of ``(x, y, sample_weight)`` batches.

    Args:
        hyperparameters: dict. Needs ``n_features``, ``classes`` and ``minority_fraction``.
        batch_size: int. Examples per batch.
        source: str or None. None for synthetic data; otherwise an ``.npz`` file
            with ``x`` (N, n_features), ``y`` (N,) integer labels and, optionally,
            ``sample_weight`` (N,); without it the weights are :func:`balanced_weights`.

    Returns:
        tf.data.Dataset. ``x`` float32, ``y`` int32, ``sample_weight`` float32.
    """
    import tensorflow as tf

    n_features, classes = hyperparameters["n_features"], hyperparameters["classes"]
    if source is None:
        x, y = synthetic_imbalanced(n_features, classes, hyperparameters["minority_fraction"])
        sample_weight = balanced_weights(y, classes)
    else:
        x, y, sample_weight = load_npz(source, n_features, classes)
    dataset = tf.data.Dataset.from_tensor_slices((x, y, sample_weight))
    return dataset.shuffle(len(y), seed=0).batch(batch_size)


def synthetic_imbalanced(
    n_features: int, classes: int, minority_fraction: float, examples: int = SYNTHETIC_EXAMPLES, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Overlapping Gaussian blobs; the last class holds ``minority_fraction`` of the examples.

    The class centres are fixed (about two standard deviations apart whatever
    ``n_features`` is); ``seed`` draws the examples, so another seed gives a
    held-out set of the same problem.

    Returns:
        tuple[np.ndarray, np.ndarray]. ``x`` float32 (examples, n_features), ``y`` int32 (examples,).
    """
    centres = np.random.default_rng(12345).standard_normal((classes, n_features)) * (2.0 / np.sqrt(2 * n_features))
    rng = np.random.default_rng(seed)
    minority = max(1, round(examples * minority_fraction))
    majority_share = (examples - minority) // (classes - 1)
    counts = [majority_share] * (classes - 1) + [examples - majority_share * (classes - 1)]
    y = np.repeat(np.arange(classes), counts).astype("int32")
    rng.shuffle(y)
    x = (centres[y] + rng.standard_normal((examples, n_features))).astype("float32")
    return x, y


def balanced_weights(y: np.ndarray, classes: int) -> np.ndarray:
    """Weigh each example by ``N / (classes * count(its class))``, so every class weighs the same in total."""
    counts = np.bincount(y, minlength=classes).astype("float64")
    per_class = len(y) / (classes * np.maximum(counts, 1.0))
    return per_class[y].astype("float32")


def load_npz(path: str | Path, n_features: int, classes: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Load ``x``, ``y`` and ``sample_weight`` (or balanced weights) from an ``.npz`` file.

    Raises:
        ValueError: a missing array or a shape or label that does not fit; the
            message names the array.
    """
    with np.load(path) as data:
        missing = [name for name in ("x", "y") if name not in data.files]
        if missing:
            raise ValueError(f"{path}: missing arrays {missing}; expected 'x', 'y' and optionally 'sample_weight'")
        x, y = data["x"].astype("float32"), data["y"].reshape(-1).astype("int32")
        sample_weight = data["sample_weight"].reshape(-1).astype("float32") if "sample_weight" in data.files else None
    if x.ndim != 2 or x.shape[1] != n_features:
        raise ValueError(f"{path}: 'x' has shape {x.shape}, expected (N, {n_features})")
    if len(y) != len(x) or (sample_weight is not None and len(sample_weight) != len(x)):
        raise ValueError(f"{path}: 'x', 'y' and 'sample_weight' must have the same number of examples")
    if y.size and (y.min() < 0 or y.max() >= classes):
        raise ValueError(f"{path}: labels must be in [0, {classes}), got {y.min()}..{y.max()}")
    return x, y, balanced_weights(y, classes) if sample_weight is None else sample_weight
