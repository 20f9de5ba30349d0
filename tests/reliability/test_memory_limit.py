"""Shapes that would need more memory than the machine has are refused before building, with the estimate.

The issue: ``kreg inspect mlp --set units=10000000000`` ended in ``TypeError:
ResourceExhaustedError.__init__() missing 2 required positional arguments``; a
file declaring ``input_dim`` 1e8 was built and killed for memory after 116 s
with no message. The weights are counted as Keras creates them; the one that
passes the limit is never allocated.
"""

from __future__ import annotations

import json
import os
import time
import zipfile

import pytest

from kreg.memory import MAX_MEMORY_VARIABLE, format_size, parse_size

HUGE = ("--set", "units=10000000000")


def _line(result) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_a_builder_asked_for_more_than_the_machine_has_is_refused_with_the_estimate(kreg_cli):
    started = time.perf_counter()
    result = kreg_cli("inspect", "mlp", *HUGE)
    assert result.exit_code == 2, result.output
    assert _line(result).startswith(
        "kreg: error: mlp needs more memory than allowed: its weights come to at least 28.5 TiB with "
        "'mlp_classifier/mlp/linear_1/w' of shape (784, 10000000000) (float32, 28.5 TiB), more than the "
    )
    assert _line(result).endswith("of this machine's memory (--max-memory SIZE changes the limit; 0 removes it)")
    assert time.perf_counter() - started < 60


def test_max_memory_sets_the_limit_and_is_not_left_in_the_environment(kreg_cli):
    result = kreg_cli("inspect", "mlp", "--max-memory", "50K")  # its weights: 106 kB
    assert result.exit_code == 2, result.output
    assert "more than the 50.0 KiB of --max-memory" in _line(result)
    assert MAX_MEMORY_VARIABLE not in os.environ
    assert kreg_cli("inspect", "mlp", "--max-memory", "8G", "--json").exit_code == 0


def test_out_of_memory_is_found_in_the_chain_keras_raises_and_said_in_one_line():
    """What Keras does with TensorFlow's OOM in a layer: ``type(error)(message)`` fails, a TypeError over it."""
    import tensorflow as tf

    from kreg.running.causes import specific_cause

    message = "OOM when allocating tensor with shape[784,10000000000] and type float on /job:localhost by allocator"
    try:
        try:
            raise tf.errors.ResourceExhaustedError(None, None, message)
        except tf.errors.ResourceExhaustedError:
            raise TypeError("ResourceExhaustedError.__init__() missing 2 required positional arguments") from None
    except TypeError as error:
        cause = specific_cause(error)
    assert cause == (
        "out of memory: TensorFlow could not allocate a float tensor of shape [784, 10000000000] (28.5 TiB); "
        "--max-memory SIZE refuses such builds before they start"
    )
    assert specific_cause(MemoryError()) == "out of memory: MemoryError"


@pytest.mark.slow  # TensorFlow takes about 20 s to give up on 28.5 TiB; the test above covers the cause
def test_without_a_limit_tensorflows_out_of_memory_is_one_line_naming_it(kreg_cli):
    """The issue's TypeError: Keras re-raises TensorFlow's ResourceExhaustedError and fails doing so."""
    result = kreg_cli("inspect", "mlp", *HUGE, "--max-memory", "0")
    assert result.exit_code == 1, result.output
    assert _line(result) == (
        "kreg: error: mlp: build failed: out of memory: TensorFlow could not allocate a float tensor of shape "
        "[784, 10000000000] (28.5 TiB); --max-memory SIZE refuses such builds before they start"
    )


def test_a_file_declaring_a_huge_input_is_refused_before_loading(kreg_cli, tmp_path):
    import keras

    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4)])
    small = tmp_path / "small.keras"
    model.save(small)
    with zipfile.ZipFile(small) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    config = json.loads(members["config.json"])
    config["build_config"]["input_shape"] = config["config"]["build_input_shape"] = [None, 100_000_000]
    for layer in config["config"]["layers"]:
        if layer["class_name"] == "InputLayer":
            layer["config"]["batch_shape"] = [None, 100_000_000]
        if layer["class_name"] == "Dense":
            layer["config"]["units"] = 100_000
            layer["build_config"]["input_shape"] = [None, 100_000_000]
    members["config.json"] = json.dumps(config).encode()
    path = tmp_path / "huge-input.keras"
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    result = kreg_cli("inspect", str(path))
    assert result.exit_code == 2, result.output
    assert _line(result).startswith(f"kreg: error: model file {str(path)!r} needs more memory than allowed: ")
    assert "of shape (100000000, 100000) (float32, 36.4 TiB)" in _line(result)


@pytest.mark.parametrize(
    "text, size", [("8G", 8 << 30), ("512MiB", 512 << 20), ("1.5t", int(1.5 * (1 << 40))), ("1000", 1000), ("0", None)]
)
def test_sizes_are_parsed(text, size):
    assert parse_size(text) == size


def test_a_bad_size_is_a_usage_error(kreg_cli):
    result = kreg_cli("inspect", "mlp", "--max-memory", "lots")
    assert result.exit_code == 2
    assert "Invalid value for '--max-memory': give bytes or a number with K, M, G or T (8G), or 0" in result.stderr


def test_sizes_are_shown_in_binary_units():
    assert [format_size(n) for n in (900, 1536, 28.5 * (1 << 40))] == ["900 B", "1.5 KiB", "28.5 TiB"]


def test_warnings_given_while_building_are_shown_once_as_before(tmp_path):
    import warnings

    from kreg.running.memory_guard import weights_within_memory

    with warnings.catch_warnings(record=True) as shown:
        warnings.simplefilter("always")
        with weights_within_memory("test"):
            warnings.warn("a builder's warning", UserWarning, stacklevel=1)
    assert [str(w.message) for w in shown] == ["a builder's warning"]
