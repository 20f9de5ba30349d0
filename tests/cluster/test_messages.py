"""No error message carries a tensor's numbers: the issue's one-line, 3,300-character failure."""

from __future__ import annotations

import pytest

from kreg.errors import MESSAGE_LIMIT, ArchitectureFailure, describe_exception, shorten_message


def _per_replica_error() -> ValueError:
    """The ValueError TensorFlow raised in the issue: a PerReplica batch converted to a tensor."""
    tf = pytest.importorskip("tensorflow")
    from tensorflow.python.distribute import values

    batch = tf.random.normal((16, 16, 6), seed=1)
    try:
        tf.constant(values.PerReplica((batch,)))
    except ValueError as error:
        return error
    raise AssertionError("TensorFlow converted a PerReplica value")


def test_the_issues_per_replica_error_keeps_shape_and_dtype_but_no_numbers():
    error = _per_replica_error()
    assert len(str(error)) > 1000 and "numpy=" in str(error)  # what TensorFlow says on its own
    message = str(ArchitectureFailure("risk-factor-autoencoder", "train", error))
    assert message == (
        "risk-factor-autoencoder: train failed: ValueError: Attempt to convert a value (PerReplica:{ 0: "
        "<tf.Tensor: shape=(16, 16, 6), dtype=float32> }) with an unsupported type "
        "(<class 'tensorflow.python.distribute.values.PerReplica'>) to a Tensor."
    )


@pytest.mark.parametrize(
    "text, expected",
    [
        ("x <tf.Tensor: shape=(), dtype=float32, numpy=0.5> y", "x <tf.Tensor: shape=(), dtype=float32> y"),
        (
            "v <tf.Variable 'dense/kernel:0' shape=(2, 1) dtype=float32, numpy=\narray([[1.],\n [2.]], dtype=float32)>",
            "v <tf.Variable 'dense/kernel:0' shape=(2, 1) dtype=float32>",
        ),
        (
            "{'a': <tf.Tensor: shape=(1,), dtype=string, numpy=array([b'x>y'], dtype=object)>}",
            "{'a': <tf.Tensor: shape=(1,), dtype=string>}",
        ),
    ],
)
def test_tensor_values_are_dropped(text, expected):
    assert shorten_message(text) == expected


def test_config_dumps_are_collapsed_and_the_cause_after_them_kept():
    """Keras's failed-load message: two whole configs around the one sentence that matters."""
    config = {
        "module": "keras",
        "class_name": "Sequential",
        "config": {"layers": [{"class_name": "Dense", "units": 1}] * 5},
    }
    message = shorten_message(
        f"could not be deserialized. config={config}. Exception encountered: Could not locate class 'Doubler'."
    )
    assert (
        message == "could not be deserialized. config={...}. Exception encountered: Could not locate class 'Doubler'."
    )
    assert shorten_message("shape mismatch [None, 1] vs {'units': 3}") == "shape mismatch [None, 1] vs {'units': 3}"
    assert shorten_message("unbalanced ] and { stay as they are") == "unbalanced ] and { stay as they are"


def test_long_messages_keep_their_start_and_end_saying_how_much_is_cut():
    text = " ".join(f"w{i}" for i in range(400))
    message = describe_exception(RuntimeError(text))
    assert message.startswith("RuntimeError: w0 w1 w2")
    assert message.endswith("w398 w399")
    assert len(message) < MESSAGE_LIMIT + 80
    head, rest = message.removeprefix("RuntimeError: ").split(" ... (", 1)
    cut, tail = rest.split(" characters cut; --debug shows them) ... ")
    assert len(head) + int(cut) + len(tail) == len(text)
    assert f"{head} {text[len(head) + 1 : -len(tail) - 1]} {tail}" == text
