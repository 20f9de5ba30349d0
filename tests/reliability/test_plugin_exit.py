"""Plugin code that calls ``sys.exit`` is a failure of its phase (one line, exit 1), under every command.

The issue's case, a builder calling ``sys.exit(7)`` under ``kreg inspect``
(which exited 7 printing nothing), runs on the pip-installed fault plugin; the
other commands run in this process on the same kind of builder, sampler and
train step, where an escaping ``SystemExit`` would show as exit status 7.
"""

from __future__ import annotations

import sys

import pytest

import kreg
from tests.support.catalogues import catalogue_of


def test_inspect_of_a_builder_calling_sys_exit_fails_with_one_line(faults):
    result = faults.kreg("inspect", "fault-exit", "--json")
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr.strip() == "kreg: error: fault-exit: build failed: the plugin called sys.exit(7)"


def _exit_7(**hyperparameters):
    sys.exit(7)


def _exit_with_message(model, batch):
    sys.exit("the train step gives up")


def _model(units=2):
    import keras

    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(units), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    return model


def _data(hyperparameters, batch_size, source):
    import numpy as np
    import tensorflow as tf

    x = np.ones((16, 3), "float32")
    return tf.data.Dataset.from_tensor_slices((x, x[:, :1])).batch(batch_size)


def _sampler_exits(model, hyperparameters, output, **options):
    sys.exit(3)


@pytest.fixture
def exiting() -> kreg.Catalogue:
    """``exits`` (its builder calls sys.exit(7)), ``exits-training`` and ``exits-sampling``."""
    return catalogue_of(
        kreg.Architecture(name="exits", summary="s", builder=_exit_7, data_adapter=_data, sampler=_sampler_exits),
        kreg.Architecture(
            name="exits-training", summary="s", builder=_model, data_adapter=_data, train_step=_exit_with_message
        ),
        kreg.Architecture(
            name="exits-sampling", summary="s", builder=_model, data_adapter=_data, sampler=_sampler_exits
        ),
        plugin="exiting",
    )


@pytest.mark.parametrize(
    "args, message",
    [
        (("inspect", "exits"), "exits: build failed: the plugin called sys.exit(7)"),
        (("plot", "exits", "-o", "{tmp}/graph.dot"), "exits: build failed: the plugin called sys.exit(7)"),
        (("train", "exits", "--json"), "exits: build failed: the plugin called sys.exit(7)"),
        (
            ("train", "exits-training", "--steps", "2"),
            "exits-training: train failed: the plugin called sys.exit('the train step gives up')",
        ),
        (("review", "exits", "-o", "{tmp}/review.html"), "exits: build failed: the plugin called sys.exit(7)"),
        (("sample", "exits"), "exits: build failed: the plugin called sys.exit(7)"),
        (("sample", "exits-sampling"), "exits-sampling: sample failed: the plugin called sys.exit(3)"),
        (("diff", "exits-sampling", "--against", "exits"), "exits: build failed: the plugin called sys.exit(7)"),
    ],
)
def test_every_command_reports_sys_exit_from_plugin_code_as_a_failure(exiting, kreg_cli, tmp_path, args, message):
    result = kreg_cli(*(arg.format(tmp=tmp_path) for arg in args), catalogue=exiting)
    assert result.exit_code == 1, result.output
    assert result.stderr.strip().splitlines()[-1] == f"kreg: error: {message}"
    assert not list(tmp_path.iterdir())  # nothing half-written
