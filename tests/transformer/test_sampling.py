"""Sampling: temperature reweighting, generation from a prompt, greedy translation."""

from __future__ import annotations

import numpy as np
import pytest

from kreg.errors import KregUsageError
from kreg.plugins.transformer.model import build_language_model, build_transformer
from kreg.plugins.transformer.sampling import (
    decode_sequence,
    generate_text,
    reweight_distribution,
    sample_next,
    sample_text,
    sample_translations,
)

pytestmark = pytest.mark.filterwarnings("ignore:Layer 'decoder' \\(of type Functional\\):UserWarning")

PROBABILITIES = np.array([0.6, 0.3, 0.1])


def entropy(p):
    p = np.asarray(p)
    return -np.sum(p * np.log(p))


def test_reweighting_follows_the_formula():
    for temperature in (0.2, 0.5, 1.0, 1.5):
        expected = PROBABILITIES ** (1 / temperature) / np.sum(PROBABILITIES ** (1 / temperature))
        np.testing.assert_allclose(reweight_distribution(PROBABILITIES, temperature), expected)
    np.testing.assert_allclose(reweight_distribution(PROBABILITIES, 1.0), PROBABILITIES)
    entropies = [entropy(reweight_distribution(PROBABILITIES, t)) for t in (0.2, 0.5, 1.0, 1.5, 3.0)]
    assert entropies == sorted(entropies)  # higher temperature, flatter distribution


def test_sample_next_frequencies_follow_the_temperature():
    rng = np.random.default_rng(0)
    for temperature in (0.5, 1.0, 2.0):
        draws = np.bincount([sample_next(PROBABILITIES, temperature, rng) for _ in range(4000)], minlength=3) / 4000
        np.testing.assert_allclose(draws, reweight_distribution(PROBABILITIES, temperature), atol=0.03)
    assert {sample_next(PROBABILITIES, 0.05, rng) for _ in range(50)} == {0}
    assert sample_next([0.1, 0.2, 0.7], 0) == 2  # 0: greedy
    assert sample_next([0.0, 0.0, 1.0], 1.0, rng) == 2  # zero probabilities are fine


@pytest.fixture(scope="module")
def lm():
    words = ["", "[UNK]", "this", "movie", "is", "good", "bad", "fun", "a", "the"]
    return build_language_model(
        sequence_length=6, vocab_size=12, embed_dim=8, latent_dim=16, num_heads=2, data_state={"vocabulary": words}
    )


def test_generate_text_extends_the_prompt(lm):
    text = generate_text(lm, "This movie", 8, 1.0, np.random.default_rng(0))
    words = text.split()
    assert words[:2] == ["This", "movie"] and len(words) == 10
    assert set(words[2:]) <= {"[UNK]", "this", "movie", "is", "good", "bad", "fun", "a", "the"}  # no padding ""
    same = generate_text(lm, "This movie", 8, 1.0, np.random.default_rng(0))
    assert same == text
    with pytest.raises(KregUsageError, match="prompt"):
        generate_text(lm, "  ", 3, 1.0)


def test_sample_text_one_text_per_temperature(lm, tmp_path):
    out = tmp_path / "texts" / "lm.txt"
    result = sample_text(lm, {}, str(out), prompt="this movie", generate_length=4, temperature=[0.5, 1.0, 0.0])
    assert [s["temperature"] for s in result["samples"]] == [0.5, 1.0, 0.0]
    assert result["text"][0].startswith("[temperature 0.5] this movie ")
    assert result["files"] == [str(out)] and out.read_text().splitlines() == result["text"]
    assert sample_text(lm, {}, None, generate_length=2, seed=3) == sample_text(lm, {}, None, generate_length=2, seed=3)
    with pytest.raises(KregUsageError, match="temperature"):
        sample_text(lm, {}, None, temperature=[-1.0])


@pytest.fixture(scope="module")
def seq2seq():
    return build_transformer(sequence_length=6, vocab_size=12, embed_dim=8, latent_dim=16, num_heads=2)["model"]


def test_decode_sequence_is_greedy_and_bounded(seq2seq):
    text = decode_sequence(seq2seq, "Tom has never heard Mary sing.", max_length=20)
    words = text.split()
    assert words[0] == "[start]"
    assert len(words) <= 1 + 6  # capped at the decoder's sequence_length
    assert "" not in words
    assert decode_sequence(seq2seq, "Tom has never heard Mary sing.", max_length=20) == text
    with pytest.raises(KregUsageError, match="max_length"):
        decode_sequence(seq2seq, "Go.", max_length=0)


def test_decode_sequence_stops_at_end():
    """Push the output bias to [end]: decoding stops after one word."""
    state = {"target_vocabulary": ["", "[UNK]", "[start]", "[end]", "ve"]}
    seq2seq = build_transformer(
        sequence_length=6, vocab_size=12, embed_dim=8, latent_dim=16, num_heads=2, data_state=state
    )["model"]
    head = seq2seq.get_layer("decoder").get_layer("next_token")
    kernel, bias = (np.asarray(w) for w in head.get_weights())
    boosted = bias.copy()
    boosted[3] = 100.0
    head.set_weights([kernel, boosted])
    assert decode_sequence(seq2seq, "Go.") == "[start] [end]"
    result = sample_translations(seq2seq, {}, None, sentence="Go.")
    assert result["text"] == ["Go. -> [start] [end]"]
    assert result["samples"] == [{"input": "Go.", "output": "[start] [end]"}]


def test_untrained_language_model_uses_placeholder_words(lm_hp):
    model = build_language_model(**lm_hp)
    text = sample_text(model, lm_hp, None, generate_length=3, temperature=[1.0])["samples"][0]["text"]
    assert text.startswith("this movie tok") or "[UNK]" in text
