"""``kreg inspect``'s compute and memory through the CLI: where input sizes come from, and bad ``--input-shape``."""

from __future__ import annotations

import json
import warnings

import pytest

from kreg import Architecture, Catalogue, PluginRecord
from kreg.testing_plugin import run_kreg

EMBED, HEADS, LATENT, VOCAB = 8, 2, 16, 50


def transformer_macs(source: int, target: int, embed: int, heads: int, latent: int, vocab: int) -> int:
    """The seeds' seq2seq Transformer (key_dim = embed), counted by hand: projections, attention products, Dense."""
    width = heads * embed  # the query/key/value projections' output per position

    def attention(queries: int, keys: int) -> int:
        projections = queries * embed * width + 2 * keys * embed * width + queries * width * embed
        products = 2 * heads * queries * keys * embed  # QK^T and scores.V
        return projections + products

    encoder = attention(source, source) + 2 * source * embed * latent
    decoder = attention(target, target) + attention(target, source) + 2 * target * embed * latent
    return encoder + decoder + target * embed * vocab


def _dict_batches(hyperparameters, batch_size, source):
    import tensorflow as tf

    ids = tf.ones((8, 12), "int64")
    return tf.data.Dataset.from_tensor_slices(
        ({"encoder_inputs": ids, "decoder_inputs": ids[:, :9]}, ids[:, :9])
    ).batch(batch_size)


def _broken_adapter(hyperparameters, batch_size, source):
    raise OSError("no data here")


@pytest.fixture(scope="module")
def kreg(toy):
    def build_transformer(embed_dim: int = EMBED):
        model = toy.seq2seq_transformer(vocab_size=VOCAB, embed_dim=embed_dim, latent_dim=LATENT, num_heads=HEADS)
        model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
        return model

    def build_with_decoder(embed_dim: int = EMBED):
        model = build_transformer(embed_dim)
        return {"model": model, "decoder": model.get_layer("decoder")}

    catalogue = Catalogue()
    record = PluginRecord("toys")
    common = {"hyperparameters": {"embed_dim": EMBED}, "batch_size": 4}
    catalogue.add(
        Architecture(name="toy-transformer", summary="no adapter", builder=build_transformer, **common), record
    )
    catalogue.add(
        Architecture(
            name="toy-transformer-data",
            summary="dict batches",
            builder=build_with_decoder,
            data_adapter=_dict_batches,
            **common,
        ),
        record,
    )
    catalogue.add(
        Architecture(
            name="toy-transformer-broken",
            summary="bad adapter",
            builder=build_transformer,
            data_adapter=_broken_adapter,
            **common,
        ),
        record,
    )

    def invoke(*args: str):
        return run_kreg(*args, catalogue=catalogue)

    return invoke


def _compute(result):
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["components"]["model"]


def test_sizes_from_the_data_adapter(kreg):
    model = _compute(kreg("inspect", "toy-transformer-data", "--json"))
    compute = model["compute"]
    assert compute["shape_source"] == "adapter"
    assert compute["input_shapes"] == {"encoder_inputs": [None, 12], "decoder_inputs": [None, 9]}
    assert compute["macs"] == transformer_macs(12, 9, EMBED, HEADS, LATENT, VOCAB)
    assert compute["macs_per_position"] is None
    # The model's own shapes stay in the rows and the Dense report (the data is not the model).
    assert model["layers"][0]["input_shape"] == [None, None]
    assert model["memory"]["training"]["batch_size"] == 4
    assert model["memory"]["training"]["optimizer_state"] <= 16  # plain SGD keeps no slots
    # The decoder component: the shapes the model calls it with, its state input's length included.
    decoder = json.loads(kreg("inspect", "toy-transformer-data", "--json", "--component", "decoder").stdout)
    assert decoder["components"]["decoder"]["compute"]["input_shapes"] == {
        "decoder_inputs": [None, 9],
        "decoder_state_inputs": [None, 12, EMBED],
    }


def test_input_shape_option_wins_over_the_adapter(kreg):
    args = ["--component", "model", "--input-shape", "encoder_inputs=30", "--input-shape", "decoder_inputs=7"]
    compute = _compute(kreg("inspect", "toy-transformer-data", "--json", *args))["compute"]
    assert compute["shape_source"] == "option"
    assert compute["macs"] == transformer_macs(30, 7, EMBED, HEADS, LATENT, VOCAB)


def test_without_data_the_count_is_per_unknown_position_never_a_bare_question_mark(kreg):
    result = kreg("inspect", "toy-transformer")
    assert result.exit_code == 0, result.output
    assert "per unknown position" in result.output and "pin them with --input-shape" in result.output
    compute = _compute(kreg("inspect", "toy-transformer", "--json"))["compute"]
    assert compute["macs"] is None and compute["shape_source"] == "model"
    assert compute["macs_per_position"] == transformer_macs(1, 1, EMBED, HEADS, LATENT, VOCAB)


def test_a_failing_data_adapter_leaves_a_note_not_a_failure(kreg):
    model = _compute(kreg("inspect", "toy-transformer-broken", "--json"))
    assert model["compute"]["macs"] is None and model["compute"]["macs_per_position"]
    note = model["compute"]["note"]
    assert "not taken from the data adapter" in note and "no data here" in note
    assert "note" not in model  # the component itself was traced: kreg.testing's contract still passes


@pytest.mark.parametrize(
    ("value", "fragments"),
    [
        (
            "nope=20",
            ["no input named 'nope'", "encoder_inputs [?]", "decoder_inputs [?]", "decoder_state_inputs [?, 8]"],
        ),
        ("encoder_inputs=20,3", ["takes 1 size after the batch axis, got 2", "encoder_inputs [?]"]),
        ("decoder_state_inputs=5,9", ["fixes axis 2 of 'decoder_state_inputs' at 8"]),
        ("encoder_inputs=0", ["sizes must be positive integers"]),
        ("encoder_inputs=-3", ["sizes must be positive integers"]),
        ("encoder_inputs=", ["expected NAME=DIMS"]),
        ("encoder_inputs", ["expected NAME=DIMS"]),
    ],
)
def test_bad_input_shape_exits_2_with_one_line_naming_the_inputs(kreg, value, fragments):
    result = kreg("inspect", "toy-transformer-data", "--input-shape", value)
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in lines[0]


def test_text_report_has_compute_and_memory_and_a_macs_column(kreg):
    result = kreg("inspect", "toy-transformer-data", "--component", "model")
    assert result.exit_code == 0, result.output
    text = result.output
    total = transformer_macs(12, 9, EMBED, HEADS, LATENT, VOCAB)
    assert "model: compute and memory" in text
    assert f"{total:,}" in text and "FLOPs = 2 x MACs" in text
    assert "encoder_inputs (None, 12), decoder_inputs (None, 9) (from the data adapter)" in text
    assert "training, batch 4" in text and "activations per example" in text


@pytest.fixture(scope="module")
def seed_transformer():
    """``kreg inspect transformer --json`` at the seed's hyperparameters (sequence_length=20)."""
    with warnings.catch_warnings():
        # The seed passes the encoder's masked output to the nested decoder; Keras warns when it is built.
        warnings.filterwarnings("ignore", message=r"Layer 'decoder' \(of type Functional\)")
        result = run_kreg("inspect", "transformer", "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_seed_transformer_at_sequence_length_20_gets_its_hand_count(seed_transformer):
    components = seed_transformer["components"]
    model = components["model"]["compute"]
    assert model["shape_source"] == "adapter"
    assert model["input_shapes"] == {"encoder_inputs": [None, 20], "decoder_inputs": [None, 20]}
    assert model["macs"] == transformer_macs(20, 20, embed=256, heads=8, latent=2048, vocab=15000) == 249_487_360
    # The decoder component gets the shapes the model calls it with (its state input's length included).
    decoder = components["decoder"]["compute"]
    assert decoder["input_shapes"]["decoder_state_inputs"] == [None, 20, 256]
    assert decoder["macs"] + components["encoder"]["compute"]["macs"] == model["macs"]
    memory = components["model"]["memory"]
    assert memory["parameter_bytes"] == 4 * components["model"]["params"]["total"]
    assert memory["training"]["batch_size"] == 64
