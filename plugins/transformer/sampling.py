"""Text from the trained models: greedy translation and temperature sampling.

``decode_sequence`` is the keras.io English-to-Spanish example's greedy decoder;
``reweight_distribution``, ``sample_next`` and ``TextGenerator`` are Deep Learning
with Python's listings 12.1 and 12.7.
The samplers ``sample_translations`` and ``sample_text`` are what
``kreg sample`` calls; they read the vocabularies and lengths from the model's
``PositionalEmbedding`` layers, so a model loaded from a ``.keras`` file needs
nothing else.

Padding (id 0) is never chosen as a word. Two slips of listing 12.7 are not
copied: its callback never passes the temperature to ``sample_next`` (every
text used 1.0), and it reads the prediction at step ``i`` rather than at the
last token of the text so far, which lags by the prompt's length minus one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import keras
import numpy as np

from kreg.errors import KregUsageError
from kreg.files import write_atomically
from kreg.plugins.common.defaults import defaults_from
from kreg.plugins.transformer.defaults import TEXT_SAMPLE_OPTIONS, TRANSLATION_SAMPLE_OPTIONS
from kreg.plugins.transformer.layers import PositionalEmbedding
from kreg.plugins.transformer.model import decoder_mask_warning_ignored
from kreg.plugins.transformer.vocabulary import (
    END_TOKEN,
    OOV_TOKEN,
    START_TOKEN,
    make_vectorizer,
    placeholder_vocabulary,
)


def reweight_distribution(original_distribution: Sequence[float], temperature: float = 0.5) -> np.ndarray:
    """Listing 12.1: raise probabilities to the power 1/temperature and renormalise.

    Args:
        original_distribution: 1-D array of probabilities summing to 1.
        temperature: float. Above 1 flattens the distribution, below 1 sharpens it.

    Returns:
        np.ndarray. float64 probabilities summing to 1.
    """
    distribution = np.log(np.asarray(original_distribution, dtype="float64")) / temperature
    distribution = np.exp(distribution - np.max(distribution))  # shifted: same result, no overflow
    return distribution / np.sum(distribution)


def sample_next(predictions: Sequence[float], temperature: float = 1.0, rng: np.random.Generator | None = None) -> int:
    """Listing 12.7's ``sample_next``: draw an id from temperature-reweighted probabilities.

    Args:
        predictions: 1-D array. The model's softmax over the vocabulary.
        temperature: float. Sampling temperature; 0 means greedy (argmax).
        rng: np.random.Generator or None. Source of randomness (a fresh one if None).

    Returns:
        int. The sampled id.
    """
    if temperature == 0:
        return int(np.argmax(predictions))
    rng = np.random.default_rng() if rng is None else rng
    with np.errstate(divide="ignore"):  # log(0) = -inf is fine: exp(-inf) = 0
        probabilities = reweight_distribution(predictions, temperature)
    return int(np.argmax(rng.multinomial(1, probabilities, 1)))


def generate_text(
    model: keras.Model, prompt: str, generate_length: int, temperature: float, rng: np.random.Generator | None = None
) -> str:
    """Extend ``prompt`` by ``generate_length`` sampled words, one model call per word.

    Args:
        model: keras.Model. A ``transformer-lm`` model (ids in, next-id softmax out).
        prompt: str. The text to continue.
        generate_length: int. Words to sample.
        temperature: float. Sampling temperature (0: greedy).
        rng: np.random.Generator or None. Source of randomness.

    Returns:
        str. The prompt followed by the sampled words, space-separated.

    Raises:
        KregUsageError: the prompt has no words.
    """
    embedding = _embedding(model, "positional_embedding")
    vocabulary = _vocabulary(embedding)
    length = embedding.sequence_length
    vectorizer = make_vectorizer(embedding.vocab_size, None, vocabulary=vocabulary)
    ids = [int(i) for i in np.asarray(vectorizer([prompt]))[0] if i != 0]
    if not ids:
        raise KregUsageError(f"sample option 'prompt': {prompt!r} has no words to start from")
    words = []
    for _ in range(generate_length):
        window = ids[-length:]
        batch = np.zeros((1, length), dtype="int64")
        batch[0, : len(window)] = window
        predictions = np.asarray(model.predict_on_batch(batch))
        next_id = sample_next(_without_padding(predictions[0, len(window) - 1]), temperature, rng)
        ids.append(next_id)
        words.append(_word(vocabulary, next_id))
    return " ".join([prompt, *words])


class TextGenerator(keras.callbacks.Callback):
    """Listing 12.7's callback: after every ``print_freq`` epochs, continue a prompt at several temperatures.

    Args:
        prompt: str. The text to continue, e.g. ``"This movie"``.
        generate_length: int. Words to sample.
        model_input_length: int. The seed's argument, kept for its signature;
            the window comes from the model's PositionalEmbedding.
        temperatures: Sequence[float]. One text per temperature.
        print_freq: int. Generate every this many epochs.
        seed: int or None. Seed of the sampling randomness.

    Attributes:
        texts: list[tuple[int, float, str]]. (epoch, temperature, text) of every generation.
    """

    def __init__(
        self,
        prompt: str,
        generate_length: int,
        model_input_length: int,
        temperatures: Sequence[float] = (1.0,),
        print_freq: int = 1,
        seed: int | None = None,
    ):
        super().__init__()
        self.prompt = prompt
        self.generate_length = generate_length
        self.model_input_length = model_input_length
        self.temperatures = tuple(temperatures)
        self.print_freq = print_freq
        self.rng = np.random.default_rng(seed)
        self.texts: list[tuple[int, float, str]] = []

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        """Print (and keep) one generated text per temperature."""
        if (epoch + 1) % self.print_freq != 0:
            return
        for temperature in self.temperatures:
            print("== Generating with temperature", temperature)
            text = generate_text(self.model, self.prompt, self.generate_length, temperature, self.rng)
            print(text)
            self.texts.append((epoch, temperature, text))


def decode_sequence(
    model: keras.Model, input_sentence: str, max_length: int = TRANSLATION_SAMPLE_OPTIONS["max_length"]
) -> str:
    """The seed's greedy ``decode_sequence``: translate one sentence, word by word, until ``[end]``.

    Args:
        model: keras.Model. A ``transformer`` model (``[encoder_inputs, decoder_inputs]``).
        input_sentence: str. The English sentence.
        max_length: int. Most words to generate (the seed's
            ``max_decoded_sentence_length``); capped at the decoder's sequence_length.

    Returns:
        str. ``"[start] ..."``, ending with ``"[end]"`` when the model produced it.
    """
    source_embedding = _embedding(model, "encoder_embedding")
    target_embedding = _embedding(_submodel(model, "decoder"), "decoder_embedding")
    target_vocabulary = _vocabulary(target_embedding, specials=(START_TOKEN, END_TOKEN))
    length = target_embedding.sequence_length
    if max_length < 1:
        raise KregUsageError(f"sample option 'max_length': must be at least 1, got {max_length}")
    max_length = min(max_length, length)  # the decoder has no position past its sequence_length
    if START_TOKEN not in target_vocabulary:
        raise ValueError(f"the target vocabulary has no {START_TOKEN!r} token")
    vectorizer = make_vectorizer(
        source_embedding.vocab_size, source_embedding.sequence_length, vocabulary=_vocabulary(source_embedding)
    )
    tokenized_input_sentence = np.asarray(vectorizer([input_sentence]))
    ids = [target_vocabulary.index(START_TOKEN)]
    decoded = [START_TOKEN]
    for i in range(max_length):
        tokenized_target_sentence = np.zeros((1, length), dtype="int64")
        tokenized_target_sentence[0, : len(ids)] = ids
        with decoder_mask_warning_ignored():
            predictions = np.asarray(model.predict_on_batch([tokenized_input_sentence, tokenized_target_sentence]))
        sampled_token_index = int(np.argmax(_without_padding(predictions[0, i, :])))
        sampled_token = _word(target_vocabulary, sampled_token_index)
        ids.append(sampled_token_index)
        decoded.append(sampled_token)
        if sampled_token == END_TOKEN:
            break
    return " ".join(decoded)


@defaults_from(TRANSLATION_SAMPLE_OPTIONS)
def sample_translations(
    model: keras.Model,
    hyperparameters: dict[str, Any],
    output: str | None,
    *,
    sentence: Sequence[str],
    max_length: int,
) -> dict[str, Any]:
    """``kreg sample transformer``: translate sentences greedily.

    Args:
        model: keras.Model. The trained (or loaded) transformer.
        hyperparameters: dict. Unused: sizes and vocabularies come from the model.
        output: str or None. A text file to write the translations to.
        sentence: Sequence[str]. English sentences (a str is one sentence).
        max_length: int. Most words per translation.

    Returns:
        dict. ``"text"`` (``"English -> [start] ... [end]"`` lines),
        ``"samples"`` (``{"input", "output"}`` pairs) and ``"files"``.
    """
    sentences = [sentence] if isinstance(sentence, str) else list(sentence)
    samples = [{"input": text, "output": decode_sequence(model, text, max_length)} for text in sentences]
    lines = [f"{sample['input']} -> {sample['output']}" for sample in samples]
    return {"text": lines, "samples": samples, "files": _write(output, lines)}


@defaults_from(TEXT_SAMPLE_OPTIONS)
def sample_text(
    model: keras.Model,
    hyperparameters: dict[str, Any],
    output: str | None,
    *,
    prompt: str,
    generate_length: int,
    temperature: Sequence[float],
    seed: int,
) -> dict[str, Any]:
    """``kreg sample transformer-lm``: continue a prompt at several temperatures.

    Args:
        model: keras.Model. The trained (or loaded) language model.
        hyperparameters: dict. Unused: sizes and the vocabulary come from the model.
        output: str or None. A text file to write the texts to.
        prompt: str. The text to continue.
        generate_length: int. Words to sample per text.
        temperature: Sequence[float]. One text per temperature (a number is one).
        seed: int. Seed of the sampling randomness (the same seed, the same texts).

    Returns:
        dict. ``"text"`` (``"[temperature T] ..."`` lines), ``"samples"``
        (``{"temperature", "text"}``) and ``"files"``.
    """
    temperatures = [temperature] if isinstance(temperature, (int, float)) else list(temperature)
    if any(t < 0 for t in temperatures) or not temperatures:
        raise KregUsageError(f"sample option 'temperature': give one or more numbers >= 0, got {temperatures}")
    if generate_length < 0:
        raise KregUsageError(f"sample option 'generate_length': must be >= 0, got {generate_length}")
    rng = np.random.default_rng(seed)
    samples = [{"temperature": t, "text": generate_text(model, prompt, generate_length, t, rng)} for t in temperatures]
    lines = [f"[temperature {sample['temperature']}] {sample['text']}" for sample in samples]
    return {"text": lines, "samples": samples, "files": _write(output, lines)}


def _embedding(model: keras.Model, name: str) -> PositionalEmbedding:
    try:
        layer = model.get_layer(name)
    except ValueError:
        layer = None
    if not isinstance(layer, PositionalEmbedding):
        raise ValueError(
            f"model {model.name!r} has no PositionalEmbedding named {name!r}; is it the right architecture?"
        )
    return layer


def _submodel(model: keras.Model, name: str) -> keras.Model:
    try:
        return model.get_layer(name)
    except ValueError:
        raise ValueError(f"model {model.name!r} has no nested model {name!r}; is it a transformer model?") from None


def _vocabulary(embedding: PositionalEmbedding, specials: Sequence[str] = ()) -> list[str]:
    """The embedding's saved vocabulary, or placeholder words for a model never fitted to text."""
    vocabulary = embedding.vocabulary
    return vocabulary if vocabulary is not None else placeholder_vocabulary(embedding.vocab_size, specials)


def _without_padding(probabilities: np.ndarray) -> np.ndarray:
    """Zero the probability of id 0 and renormalise: padding is never a word.

    The seeds append whatever id wins, padding included, then re-tokenise the
    text, which silently drops it; choosing only among words is what that amounts to.
    """
    probabilities = np.asarray(probabilities, dtype="float64").copy()
    probabilities[0] = 0.0
    return probabilities / np.sum(probabilities)


def _word(vocabulary: list[str], index: int) -> str:
    """The word of an id; ids past a vocabulary smaller than vocab_size (a small corpus) read as [UNK]."""
    return vocabulary[index] if index < len(vocabulary) else OOV_TOKEN


def _write(output: str | None, lines: list[str]) -> list[str]:
    if output is None:
        return []
    return [str(write_atomically(output, "\n".join(lines) + "\n"))]
