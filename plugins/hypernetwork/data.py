"""Training data of the hypernetwork: the guide's MNIST batches (synthetic, or an ``.npz`` file).

The guide feeds the same ``(x.reshape(-1, 784) / 255, y)`` MNIST batches as
its other loops, so this reuses the ``mlp`` family's loader; the guide's batch
size is 1.
"""

from __future__ import annotations

from typing import Any

from kreg.plugins.mlp.data import make_dataset as _make_mnist_like_dataset


def make_dataset(hyperparameters: dict[str, Any], batch_size: int, source: str | None = None):
    """Return a ``tf.data.Dataset`` of ``(x, y)`` batches.

    Args:
        hyperparameters: dict. Needs ``input_dim`` and ``classes``.
        batch_size: int. Examples per batch; the guide uses 1 (each example
            then gets exactly its own generated weights, as in the guide).
        source: str or None. None for synthetic MNIST-shaped data; otherwise an
            ``.npz`` file with ``x`` and ``y`` (see ``kreg.plugins.mlp.data.load_npz``).

    Returns:
        tf.data.Dataset. ``x`` float32 (batch, input_dim), ``y`` int32 (batch,).
    """
    return _make_mnist_like_dataset(hyperparameters, batch_size, source)
