"""Masks: padding is ignored, the decoder is causal, and the loss skips padded targets."""

from __future__ import annotations

import numpy as np
import pytest

from kreg.plugins.transformer.layers import causal_attention_mask
from kreg.plugins.transformer.model import build_language_model, build_transformer

pytestmark = pytest.mark.filterwarnings("ignore:Layer 'decoder' \\(of type Functional\\):UserWarning")


@pytest.fixture(scope="module")
def seq2seq():
    return build_transformer(sequence_length=8, vocab_size=30, embed_dim=16, latent_dim=32, num_heads=2)


@pytest.fixture(scope="module")
def lm():
    return build_language_model(sequence_length=9, vocab_size=30, embed_dim=16, latent_dim=32, num_heads=2)


def predict(model, *inputs):
    return np.asarray(model(list(inputs) if len(inputs) > 1 else inputs[0], training=False))


def test_causal_mask_shape_and_values():
    mask = np.asarray(causal_attention_mask(np.zeros((2, 4, 3))))
    assert mask.shape == (2, 4, 4)
    np.testing.assert_array_equal(mask[1], np.tril(np.ones((4, 4), dtype=bool)))


def test_embedding_mask_reaches_the_output(seq2seq):
    decoder_inputs = np.array([[2, 9, 10, 0, 0, 0, 0, 0]])
    outputs = seq2seq["model"]([np.array([[5, 6, 0, 0, 0, 0, 0, 0]]), decoder_inputs], training=False)
    np.testing.assert_array_equal(np.asarray(outputs._keras_mask), decoder_inputs != 0)


def test_padded_source_tokens_change_nothing(seq2seq):
    """The encoder's padding mask reaches the cross-attention inside the nested decoder."""
    decoder_inputs = np.array([[2, 9, 10, 11, 0, 0, 0, 0]])
    padded = predict(seq2seq["model"], np.array([[5, 6, 7, 0, 0, 0, 0, 0]]), decoder_inputs)
    trimmed = predict(seq2seq["model"], np.array([[5, 6, 7]]), decoder_inputs)
    np.testing.assert_allclose(padded, trimmed, atol=1e-5)


def test_every_target_position_sees_the_whole_source(seq2seq):
    """Cross-attention is not causal in translation (the seeds' mask made it so)."""
    decoder_inputs = np.array([[2, 9, 0, 0, 0, 0, 0, 0]])
    source = np.array([[5, 6, 7, 8, 9, 10, 11, 12]])
    changed = source.copy()
    changed[0, -1] = 13
    first = predict(seq2seq["model"], source, decoder_inputs)[0, 0]
    second = predict(seq2seq["model"], changed, decoder_inputs)[0, 0]
    assert np.abs(first - second).max() > 1e-6


def test_decoder_is_causal(seq2seq):
    source = np.array([[5, 6, 7, 0, 0, 0, 0, 0]])
    target = np.array([[2, 9, 10, 11, 12, 0, 0, 0]])
    changed = target.copy()
    changed[0, 3] = 20
    before, after = predict(seq2seq["model"], source, target), predict(seq2seq["model"], source, changed)
    np.testing.assert_allclose(before[0, :3], after[0, :3], atol=1e-6)
    assert np.abs(before[0, 3] - after[0, 3]).max() > 1e-6


def test_language_model_never_sees_the_future(lm):
    """TransformerDecoder(x, x): both attentions are causal, so position i depends on tokens <= i only."""
    tokens = np.array([[3, 4, 5, 6, 7, 8, 9, 10]])
    for position in range(1, 8):
        changed = tokens.copy()
        changed[0, position] = 25
        before, after = predict(lm, tokens), predict(lm, changed)
        np.testing.assert_allclose(before[0, :position], after[0, :position], atol=1e-6)
        assert np.abs(before[0, position] - after[0, position]).max() > 1e-6


def test_loss_ignores_padded_targets(lm):
    inputs = np.array([[3, 4, 5, 0, 0, 0, 0, 0], [3, 4, 5, 6, 7, 8, 9, 10]])
    targets = np.array([[4, 5, 6, 0, 0, 0, 0, 0], [4, 5, 6, 7, 8, 9, 10, 11]])
    noisy = targets.copy()
    noisy[0, 3:] = 17  # changes only where the input is padding
    clean_loss = lm.evaluate(inputs, targets, verbose=0)
    assert lm.evaluate(inputs, noisy, verbose=0) == pytest.approx(clean_loss)
    noisy[0, 1] = 17
    assert lm.evaluate(inputs, noisy, verbose=0) != pytest.approx(clean_loss)
