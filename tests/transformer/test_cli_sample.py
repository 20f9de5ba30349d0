"""``kreg sample``: option parsing, errors, and the train -> save -> sample round trip in a fresh process."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from kreg.cli.sampling import parse_sample_options
from kreg.errors import KregUsageError

pytestmark = pytest.mark.filterwarnings(
    "ignore:Layer 'decoder' \\(of type Functional\\):UserWarning",
    "ignore:`shuffle=True` was passed:UserWarning",
)

DEFAULTS = {
    "prompt": "this movie",
    "generate_length": 50,
    "temperature": [0.2, 1.0],
    "seed": 0,
    "greedy": False,
    "sentence": ["a"],
}


def test_parse_sample_options_types():
    tokens = [
        "--prompt",
        "a good film",
        "--temperature",
        "0.5",
        "1",
        "--generate-length=7",
        "--greedy",
        "--sentence",
        "Hello, world.",
        "Go.",
    ]
    assert parse_sample_options("x", tokens, DEFAULTS) == {
        "prompt": "a good film",
        "temperature": [0.5, 1.0],
        "generate_length": 7,
        "greedy": True,
        "sentence": ["Hello, world.", "Go."],
    }
    assert parse_sample_options("x", ["--temperature", "0.5,1.5"], DEFAULTS) == {"temperature": [0.5, 1.5]}
    assert parse_sample_options("x", ["--temperature", "[2]", "--no-greedy"], DEFAULTS) == {
        "temperature": [2.0],
        "greedy": False,
    }
    assert parse_sample_options("x", ["--seed", "-3"], DEFAULTS) == {"seed": -3}
    assert parse_sample_options("x", [], DEFAULTS) == {}


@pytest.mark.parametrize(
    ("tokens", "message"),
    [
        (
            ["--bogus", "1", "--prompt", "a", "--zz"],
            "unknown sample options --bogus, --zz for 'x'; its options: --prompt,",
        ),
        (["--prompt", "a", "b"], "--prompt: takes one value, got 2"),
        (["--generate-length", "many"], "--generate-length: 'many' is not an integer"),
        (["--temperature"], "--temperature: needs a value"),
        (["stray"], "unexpected argument 'stray'"),
    ],
)
def test_parse_sample_options_errors(tokens, message):
    with pytest.raises(KregUsageError) as caught:
        parse_sample_options("x", tokens, DEFAULTS)
    assert message in str(caught.value)


def test_help_lists_the_architecture_options(kreg_cli):
    result = kreg_cli("sample", "transformer-lm", "-h")
    assert result.exit_code == 0, result.output
    assert "Usage: kreg sample" in result.output
    for text in ("--prompt", "--generate-length", "--temperature", "list[float]", "--seed"):
        assert text in result.output
    assert "--sentence" in kreg_cli("sample", "transformer", "--help").output


def test_usage_errors_exit_2(kreg_cli):
    unknown = kreg_cli("sample", "transformer-lm", "--prompt", "hi", "--tempreature", "1")
    assert unknown.exit_code == 2
    assert "unknown sample option --tempreature for 'transformer-lm'" in unknown.output
    assert kreg_cli("sample").exit_code == 2
    no_sampler = kreg_cli("sample", "risk-factor-autoencoder")
    assert no_sampler.exit_code == 2 and "has no sampler" in no_sampler.output
    missing = kreg_cli("sample", "transformer-lm", "--model", "nowhere.keras")
    assert missing.exit_code == 2 and "does not exist" in missing.output
    bad_set = kreg_cli("sample", "transformer-lm", "--set", "embed_dim=big")
    assert bad_set.exit_code == 2 and "embed_dim" in bad_set.output


def test_untrained_build_from_preset_and_set(tmp_path, kreg_cli):
    out = tmp_path / "texts.txt"
    result = kreg_cli(
        "sample",
        "transformer-lm",
        "--preset",
        "smoke",
        "--set",
        "vocab_size=50",
        "--generate-length",
        "3",
        "--temperature",
        "0.5",
        "1.0",
        "-o",
        str(out),
        "--json",
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["hyperparameters"]["vocab_size"] == 50 and report["model"] is None
    assert [s["temperature"] for s in report["samples"]] == [0.5, 1.0]
    assert report["files"] == [str(out)] and out.read_text().splitlines() == report["text"]


def train_and_save_language_model(corpus_dir, path, hp):
    """What `kreg train transformer-lm --data DIR --save FILE` does: learn the vocabulary, build, fit, save."""
    from kreg.plugins.transformer.data import lm_data_state, make_lm_dataset
    from kreg.plugins.transformer.model import build_language_model
    from kreg.plugins.transformer.sampling import TextGenerator

    state = lm_data_state(hp, str(corpus_dir))
    model = build_language_model(**hp, data_state=state)
    dataset = make_lm_dataset(hp, 8, str(corpus_dir), data_state=state)
    callback = TextGenerator(
        "this movie",
        generate_length=4,
        model_input_length=hp["sequence_length"],
        temperatures=(0.5, 1.0),
        print_freq=2,
        seed=0,
    )
    history = model.fit(dataset, epochs=4, verbose=0, callbacks=[callback])
    model.save(path)
    return history, callback


def run_kreg(*args: str, cwd) -> subprocess.CompletedProcess:
    env = {**os.environ, "KERAS_BACKEND": "tensorflow", "TF_CPP_MIN_LOG_LEVEL": "3"}
    return subprocess.run(
        [sys.executable, "-m", "kreg", *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=300
    )


# Slow (15 s); the default suite saves the vocabulary with the model (the test above) and samples in process.
@pytest.mark.slow
def test_train_save_then_sample_in_a_fresh_process(corpus_dir, corpus_words, tmp_path, lm_hp, kreg_cli):
    path = tmp_path / "lm.keras"
    history, callback = train_and_save_language_model(corpus_dir, path, lm_hp)
    assert history.history["loss"][-1] < history.history["loss"][0]
    # The seed's callback ran after epochs 2 and 4, once per temperature.
    assert [(epoch, t) for epoch, t, _ in callback.texts] == [(1, 0.5), (1, 1.0), (3, 0.5), (3, 1.0)]

    result = run_kreg(
        "sample",
        "transformer-lm",
        "--model",
        str(path),
        "--prompt",
        "this movie",
        "--temperature",
        "0.5",
        "1.0",
        "--generate-length",
        "12",
        "--json",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["model"] == str(path) and report["options"]["temperature"] == [0.5, 1.0]
    assert [s["temperature"] for s in report["samples"]] == [0.5, 1.0]
    known_words = {"this", "movie", "was", "the", "end", "[UNK]"} | corpus_words
    for sample in report["samples"]:
        words = sample["text"].split()
        assert words[:2] == ["this", "movie"] and len(words) == 14
        # Words, not placeholder ids: the vocabulary came with the file.
        assert set(words[2:]) <= known_words, words

    out = tmp_path / "out.txt"
    plain = kreg_cli(
        "sample", "transformer-lm", "--model", str(path), "--generate-length", "2", "--temperature", "0", "-o", str(out)
    )
    assert plain.exit_code == 0, plain.output
    lines = plain.stdout.splitlines()
    assert lines[0].startswith("[temperature 0.0] this movie ") and lines[-1] == f"wrote {out}"
    assert out.read_text().splitlines() == lines[:-1]


@pytest.mark.slow
def test_translation_round_trip_in_a_fresh_process(pairs_tsv, tmp_path, seq2seq_hp):
    from kreg.plugins.transformer.data import make_translation_dataset, translation_data_state
    from kreg.plugins.transformer.model import build_transformer

    state = translation_data_state(seq2seq_hp, str(pairs_tsv))
    model = build_transformer(**seq2seq_hp, data_state=state)["model"]
    model.fit(make_translation_dataset(seq2seq_hp, 2, str(pairs_tsv), data_state=state).repeat(20), epochs=1, verbose=0)
    path = tmp_path / "transformer.keras"
    model.save(path)
    result = run_kreg(
        "sample", "transformer", "--model", str(path), "--sentence", "Where is the cat?", "Go.", "--json", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    spanish = {
        "[start]",
        "[end]",
        "[UNK]",
        *[
            "ve",
            "me",
            "encanta",
            "escribir",
            "él",
            "es",
            "alto",
            "dónde",
            "está",
            "el",
            "gato",
            "tom",
            "nunca",
            "ha",
            "oído",
            "cantar",
            "a",
            "mary",
        ],
    }
    for sample in report["samples"]:
        words = sample["output"].split()
        assert words[0] == "[start]" and set(words) <= spanish, words


def test_kreg_train_with_data_saves_the_vocabulary_and_an_untrained_build_has_none(
    corpus_dir, corpus_words, tmp_path, kreg_cli
):
    """`kreg train --data DIR --save lm.keras`, then `kreg sample --model lm.keras` in a fresh process.

    The vocabulary comes from the data-state step through the builder into the
    file; an untrained build afterwards, in the same process, carries no
    vocabulary of that run (placeholder words only).
    """
    path = tmp_path / "lm.keras"
    trained = kreg_cli(
        "train",
        "transformer-lm",
        "--preset",
        "smoke",
        "--data",
        str(corpus_dir),
        "--steps",
        "2",
        "--batch-size",
        "8",
        "--save",
        str(path),
        "--json",
    )
    assert trained.exit_code == 0, trained.output
    result = run_kreg(
        "sample",
        "transformer-lm",
        "--model",
        str(path),
        "--prompt",
        "this movie",
        "--temperature",
        "1.0",
        "--generate-length",
        "8",
        "--json",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    known_words = {"[UNK]", "br", "end", *corpus_words}
    words = json.loads(result.stdout)["samples"][0]["text"].split()
    assert set(words[2:]) <= known_words, words

    untrained = kreg_cli(
        "sample", "transformer-lm", "--preset", "smoke", "--generate-length", "8", "--temperature", "1.0", "--json"
    )
    assert untrained.exit_code == 0, untrained.output
    generated = json.loads(untrained.stdout)["samples"][0]["text"].split()[2:]
    assert generated and not set(generated) & (known_words - {"[UNK]"}), generated
    assert all(word == "[UNK]" or word.startswith("tok") for word in generated)
