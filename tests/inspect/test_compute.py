"""MACs per layer call against counts written out by hand, and tf.profiler as a second opinion.

Each expected figure is the textbook count for the layer (multiplications of an
input by a weight, or of two inputs, summed into an output), written in the
test from the layer's sizes, never read back from kreg.
"""

from __future__ import annotations

import keras
import numpy as np
import pytest
from keras import layers, ops

from kreg.inspect_tools.compute import TRACE_BATCH, count_macs
from kreg.inspect_tools.op_costs import op_macs
from kreg.inspect_tools.report import component_report
from kreg.inspect_tools.tracing import trace_model


def _compute(model, input_shapes=None):
    trace = trace_model(model, batch=TRACE_BATCH, input_shapes=input_shapes)
    return trace, count_macs(trace)


def _self_macs_by_path(trace, compute):
    return {call.path: compute.self_macs[call.index] for call in trace.inner}


def _one_layer(layer, input_shape):
    inputs = keras.Input(input_shape)
    return keras.Model(inputs, layer(inputs))


CONVOLUTIONS = [
    # layer, input shape (no batch), MACs: output positions x kernel window x input channels (per group) x filters
    (lambda: layers.Dense(7), (5,), 5 * 7),
    (lambda: layers.Dense(7), (3, 5), 3 * 5 * 7),
    (lambda: layers.EinsumDense("abc,cd->abd", output_shape=(None, 6)), (4, 5), 4 * 5 * 6),
    (lambda: layers.Conv1D(4, 3), (10, 2), 8 * 4 * 3 * 2),
    (lambda: layers.Conv2D(8, 3, padding="same"), (16, 16, 3), 16 * 16 * 8 * 3 * 3 * 3),
    (lambda: layers.Conv2D(8, 3, strides=2), (17, 17, 3), 8 * 8 * 8 * 3 * 3 * 3),
    (lambda: layers.Conv2D(8, 3, groups=2), (10, 10, 4), 8 * 8 * 8 * 3 * 3 * (4 // 2)),
    (lambda: layers.Conv3D(2, 3), (6, 6, 6, 2), 4 * 4 * 4 * 2 * 3 * 3 * 3 * 2),
    (lambda: layers.DepthwiseConv2D(3, depth_multiplier=2), (10, 10, 4), 8 * 8 * (4 * 2) * 3 * 3),
    (lambda: layers.DepthwiseConv1D(3), (10, 4), 8 * 4 * 3),
    # depthwise 3x3 on 4 channels, then a pointwise 1x1 from 4 to 6 channels
    (lambda: layers.SeparableConv2D(6, 3), (10, 10, 4), 8 * 8 * 4 * 3 * 3 + 8 * 8 * 6 * 4),
    # transposed: every input position spreads onto kernel window x filters
    (lambda: layers.Conv2DTranspose(5, 3, strides=2), (7, 7, 4), 7 * 7 * 4 * 3 * 3 * 5),
    (lambda: layers.Conv1DTranspose(5, 3), (7, 4), 7 * 4 * 3 * 5),
    (lambda: layers.Conv3DTranspose(2, 2, strides=2), (3, 3, 3, 4), 3 * 3 * 3 * 4 * 2 * 2 * 2 * 2),
]


@pytest.mark.parametrize(("make", "input_shape", "expected"), CONVOLUTIONS)
def test_each_layer_class_against_a_hand_count(make, input_shape, expected):
    layer = make()
    _trace, compute = _compute(_one_layer(layer, input_shape))
    assert compute.total == expected
    assert compute.by_class == {type(layer).__name__: expected}


def test_dense_report_and_traced_ops_agree(toy):
    # The Dense report's formula and the counted MatMul ops are two independent counts.
    report = component_report(toy.seq2seq_transformer(), _fixed_sequence(10))
    rows = {row.path: row for row in report.layers}
    assert report.dense
    for entry in report.dense:
        assert entry.macs is None  # the model's own sequence length is unknown
    trace, compute = _compute(toy.seq2seq_transformer(), {"encoder_inputs": [None, 10], "decoder_inputs": [None, 10]})
    threaded = {call.path: call for call in trace.inner}
    for entry in report.dense:
        call = threaded[entry.path]
        kernel = np.prod(entry.kernel_shape)
        positions = np.prod(call.input_shape[1:-1]) if isinstance(call.layer, layers.Dense) else 10
        assert rows[entry.path].macs == compute.total_macs[call.index] == positions * kernel


def _fixed_sequence(length):
    from kreg.inspect_tools.input_shapes import ShapePlan

    return ShapePlan({"encoder_inputs": [length], "decoder_inputs": [length]})


def test_multi_head_attention_counts_projections_and_both_attention_products():
    tokens, dim, heads, key_dim = 12, 16, 4, 8
    inputs = keras.Input((tokens, dim))
    model = keras.Model(inputs, layers.MultiHeadAttention(heads, key_dim, name="mha")(inputs, inputs))
    trace, compute = _compute(model)
    by_path = _self_macs_by_path(trace, compute)
    projection = tokens * dim * heads * key_dim
    assert by_path["mha/query"] == by_path["mha/key"] == by_path["mha/value"] == projection
    assert by_path["mha/attention_output"] == tokens * heads * key_dim * dim
    # QK^T: heads x tokens x tokens x key_dim; scores.V the same again.
    assert by_path["mha"] == 2 * heads * tokens * tokens * key_dim
    assert compute.total == 4 * projection + 2 * heads * tokens * tokens * key_dim


class Patches(layers.Layer):
    """keras.io's ViT patches, by reshapes alone: (image, image, 3) -> (patches, patch pixels)."""

    def __init__(self, patch_size, **kwargs):
        super().__init__(**kwargs)
        self.patch_size = patch_size

    def call(self, images):
        size, (height, width, channels) = self.patch_size, images.shape[1:]
        grid = ops.reshape(images, (-1, height // size, size, width // size, size, channels))
        grid = ops.transpose(grid, (0, 1, 3, 2, 4, 5))
        return ops.reshape(grid, (-1, (height // size) * (width // size), size * size * channels))


def small_vit(image=32, patch=8, dim=32, heads=4, mlp=64, blocks=2, classes=10):
    """keras.io's image classification with a Vision Transformer, small."""
    inputs = keras.Input((image, image, 3), name="image")
    x = layers.Dense(dim, name="patch_projection")(Patches(patch, name="patches")(inputs))
    for index in range(blocks):
        attended = layers.MultiHeadAttention(heads, dim // heads, name=f"attention_{index}")(x, x)
        x = layers.LayerNormalization(name=f"norm_{index}")(x + attended)
        x = x + layers.Dense(dim, name=f"mlp_out_{index}")(
            layers.Dense(mlp, activation="gelu", name=f"mlp_in_{index}")(x)
        )
    outputs = layers.Dense(classes, name="head")(layers.GlobalAveragePooling1D(name="pool")(x))
    return keras.Model(inputs, outputs, name="vit")


def test_vision_transformer_counts_its_attention_products():
    image, patch, dim, heads, mlp, blocks, classes = 32, 8, 32, 4, 64, 2, 10
    tokens, key_dim = (image // patch) ** 2, dim // heads
    trace, compute = _compute(small_vit(image, patch, dim, heads, mlp, blocks, classes))
    by_path = _self_macs_by_path(trace, compute)
    products = 2 * heads * tokens * tokens * key_dim  # QK^T and scores.V
    assert [by_path[f"attention_{i}"] for i in range(blocks)] == [products] * blocks
    expected = (
        tokens * patch * patch * 3 * dim  # patch projection
        + blocks * (4 * tokens * dim * dim + products + 2 * tokens * dim * mlp)
        + dim * classes
    )
    assert compute.total == expected
    assert compute.by_class["MultiHeadAttention"] == blocks * products


@pytest.mark.parametrize(
    ("make", "gates"),
    [
        (lambda units: layers.LSTM(units), 4),
        (lambda units: layers.GRU(units), 3),
        (lambda units: layers.SimpleRNN(units), 1),
    ],
)
def test_recurrent_layers_count_their_gates_at_every_step(make, gates):
    steps, features, units = 9, 5, 6
    layer = make(units)
    trace, compute = _compute(_one_layer(layer, (steps, features)))
    # Each gate: a kernel (features x units) on the input and a recurrent kernel (units x units) on the state.
    expected = steps * gates * units * (features + units)
    assert compute.total == expected
    cells = [call for call in trace.inner if call.layer is layer.cell]
    assert len(cells) == 1 and compute.total_macs[cells[0].index] == expected


def test_bidirectional_lstm_and_the_char_seq2seq_count_both_directions_and_both_lstms(toy):
    steps, features, units = 7, 3, 4
    _trace, compute = _compute(_one_layer(layers.Bidirectional(layers.LSTM(units)), (steps, features)))
    assert compute.total == 2 * steps * 4 * units * (features + units)

    model = toy.char_seq2seq_lstm(num_encoder_tokens=7, num_decoder_tokens=9, latent_dim=16)
    _trace, compute = _compute(model, {"encoder_inputs": [None, 5, 7], "decoder_inputs": [None, 6, 9]})
    assert compute.by_class == {"LSTMCell": 5 * 4 * 16 * (7 + 16) + 6 * 4 * 16 * (9 + 16), "Dense": 6 * 16 * 9}


def test_a_time_distributed_layer_is_counted_per_time_step():
    # TimeDistributed merges the batch and time axes with a reshape: the count must still be per example.
    report = component_report(_one_layer(layers.TimeDistributed(layers.Dense(4, name="step"), name="steps"), (6, 3)))
    assert report.compute.macs == 6 * 3 * 4
    rows = {row.path: row for row in report.layers}
    assert rows["steps"].input_shape == [None, 6, 3] and rows["steps"].macs == 6 * 3 * 4


class OuterProduct(layers.Layer):
    """A custom layer with no weights that multiplies its two inputs with keras.ops."""

    def call(self, inputs):
        features, kernel = inputs
        return ops.matmul(features[:, None, :], kernel)[:, 0, :]


def test_matmul_in_a_custom_layer_without_weights_costs_its_products():
    features = keras.Input((5,), name="features")
    kernel = keras.Input((5, 3), name="kernel")
    model = keras.Model([features, kernel], OuterProduct(name="outer_product")([features, kernel]))
    _trace, compute = _compute(model)
    assert compute.total == 5 * 3 and compute.by_class == {"OuterProduct": 15}


def test_hypernetwork_outer_network_has_no_parameters_and_50_8k_macs():
    from kreg.plugins.hypernetwork.model import build

    report = component_report(build()["outer"])
    assert report.params.total == 0
    assert report.compute.macs == 784 * 64 + 64 * 10 == 50_816


def test_nested_models_and_custom_layers_sum_into_their_rows(toy):
    report = component_report(toy.seq2seq_transformer(), _fixed_sequence(10))
    rows = {row.path: row for row in report.layers}
    decoder_children = [r for p, r in rows.items() if p.startswith("decoder/") and p.count("/") == 1]
    assert rows["decoder"].macs == sum(r.macs for r in decoder_children)
    attention = [r for p, r in rows.items() if p.startswith("transformer_encoder/attention/")]
    assert rows["transformer_encoder/attention"].macs > sum(r.macs for r in attention)  # + the products
    assert sum(report.compute.by_class.values()) == report.compute.macs
    top = [r for r in report.layers if "/" not in r.path]
    assert sum(r.macs for r in top) == report.compute.macs


def test_unknown_sizes_are_counted_per_position_not_left_unknown(toy):
    report = component_report(toy.attention_model(sequence_length=None, dim=16, heads=2, key_dim=8))
    compute = report.compute
    assert compute.macs is None and compute.shape_source == "model"
    # At one position: the four projections and the two products over a 1 x 1 score matrix.
    assert compute.macs_per_position == 4 * 16 * 2 * 8 + 2 * 2 * 1 * 1 * 8
    assert compute.input_shapes == {"tokens": [None, None, 16]}
    rows = {row.path: row for row in report.layers}
    assert rows["mha"].macs is None and rows["mha"].macs_per_position == compute.macs_per_position
    assert report.memory.activation_bytes_per_example is None


def test_tf_profiler_float_operations_are_twice_the_macs_of_the_ops_both_count():
    """tf.profiler's ``float_operation`` on the same graph: FLOPs = 2 x MACs for each product and convolution.

    It also counts element-wise ops (BiasAdd, Add, Mul...) as one FLOP per
    element, which kreg leaves out, and has no count for Einsum.
    """
    import tensorflow as tf

    inputs = keras.Input((16, 16, 3))
    x = layers.Conv2D(8, 3, padding="same")(inputs)
    x = layers.DepthwiseConv2D(3)(x)
    x = layers.Flatten()(x)
    model = keras.Model(inputs, layers.Dense(10)(x))
    trace, compute = _compute(model)
    options = tf.compat.v1.profiler.ProfileOptionBuilder.float_operation()
    options["output"] = "none"
    flops = _flops_by_node(tf.compat.v1.profiler.profile(trace.graph, options=options, cmd="scope"))
    compared = [op for op in trace.graph.get_operations() if op.type in ("Conv2D", "DepthwiseConv2dNative", "MatMul")]
    assert len(compared) == 3
    for op in compared:
        assert flops[op.name] == 2 * op_macs(op), op.type
    assert sum(flops[op.name] for op in compared) == 2 * TRACE_BATCH * compute.total
    assert sum(flops.values()) > 2 * TRACE_BATCH * compute.total  # the bias adds


def _flops_by_node(node, found=None):
    found = {} if found is None else found
    if node.float_ops:
        found[node.name] = node.float_ops
    for child in node.children:
        _flops_by_node(child, found)
    return found


def test_cudnn_lstm_op_counts_gates_per_step():
    # On a GPU Keras runs LSTM as one CudnnRNNV3 op; it is only built here (no GPU needed).
    import tensorflow as tf

    steps, batch, features, units = 5, 2, 3, 4
    with tf.Graph().as_default():
        op = tf.raw_ops.CudnnRNNV3(
            input=tf.zeros((steps, batch, features)),
            input_h=tf.zeros((1, batch, units)),
            input_c=tf.zeros((1, batch, units)),
            params=tf.zeros((4 * 2 * units * (features + units),)),
            sequence_lengths=tf.fill([batch], steps),
            rnn_mode="lstm",
            time_major=True,
        )[0].op
        assert op_macs(op) == steps * batch * 4 * units * (features + units)


def test_creation_numbers_of_operations_follow_the_graph_version():
    # OpOwners relies on it: the n-th operation of a graph is numbered n + 1.
    import tensorflow as tf

    from kreg.inspect_tools.keras_compat import last_op_id, op_id

    with tf.__internal__.FuncGraph("check").as_default() as graph:
        for value in range(3):
            assert op_id(tf.constant(value).op) == last_op_id(graph)


def test_unet_counts_every_convolution_against_keras_layer_shapes(toy):
    # The issue: a U-Net showed 0 % of its compute (it has no Dense).
    model = toy.tiny_unet(size=32, channels=3, base=8, classes=2)
    report = component_report(model)
    hand = (
        32 * 32 * 8 * 3 * 3 * 3  # down_conv
        + 16 * 16 * 16 * 3 * 3 * 8  # bottom_conv
        + 16 * 16 * 16 * 2 * 2 * 8  # up: every input position onto a 2 x 2 window of 8 filters
        + 32 * 32 * 8 * 3 * 3 * 16  # fuse_conv on the 16 concatenated channels
        + 32 * 32 * 2 * 8  # mask, 1 x 1
    )
    assert report.compute.macs == toy.formula_macs(model) == hand
    assert report.compute.by_class == {
        "Conv2D": hand - 16 * 16 * 16 * 2 * 2 * 8,
        "Conv2DTranspose": 16 * 16 * 16 * 2 * 2 * 8,
    }
