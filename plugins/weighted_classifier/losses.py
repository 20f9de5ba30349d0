"""The custom loss: Keras's loss signature, with the per-example weights it allows."""

from __future__ import annotations

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="kreg.weighted_classifier")
def weighted_sparse_crossentropy(y_true, y_pred, sample_weight=None):
    """Sparse categorical cross-entropy on probabilities, each example weighted.

    Has the signature every Keras loss has, ``loss_fn(y_true, y_pred,
    sample_weight=None)``; the weighted sum is divided by the batch size, as
    Keras's default ``"sum_over_batch_size"`` reduction does, so weights of
    one give the plain mean.

    Args:
        y_true: int tensor (batch,). Class labels.
        y_pred: float tensor (batch, classes). Class probabilities.
        sample_weight: float tensor (batch,) or None. Each example's weight;
            None weighs every example 1.

    Returns:
        Scalar tensor. The loss.
    """
    per_example = keras.losses.sparse_categorical_crossentropy(y_true, y_pred)
    if sample_weight is not None:
        per_example = per_example * ops.cast(ops.reshape(sample_weight, ops.shape(per_example)), per_example.dtype)
    return ops.sum(per_example) / ops.cast(ops.shape(per_example)[0], per_example.dtype)
