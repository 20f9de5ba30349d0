"""Training data for the risk-factor autoencoder: synthetic, or an ``.npz`` file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from kreg.plugins.risk_factor.defaults import RISK_FACTOR

SYNTHETIC_EXAMPLES = 1024
NPZ_ARRAYS = ("characteristics", "factors", "returns")


def make_dataset(hyperparameters: dict[str, Any], batch_size: int, source: str | None = None):
    """Return a ``tf.data.Dataset`` of ``((characteristics, factors), returns)`` batches.

    Args:
        hyperparameters: dict. Needs ``n_tickers`` and ``n_characteristics``.
        batch_size: int. Examples (periods) per batch.
        source: str or None. None for synthetic data; otherwise an ``.npz`` file
            with arrays ``characteristics`` (N, n_tickers, n_characteristics),
            ``factors`` (N, n_tickers), the cross-section fed to the factor
            network, and ``returns`` (N, n_tickers), the target.

    Returns:
        tf.data.Dataset. Shuffled batches; float32.
    """
    import tensorflow as tf

    n_tickers, n_characteristics = hyperparameters["n_tickers"], hyperparameters["n_characteristics"]
    if source is None:
        arrays = synthetic_arrays(
            n_tickers, n_characteristics, hyperparameters.get("n_factors", RISK_FACTOR["n_factors"])
        )
    else:
        arrays = load_npz(source, n_tickers, n_characteristics)
    characteristics, factors, returns = (arrays[name].astype("float32") for name in NPZ_ARRAYS)
    dataset = tf.data.Dataset.from_tensor_slices(((characteristics, factors), returns))
    return dataset.shuffle(len(returns), seed=0).batch(batch_size)


def synthetic_arrays(
    n_tickers: int,
    n_characteristics: int,
    n_factors: int,
    examples: int = SYNTHETIC_EXAMPLES,
    seed: int = 0,
    universe_seed: int = 0,
) -> dict[str, np.ndarray]:
    """Make data with a real conditional factor structure, so training has something to learn.

    A universe of tickers is drawn once: each ticker's characteristics (fixed
    over time, as a firm's size or value are over a short sample) and the
    linear map from characteristics to betas. Each period then draws factor
    returns, and a ticker's return is its betas dotted with them plus noise.
    As in the seed's notebook, the factor network sees the period's
    cross-section of returns: with the betas fixed it can recover the factor
    returns from it, which is what lets the model beat predicting zero
    (characteristics redrawn every period made that impossible).

    Args:
        n_tickers: int. Tickers in the universe.
        n_characteristics: int. Characteristics per ticker.
        n_factors: int. Latent factors.
        examples: int. Periods.
        seed: int. Seed of the periods (factor returns and noise): another seed
            gives held-out periods of the same universe.
        universe_seed: int. Seed of the tickers' characteristics and the beta map.

    Returns:
        dict[str, np.ndarray]. ``characteristics`` (examples, n_tickers,
        n_characteristics), ``factors`` and ``returns`` (examples, n_tickers).
    """
    universe = np.random.default_rng(universe_seed)
    ticker_characteristics = universe.standard_normal((n_tickers, n_characteristics))
    loading_map = universe.standard_normal((n_characteristics, n_factors)) / np.sqrt(n_characteristics)
    betas = ticker_characteristics @ loading_map
    rng = np.random.default_rng(seed)
    factor_returns = rng.normal(0.0, 0.05, (examples, n_factors))
    returns = factor_returns @ betas.T + rng.normal(0.0, 0.01, (examples, n_tickers))
    characteristics = np.repeat(ticker_characteristics[None], examples, axis=0)
    return {"characteristics": characteristics, "factors": returns.copy(), "returns": returns}


def load_npz(path: str | Path, n_tickers: int, n_characteristics: int) -> dict[str, np.ndarray]:
    """Load and check the three arrays of an ``.npz`` file.

    Raises:
        ValueError: an array is missing or has the wrong shape; the message
            names the array, its shape and the expected one.
    """
    with np.load(path) as data:
        missing = [name for name in NPZ_ARRAYS if name not in data.files]
        if missing:
            raise ValueError(f"{path}: missing arrays {missing}; expected {list(NPZ_ARRAYS)}")
        arrays = {name: data[name] for name in NPZ_ARRAYS}
    expected = {
        "characteristics": (n_tickers, n_characteristics),
        "factors": (n_tickers,),
        "returns": (n_tickers,),
    }
    examples = len(arrays["returns"])
    for name, tail in expected.items():
        if arrays[name].shape != (examples, *tail):
            raise ValueError(
                f"{path}: array {name!r} has shape {arrays[name].shape}, "
                f"expected (N, {', '.join(map(str, tail))}) with N={examples}"
            )
    return arrays
