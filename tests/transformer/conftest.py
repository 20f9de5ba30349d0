"""Fixtures of the Transformer family's tests: the registered architectures and small corpora."""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

WORDS = [
    "the",
    "movie",
    "was",
    "good",
    "bad",
    "great",
    "boring",
    "fun",
    "and",
    "i",
    "liked",
    "it",
    "not",
    "at",
    "all",
    "this",
    "film",
    "actor",
    "plot",
]
PAIRS = [
    ("Go.", "Ve."),
    ("I love to write.", "Me encanta escribir."),
    ("He is tall.", "Él es alto."),
    ("Where is the cat?", "¿Dónde está el gato?"),
    ("Tom has never heard Mary sing.", "Tom nunca ha oído cantar a Mary."),
]


def registered() -> dict:
    """The family's Architecture records, by name, straight from its hook."""
    from kreg.plugins import transformer

    architectures = []
    transformer.kreg_register_architectures(register=architectures.append)
    return {architecture.name: architecture for architecture in architectures}


def smoke_hyperparameters(name: str) -> dict:
    """Defaults overridden by the ``smoke`` preset."""
    architecture = registered()[name]
    return {**architecture.hyperparameters, **architecture.presets["smoke"]}


@pytest.fixture
def architectures() -> dict:
    """The family's Architecture records, by name."""
    return registered()


@pytest.fixture
def lm_hp() -> dict:
    """Smoke hyperparameters of ``transformer-lm``."""
    return smoke_hyperparameters("transformer-lm")


@pytest.fixture
def seq2seq_hp() -> dict:
    """Smoke hyperparameters of ``transformer``."""
    return smoke_hyperparameters("transformer")


def write_corpus(directory: Path, files: int = 40, seed: int = 0) -> Path:
    """Write short "reviews" (with <br /> tags, some in a subfolder) as .txt files."""
    rng = random.Random(seed)
    (directory / "pos").mkdir(parents=True, exist_ok=True)
    for index in range(files):
        folder = directory / "pos" if index % 2 else directory
        body = " ".join(rng.choice(WORDS) for _ in range(12))
        (folder / f"{index}.txt").write_text(f"This movie was {body}.<br /><br />The end", encoding="utf-8")
    (directory / "notes.md").write_text("not a review", encoding="utf-8")
    return directory


@pytest.fixture
def corpus_words() -> frozenset[str]:
    """The words :func:`write_corpus` draws its files from."""
    return frozenset(WORDS)


@pytest.fixture
def corpus_dir(tmp_path: Path) -> Path:
    """A small directory of .txt reviews."""
    return write_corpus(tmp_path / "corpus")


@pytest.fixture
def pairs_tsv(tmp_path: Path) -> Path:
    """A small English<TAB>Spanish file (one line with a third, ignored column)."""
    path = tmp_path / "spa.txt"
    lines = [f"{english}\t{spanish}" for english, spanish in PAIRS]
    lines[2] += "\tCC-BY 2.0 (France) Attribution"
    path.write_text("\n".join(lines) + "\n\n", encoding="utf-8")
    return path
