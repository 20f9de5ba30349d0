"""The data adapters: teacher forcing on sentence pairs, the one-token offset on a corpus."""

from __future__ import annotations

import numpy as np
import pytest

from kreg.plugins.transformer.data import (
    lm_data_state,
    make_lm_dataset,
    make_translation_dataset,
    read_pairs,
    synthetic_lm_ids,
    synthetic_translation_ids,
    translation_data_state,
)


def all_batches(dataset):
    return list(dataset.as_numpy_iterator())


def test_translation_pairs_are_teacher_forced(pairs_tsv, seq2seq_hp):
    state = translation_data_state(seq2seq_hp, str(pairs_tsv))
    batches = all_batches(make_translation_dataset(seq2seq_hp, 2, str(pairs_tsv), data_state=state))
    assert [len(targets) for _, targets in batches] == [2, 2, 1]
    length = seq2seq_hp["sequence_length"]
    spanish = state["target_vocabulary"]
    english = state["source_vocabulary"]
    start, end = spanish.index("[start]"), spanish.index("[end]")
    decoded = set()
    for inputs, targets in batches:
        assert set(inputs) == {"encoder_inputs", "decoder_inputs"}
        assert inputs["encoder_inputs"].shape[1] == inputs["decoder_inputs"].shape[1] == targets.shape[1] == length
        assert inputs["encoder_inputs"].dtype == inputs["decoder_inputs"].dtype == targets.dtype == np.int64
        # spa[:, :-1] and spa[:, 1:]: the target is the decoder input moved one token ahead.
        np.testing.assert_array_equal(inputs["decoder_inputs"][:, 1:], targets[:, :-1])
        assert (inputs["decoder_inputs"][:, 0] == start).all()
        for source, target in zip(inputs["encoder_inputs"], targets):
            words = [spanish[i] for i in target if i]
            assert words[-1] == "[end]" and "[start]" not in words
            decoded.add((" ".join(english[i] for i in source if i), " ".join(words[:-1])))
        assert (targets == end).sum() == len(targets)
    assert ("where is the cat", "dónde está el gato") in decoded  # "¿" and "?" stripped, [ ] kept
    assert ("he is tall", "él es alto") in decoded  # the third column is ignored


def test_translation_vocabularies_are_the_data_state(pairs_tsv, seq2seq_hp):
    state = translation_data_state(seq2seq_hp, str(pairs_tsv))
    target = state["target_vocabulary"]
    assert target[:2] == ["", "[UNK]"] and {"[start]", "[end]", "gato"} <= set(target)
    assert "cat" in state["source_vocabulary"]
    # Without a data state the adapter fits the same vocabularies itself.
    given = all_batches(make_translation_dataset(seq2seq_hp, 5, str(pairs_tsv), data_state=state))
    fitted = all_batches(make_translation_dataset(seq2seq_hp, 5, str(pairs_tsv)))
    np.testing.assert_array_equal(given[0][1], fitted[0][1])


def test_synthetic_pairs_are_reversed_sources(seq2seq_hp):
    sources, targets = synthetic_translation_ids(10, 50, examples=64)
    for source, target in zip(sources, targets):
        words = source[source > 0]
        np.testing.assert_array_equal(target[: len(words) + 2], [2, *words[::-1], 3])
        assert not target[len(words) + 2 :].any()
    inputs, y = next(make_translation_dataset(seq2seq_hp, 4).as_numpy_iterator())
    assert (
        inputs["encoder_inputs"].shape
        == inputs["decoder_inputs"].shape
        == y.shape
        == (4, seq2seq_hp["sequence_length"])
    )
    assert translation_data_state(seq2seq_hp, None) == {}  # synthetic ids: no words to learn


def test_language_model_targets_are_offset_by_one(corpus_dir, lm_hp):
    state = lm_data_state(lm_hp, str(corpus_dir))
    batches = all_batches(make_lm_dataset(lm_hp, 8, str(corpus_dir), data_state=state))
    assert sum(len(x) for x, _ in batches) == 40  # every .txt file, the subfolder's too; not notes.md
    vocabulary = state["vocabulary"]
    assert "br" not in vocabulary and "movie" in vocabulary  # <br /> was stripped before adapting
    for x, y in batches:
        assert x.shape == y.shape and x.shape[1] == lm_hp["sequence_length"] - 1
        np.testing.assert_array_equal(x[:, 1:], y[:, :-1])
        assert [vocabulary[i] for i in x[0][:3]] == ["this", "movie", "was"]


def test_synthetic_language_model_data(lm_hp):
    ids = synthetic_lm_ids(12, 40, examples=32)
    assert ids.shape == (32, 12) and ids.max() < 40
    assert all((row[: np.count_nonzero(row)] >= 2).all() for row in ids)
    x, y = next(make_lm_dataset(lm_hp, 4).as_numpy_iterator())
    assert x.shape == y.shape == (4, lm_hp["sequence_length"] - 1)
    np.testing.assert_array_equal(x[:, 1:], y[:, :-1])
    assert lm_data_state(lm_hp, None) == {}


def test_read_pairs_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such file"):
        read_pairs(tmp_path / "missing.tsv")
    bad = tmp_path / "bad.tsv"
    bad.write_text("Go.\tVe.\nno tab here\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad.tsv:2: expected 'English<TAB>Spanish'"):
        read_pairs(bad)
    empty = tmp_path / "empty.tsv"
    empty.write_text("\n\n", encoding="utf-8")
    with pytest.raises(ValueError, match="no sentence pairs"):
        read_pairs(empty)


def test_corpus_errors(tmp_path, lm_hp):
    with pytest.raises(FileNotFoundError, match="not a directory"):
        make_lm_dataset(lm_hp, 4, str(tmp_path / "missing"))
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match=r"no .txt files"):
        make_lm_dataset(lm_hp, 4, str(tmp_path / "empty"))
