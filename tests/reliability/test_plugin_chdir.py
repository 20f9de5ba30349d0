"""A plugin that changes the working folder cannot move what the user named.

The issue's case: a builder calling ``os.chdir`` moved ``--save rel.keras``
and ``-o rel.html`` into the plugin's folder (exit 0). Every output path is
made absolute and checked before any plugin code runs: the builder, here, and
the plugin's import, with the pip-installed fault plugin.
"""

from __future__ import annotations

import json
import os

import pytest

import kreg
from tests.support.catalogues import catalogue_of


def _wandering_builder(destination: str = ""):
    """A builder that moves the process to another folder, then builds a small regressor."""
    import keras

    os.chdir(destination)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    return model


def _data(hyperparameters, batch_size, source):
    import numpy as np
    import tensorflow as tf

    x = np.ones((16, 3), "float32")
    return tf.data.Dataset.from_tensor_slices((x, x[:, :1])).batch(batch_size)


@pytest.fixture
def wandering(tmp_path, monkeypatch):
    """A catalogue with ``wanders`` (its builder chdirs to ``elsewhere/``), the test in ``here/``."""
    here, elsewhere = tmp_path / "here", tmp_path / "elsewhere"
    here.mkdir()
    elsewhere.mkdir()
    monkeypatch.chdir(here)
    architecture = kreg.Architecture(
        name="wanders",
        summary="s",
        builder=_wandering_builder,
        data_adapter=_data,
        hyperparameters={"destination": str(elsewhere)},
    )
    return catalogue_of(architecture, plugin="wandering"), here, elsewhere


@pytest.mark.parametrize(
    "args, written",
    [
        (
            ("train", "wanders", "--steps", "1", "--save", "rel.keras", "--logdir", "logs", "--json"),
            ["logs", "rel.keras"],
        ),
        (("review", "wanders", "-o", "rel.html"), ["rel.html"]),
        (("plot", "wanders", "-o", "rel.dot"), ["rel.dot"]),
    ],
)
def test_a_builder_changing_folder_leaves_the_outputs_where_the_user_named_them(kreg_cli, wandering, args, written):
    catalogue, here, elsewhere = wandering
    result = kreg_cli(*args, catalogue=catalogue)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in here.iterdir()) == written
    assert not list(elsewhere.iterdir())


CHDIR_AT_IMPORT = """
import os

import kreg

os.chdir(os.environ["WANDER_TO"])


@kreg.hookimpl
def kreg_register_architectures(register):
    register(kreg.Architecture(
        name="wanders-at-import",
        summary="A regressor whose plugin changes the working folder when imported",
        builder="kreg_test_wander:build",
        data_adapter="kreg_test_wander:data",
    ))


def build():
    import keras

    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    return model


def data(hyperparameters, batch_size, source):
    import numpy as np
    import tensorflow as tf

    x = np.ones((16, 3), "float32")
    return tf.data.Dataset.from_tensor_slices((x, x[:, :1])).batch(batch_size)
"""


def test_a_plugin_changing_folder_when_imported_cannot_move_save_or_logdir(plugin_environment_factory, tmp_path):
    environment = plugin_environment_factory({"kreg-test-wander": CHDIR_AT_IMPORT})
    here, elsewhere = tmp_path / "here", tmp_path / "elsewhere"
    here.mkdir()
    elsewhere.mkdir()
    result = environment.kreg(
        "train",
        "wanders-at-import",
        "--steps",
        "1",
        "--save",
        "out/rel.keras",
        "--logdir",
        "logs",
        "--json",
        cwd=here,
        env={"WANDER_TO": str(elsewhere)},
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["saved"] == str(here / "out" / "rel.keras")
    assert sorted(p.name for p in here.iterdir()) == ["logs", "out"]
    assert not list(elsewhere.iterdir())
