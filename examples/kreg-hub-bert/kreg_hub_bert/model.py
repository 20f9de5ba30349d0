"""The builder: a BertBackbone from its config (no preset, so nothing is downloaded)."""

import keras
import keras_hub


def build(
    vocabulary_size, num_layers, num_heads, hidden_dim, intermediate_dim, sequence_length, mask_rate, learning_rate
):
    """Return the backbone, compiled with an optimizer and no loss.

    kreg calls the builder with every hyperparameter, so it accepts
    ``mask_rate`` although only the data adapter uses it. The backbone takes a
    dict of inputs (token_ids, segment_ids, padding_mask) and returns a dict
    (sequence_output, pooled_output): no Keras loss fits that, so the train
    step computes the loss and the model is compiled without one.
    """
    backbone = keras_hub.models.BertBackbone(
        vocabulary_size=vocabulary_size,
        num_layers=num_layers,
        num_heads=num_heads,
        hidden_dim=hidden_dim,
        intermediate_dim=intermediate_dim,
        max_sequence_length=sequence_length,
    )
    backbone.compile(optimizer=keras.optimizers.Adam(learning_rate))
    return backbone
