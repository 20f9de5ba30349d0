"""The cause shown is the most specific line, in terms of what the user did wrong.

Each observation of the issue is reproduced with the built-ins (a folder of
fake images, an empty ``.npz``) or a plugin in this process (a train step
returning ``{}`` or a string metric), then checked against the line kreg prints.
"""

from __future__ import annotations

import numpy as np
import pytest

import kreg
from tests.support.catalogues import catalogue_of
from tests.support.small_models import regressor, regressor_data


def _error(result) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


def test_a_folder_of_fake_images_names_the_undecodable_file_not_the_stack_trace_placeholder(kreg_cli, tmp_path):
    """The issue: the cause shown was "<stack traces unavailable>"; the real one was dropped."""
    for index in range(3):
        (tmp_path / f"image{index}.png").write_text("not an image")
    result = kreg_cli("train", "autoencoder", "--data", str(tmp_path), "--steps", "1")
    assert result.exit_code == 1
    line = _error(result)
    assert line.startswith(
        "kreg: error: autoencoder: data failed: a file in the data is not an image TensorFlow can decode "
        "(Unknown image file format; One of "
    ), line
    assert "PNG" in line and "stack traces" not in line


def test_an_empty_npz_says_the_data_holds_no_examples(kreg_cli, tmp_path):
    """The issue: "buffer_size must be greater than zero"."""
    path = tmp_path / "empty.npz"
    np.savez(path, x=np.zeros((0, 28, 28), "float32"))
    result = kreg_cli("train", "autoencoder", "--data", str(path), "--steps", "1")
    assert result.exit_code == 1
    assert (
        _error(result)
        == "kreg: error: autoencoder: data failed: the dataset is empty: shuffle() got a buffer size of 0 "
        "(the data holds no examples)"
    )


def _no_metrics(model, batch):
    return {}


def _text_metric(model, batch):
    x, y = batch
    return {"loss": model.compute_loss(x, y, model(x)), "note": "fine"}


def _subclass():
    import keras

    class ReturnsNothing(keras.Model):
        def train_step(self, data):
            return {}

    inputs = keras.Input((3,))
    model = ReturnsNothing(inputs, keras.layers.Dense(1)(inputs))
    model.compile(optimizer="sgd", loss="mse")
    return model


@pytest.fixture
def steps() -> kreg.Catalogue:
    return catalogue_of(
        kreg.Architecture(
            name="no-metrics", summary="s", builder=regressor, data_adapter=regressor_data, train_step=_no_metrics
        ),
        kreg.Architecture(
            name="text-metric", summary="s", builder=regressor, data_adapter=regressor_data, train_step=_text_metric
        ),
        kreg.Architecture(name="own-step-no-metrics", summary="s", builder=_subclass, data_adapter=regressor_data),
    )


@pytest.mark.parametrize(
    "name, cause",
    [
        # The issue: "Attr 'Toutput_types' ... less than minimum 1".
        ("no-metrics", "the train step returned no metrics (an empty dict); return at least one, e.g. {'loss': loss}"),
        # A Model subclass's own train_step is not kreg's to check: TensorFlow's message is translated.
        (
            "own-step-no-metrics",
            "the train step returned no metrics (an empty dict); return at least one, e.g. {'loss': loss}",
        ),
        # The issue: "not a scalar (shape ())"; with a progress bar, NumPy's "ufunc 'divide' not supported".
        (
            "text-metric",
            "the train step's metric 'note' is text, not a number; return numbers only (e.g. a scalar tensor)",
        ),
    ],
)
@pytest.mark.parametrize("json_output", [False, True])
def test_what_a_train_step_returns_wrongly_is_said_plainly(steps, kreg_cli, name, cause, json_output):
    result = kreg_cli("train", name, "--steps", "2", *(["--json"] if json_output else []), catalogue=steps)
    assert result.exit_code == 1
    assert _error(result) == f"kreg: error: {name}: train failed: {cause}"


def test_a_layer_error_inside_keras_wrapping_keeps_the_layers_own_message():
    import keras

    from kreg.errors import describe_exception
    from kreg.running.causes import specific_cause

    class Unhappy(keras.layers.Layer):
        def call(self, inputs):
            raise ValueError("this layer needs 4 features")

    with pytest.raises(ValueError) as raised:
        Unhappy()(keras.Input((3,)))
    assert (
        describe_exception(specific_cause(raised.value))
        == "ValueError: this layer needs 4 features (in Unhappy.call())"
    )
