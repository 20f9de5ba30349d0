"""Traced layer calls and the threaded-Dense report, also inside custom layers."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from kreg.inspect_tools.dense import threading_phrase
from kreg.inspect_tools.report import component_report
from kreg.inspect_tools.report_types import DenseEntry
from kreg.inspect_tools.tracing import trace_model


def _dense_by_path(report):
    return {entry.path: entry for entry in report.dense}


def test_threaded_dense_reports_kernel_threading_and_macs(toy):
    report = component_report(toy.threaded_model())

    hidden = _dense_by_path(report)["hidden_layer"]
    assert hidden == DenseEntry(
        path="hidden_layer",
        input_shape=[None, 100, 20],
        output_shape=[None, 100, 8],
        kernel_shape=[20, 8],
        threaded_over=[100],
        params=168,
        macs=16000,
    )
    factor = _dense_by_path(report)["output_factor"]
    assert factor.threaded_over == [] and factor.macs == 100 * 3


def test_layer_rows_list_inputs_then_calls_with_shapes(toy):
    report = component_report(toy.threaded_model())

    rows = [(r.path, r.layer_class, r.input_shape, r.output_shape, r.params) for r in report.layers]
    assert rows == [
        ("input_beta", "InputLayer", [None, 100, 20], [None, 100, 20], 0),
        ("input_factor", "InputLayer", [None, 100], [None, 100], 0),
        ("hidden_layer", "Dense", [None, 100, 20], [None, 100, 8], 168),
        ("batch_norm", "BatchNormalization", [None, 100, 8], [None, 100, 8], 32),
        ("output_beta", "Dense", [None, 100, 8], [None, 100, 3], 27),
        ("output_factor", "Dense", [None, 100], [None, 3], 303),
        ("output_layer", "Dot", [[None, 100, 3], [None, 3]], [None, 100], 0),
    ]


def test_dense_inside_a_custom_layer_is_traced(toy):
    report = component_report(toy.custom_layer_model())

    assert list(_dense_by_path(report)) == ["block/inner_a", "block/inner_b", "head"]
    inner = _dense_by_path(report)["block/inner_a"]
    assert inner.threaded_over == [7] and inner.kernel_shape == [6, 6] and inner.macs == 7 * 6 * 6
    block = report.row_at("block")
    assert block is not None and block.layer_class == "MLPBlock" and block.params == 2 * (6 * 6 + 6)


def test_dense_inside_a_nested_model_is_traced(toy):
    report = component_report(toy.nested_model())

    assert list(_dense_by_path(report)) == ["inner_model/inner_dense", "outer_dense"]
    assert report.row_at("inner_model").layer_class == "Functional"


def test_shared_dense_called_twice_gives_two_entries(toy):
    report = component_report(toy.shared_dense_model())

    entries = report.dense
    assert [e.path for e in entries] == ["shared", "shared#2"]
    assert entries[0].input_shape == [None, 3] and entries[0].threaded_over == []
    assert entries[1].input_shape == [None, 5, 3] and entries[1].threaded_over == [5]
    assert entries[1].macs == 5 * 3 * 4


def test_multi_head_attention_projections_are_reported_as_dense(toy):
    report = component_report(toy.attention_model(sequence_length=10, dim=16, heads=2, key_dim=8))

    entries = _dense_by_path(report)
    assert list(entries) == ["mha/query", "mha/key", "mha/value", "mha/attention_output"]
    query = entries["mha/query"]
    assert query.kernel_shape == [16, 2, 8]
    assert query.threaded_over == [10]
    assert query.output_shape == [None, 10, 2, 8]
    assert query.macs == 10 * 16 * 2 * 8
    assert query.params == 16 * 2 * 8 + 2 * 8
    output = entries["mha/attention_output"]
    assert output.kernel_shape == [2, 8, 16] and output.threaded_over == [10]
    assert output.macs == 10 * 2 * 8 * 16


def test_unknown_sequence_length_gives_null_macs(toy):
    report = component_report(toy.attention_model(sequence_length=None))

    query = _dense_by_path(report)["mha/query"]
    assert query.threaded_over == [None] and query.macs is None
    assert "? positions" in threading_phrase(query)


def test_einsum_dense_with_ellipsis():
    inputs = keras.Input((4, 5, 6))
    outputs = keras.layers.EinsumDense("...c,cd->...d", output_shape=(3,), bias_axes="d", name="proj")(inputs)
    report = component_report(keras.Model(inputs, outputs))

    entry = report.dense[0]
    assert entry.kernel_shape == [6, 3] and entry.threaded_over == [4, 5] and entry.macs == 4 * 5 * 6 * 3


def test_seq2seq_transformer_dense_calls_inside_custom_layers_and_nested_decoder(toy):
    report = component_report(toy.seq2seq_transformer())

    paths = [entry.path for entry in report.dense]
    assert "transformer_encoder/attention/query" in paths
    assert "transformer_encoder/dense_proj/proj_hidden" in paths
    assert "decoder/transformer_decoder/attention_2/value" in paths
    assert paths[-1] == "decoder/logits"
    assert len(paths) == 17  # encoder: 4 attention + 2 projection; decoder: 8 + 2, and the logits
    assert report.params.total == toy.seq2seq_transformer().count_params()


def test_subclassed_model_is_traced_once_called(toy):
    model = toy.TinyMLP()
    model(np.zeros((2, 5, 4), "float32"))

    report = component_report(model)

    assert [e.path for e in report.dense] == ["hidden", "head"]
    assert report.dense[0].input_shape == [None, 5, 4]  # the batch size of that call is not kept
    assert report.note is None


def test_never_built_subclassed_model_gets_a_note_not_an_error(toy):
    report = component_report(toy.TinyMLP())

    assert report.layers == () and report.dense == ()
    assert report.note is not None and "not traced" in report.note


def test_model_without_call_is_reported_through_its_submodels(toy):
    vae = toy.toy_vae(features=6, latent_dim=2)

    report = component_report(vae)

    paths = [row.path for row in report.layers]
    assert paths[:2] == ["encoder", "encoder/encoder_inputs"]
    assert "decoder/decoder_out" in paths and "sampler" in paths
    dense = [e.path for e in report.dense]
    assert dense[0] == "encoder/encoder_hidden" and dense[-1] == "decoder/decoder_out"
    assert sorted(dense[1:3]) == ["encoder/z_log_var", "encoder/z_mean"]
    assert report.params.total == vae.encoder.count_params() + vae.decoder.count_params()
    assert report.model_class == "ToyVAE"


def test_tracing_leaves_the_model_unchanged(toy):
    model = toy.toy_vae().encoder
    before = [keras.ops.convert_to_numpy(w) for w in model.weights]

    trace_model(model)

    assert all(np.array_equal(a, keras.ops.convert_to_numpy(b)) for a, b in zip(before, model.weights))
    assert keras.layers.Layer.__call__.__name__ == "__call__"  # the recording wrapper is gone


@pytest.mark.parametrize(
    ("threaded", "phrase"),
    [
        ([100], "applies kernel (20, 8) at each of 100 positions"),
        ([], "applies kernel (20, 8) once per example"),
        ([10, 100], "applies kernel (20, 8) at each of 10 x 100 = 1,000 positions"),
        ([1], "applies kernel (20, 8) at each of 1 position"),
    ],
)
def test_threading_phrase(threaded, phrase):
    entry = DenseEntry("d", [None, 20], [None, 8], kernel_shape=[20, 8], threaded_over=threaded, params=168, macs=None)
    assert threading_phrase(entry) == phrase


def test_lstm_cell_is_one_call_not_a_shape_probe_and_a_loop_call(toy):
    # Keras's TensorFlow RNN calls its cell once outside the loop to learn the output
    # shape (the value is discarded), then inside the while loop: only the latter is real.
    report = component_report(toy.char_seq2seq_lstm())

    paths = [row.path for row in report.layers]
    assert paths == [
        "encoder_inputs",
        "decoder_inputs",
        "encoder",
        "encoder/lstm_cell",
        "decoder",
        "decoder/lstm_cell",
        "decoder_dense",
    ]
