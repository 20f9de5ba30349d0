"""Training data: synthetic sensor windows, or windows cut from a file, each with a sensor mask."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

SYNTHETIC_EXAMPLES = 512
LATENT_SIGNALS = 3


def make_dataset(hyperparameters: dict[str, Any], batch_size: int, source: str | None = None):
    """Return a ``tf.data.Dataset`` of ``{"readings", "mask"}`` batches.

    Args:
        hyperparameters: dict. Needs ``n_sensors``, ``window`` and ``mask_rate``.
        batch_size: int. Examples per batch.
        source: str or None. None for synthetic data; otherwise an ``.npz``
            file with an array ``readings`` of shape ``(N, n_sensors, window)``,
            or a ``.csv`` file with one column per sensor and one row per time
            step (a header row is skipped), cut into windows overlapping by half.

    Returns:
        tf.data.Dataset. ``readings``: float32 ``(batch, n_sensors, window)``;
        ``mask``: float32 ``(batch, n_sensors)``, 1 for a sensor the train step
        hides. Every example hides at least one sensor and shows at least one.
    """
    import tensorflow as tf

    n_sensors, window = hyperparameters["n_sensors"], hyperparameters["window"]
    readings = synthetic_readings(n_sensors, window) if source is None else load_readings(source, n_sensors, window)
    masks = sensor_masks(len(readings), n_sensors, hyperparameters["mask_rate"])
    dataset = tf.data.Dataset.from_tensor_slices({"readings": readings, "mask": masks})
    return dataset.shuffle(len(readings), seed=0).batch(batch_size)


def synthetic_readings(n_sensors: int, window: int, examples: int = SYNTHETIC_EXAMPLES, seed: int = 0) -> np.ndarray:
    """Correlated sensors: each one a fixed mix of a few shared sine waves, plus noise.

    Because every sensor mixes the same latent signals, a hidden sensor can be
    reconstructed from the visible ones: the task has something to learn.

    Returns:
        np.ndarray. float32, ``(examples, n_sensors, window)``.
    """
    rng = np.random.default_rng(seed)
    time = np.arange(window, dtype=np.float64)
    frequencies = rng.uniform(0.05, 0.3, (examples, LATENT_SIGNALS, 1))
    phases = rng.uniform(0.0, 2 * np.pi, (examples, LATENT_SIGNALS, 1))
    latent = np.sin(2 * np.pi * frequencies * time + phases)
    mixing = rng.normal(0.0, 1.0, (n_sensors, LATENT_SIGNALS)) / np.sqrt(LATENT_SIGNALS)
    readings = np.einsum("sl,elt->est", mixing, latent) + rng.normal(0.0, 0.05, (examples, n_sensors, window))
    return readings.astype("float32")


def sensor_masks(examples: int, n_sensors: int, mask_rate: float, seed: int = 1) -> np.ndarray:
    """Random masks hiding about ``mask_rate`` of the sensors, at least one and not all.

    Returns:
        np.ndarray. float32 ``(examples, n_sensors)`` of 0 (shown) and 1 (hidden).
    """
    rng = np.random.default_rng(seed)
    masks = rng.random((examples, n_sensors)) < mask_rate
    rows = np.arange(examples)
    masks[rows, rng.integers(0, n_sensors, examples)] = True  # at least one hidden
    if n_sensors > 1:
        shown = rng.integers(0, n_sensors, examples)
        masks[rows, shown] = False  # at least one shown...
        hidden = (shown + rng.integers(1, n_sensors, examples)) % n_sensors
        masks[rows, hidden] = True  # ...and still one hidden
    return masks.astype("float32")


def load_readings(path: str | Path, n_sensors: int, window: int) -> np.ndarray:
    """Load ``(N, n_sensors, window)`` windows from an ``.npz`` or ``.csv`` file.

    Raises:
        ValueError: an unknown file type, a missing array, or shapes that do
            not match ``n_sensors`` and ``window``; the message says which.
    """
    path = Path(path)
    if path.suffix == ".npz":
        with np.load(path) as data:
            if "readings" not in data.files:
                raise ValueError(f"{path}: no array 'readings' (found {data.files})")
            readings = data["readings"]
        if readings.ndim != 3 or readings.shape[1:] != (n_sensors, window):
            raise ValueError(f"{path}: 'readings' has shape {readings.shape}, expected (N, {n_sensors}, {window})")
        return readings.astype("float32")
    if path.suffix == ".csv":
        return windows_of(_read_csv(path), n_sensors, window, str(path))
    raise ValueError(f"{path}: expected an .npz or a .csv file")


def windows_of(series: np.ndarray, n_sensors: int, window: int, origin: str = "series") -> np.ndarray:
    """Cut a ``(time, n_sensors)`` series into windows overlapping by half.

    Returns:
        np.ndarray. float32 ``(N, n_sensors, window)``.

    Raises:
        ValueError: wrong number of columns, or fewer rows than one window.
    """
    if series.ndim != 2 or series.shape[1] != n_sensors:
        raise ValueError(
            f"{origin}: {series.shape[-1] if series.ndim == 2 else '?'} sensor columns, expected {n_sensors}"
        )
    if len(series) < window:
        raise ValueError(f"{origin}: {len(series)} rows, fewer than one window of {window}")
    stride = max(1, window // 2)
    starts = range(0, len(series) - window + 1, stride)
    return np.stack([series[start : start + window].T for start in starts]).astype("float32")


def _read_csv(path: Path) -> np.ndarray:
    with path.open() as handle:
        first = handle.readline()
    try:
        [float(value) for value in first.split(",")]
        skip = 0
    except ValueError:
        skip = 1  # a header row
    return np.loadtxt(path, delimiter=",", skiprows=skip, ndmin=2)
