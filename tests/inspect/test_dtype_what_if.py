"""``kreg inspect --dtype``: a what-if of an architecture's memory under another Keras dtype policy."""

from __future__ import annotations


def _memory(kreg_cli, *arguments):
    result = kreg_cli("inspect", "autoencoder", "--component", "model", *arguments, "--json")
    assert result.exit_code == 0, result.output
    return result.json()["components"]["model"]["memory"]


def test_mixed_precision_halves_activations_and_keeps_float32_weights(kreg_cli):
    full = _memory(kreg_cli)
    mixed = _memory(kreg_cli, "--dtype", "mixed_float16")
    assert mixed["activation_bytes_per_example"] * 2 == full["activation_bytes_per_example"]
    assert mixed["parameter_bytes_by_dtype"] == full["parameter_bytes_by_dtype"] == {"float32": full["parameter_bytes"]}
    # What the backward pass reads is float16 too, but for a few float32 tensors the casts read.
    assert 0.5 <= mixed["training"]["activations"] / full["training"]["activations"] <= 0.55
    # The policy is restored: the next build is float32 again.
    assert _memory(kreg_cli) == full


def test_an_unknown_dtype_is_a_usage_error(kreg_cli):
    result = kreg_cli("inspect", "autoencoder", "--dtype", "float64")
    assert result.exit_code == 2
    assert "Traceback" not in result.output
