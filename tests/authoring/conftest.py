"""Fixtures for the plugin-author tests: throwaway plugin modules on sys.path."""

from __future__ import annotations

import itertools
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

_counter = itertools.count()

TINY_MODEL = """
import keras
import numpy as np
import tensorflow as tf


def build(units=4):
    model = keras.Sequential(
        [keras.Input((3,), name="x"), keras.layers.Dense(units, name="hidden"), keras.layers.Dense(1, name="out")]
    )
    model.compile(optimizer="adam", loss="mse")
    return model


def data(hyperparameters, batch_size, source):
    x = np.random.default_rng(0).standard_normal((32, 3)).astype("float32")
    return tf.data.Dataset.from_tensor_slices((x, x[:, :1])).batch(batch_size)
"""


def plugin_source(module: str, architecture: str, **fields: str) -> str:
    """A plugin module registering one architecture built by ``<module>_model``."""
    values = {"builder": f"'{module}_model:build'", "data_adapter": f"'{module}_model:data'", **fields}
    arguments = ", ".join(f"{key}={value}" for key, value in values.items())
    return (
        "import kreg\n\n@kreg.hookimpl\ndef kreg_register_architectures(register):\n"
        f"    register(kreg.Architecture(name={architecture!r}, summary='a test architecture', "
        f"hyperparameters={{'units': 4}}, {arguments}))\n"
    )


@pytest.fixture
def write_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., str]:
    """Write modules into a folder on sys.path; returns a unique module name per call.

    ``write_module(source, model=TINY_MODEL_OR_NONE)`` writes ``<name>.py`` and,
    when given, ``<name>_model.py``; both are dropped from ``sys.modules`` after the test.
    """
    folder = tmp_path / "modules"
    folder.mkdir()
    monkeypatch.syspath_prepend(str(folder))
    written: list[str] = []

    def write(source: str | Callable[[str], str], model: str | None = None) -> str:
        name = f"kreg_authoring_plugin_{next(_counter)}"
        text = source(name) if callable(source) else source
        (folder / f"{name}.py").write_text(textwrap.dedent(text))
        written.append(name)
        if model is not None:
            (folder / f"{name}_model.py").write_text(textwrap.dedent(model))
            written.append(f"{name}_model")
        return name

    yield write
    for name in written:
        sys.modules.pop(name, None)
