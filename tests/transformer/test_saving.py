"""Saving: every custom layer round-trips through get_config and a .keras file with safe_mode=True."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from kreg.plugins.transformer.layers import PositionalEmbedding, TransformerDecoder, TransformerEncoder
from kreg.plugins.transformer.model import build_language_model, build_transformer

pytestmark = [
    pytest.mark.filterwarnings("ignore:Layer 'decoder' \\(of type Functional\\):UserWarning"),
    # The models here are saved untrained: their optimizers have no slots yet.
    pytest.mark.filterwarnings("ignore:Skipping variable loading for optimizer:UserWarning"),
]


@pytest.mark.parametrize(
    "layer",
    [
        PositionalEmbedding(7, 30, 16, vocabulary=["", "[UNK]", "a"], name="embedding"),
        TransformerEncoder(16, 24, 4, name="encoder"),
        TransformerDecoder(16, 24, 4, causal_cross_attention=True, name="decoder"),
    ],
    ids=lambda layer: type(layer).__name__,
)
def test_layer_config_round_trip(layer):
    config = layer.get_config()
    clone = type(layer).from_config(config)
    assert clone.get_config() == config
    serialized = keras.saving.serialize_keras_object(layer)
    assert serialized["registered_name"] == f"kreg.transformer>{type(layer).__name__}"
    assert keras.saving.deserialize_keras_object(serialized).get_config() == config


SIZES = {"sequence_length": 6, "vocab_size": 40, "embed_dim": 8, "latent_dim": 16, "num_heads": 2}


def test_the_data_states_vocabulary_is_in_the_config_and_nowhere_else():
    """The builder puts what the data-state step learned into the embedding; a model built without it has none."""
    model = build_language_model(**SIZES, data_state={"vocabulary": ["", "[UNK]", "movie"]})
    assert model.get_layer("positional_embedding").get_config()["vocabulary"] == ["", "[UNK]", "movie"]
    untrained = build_language_model(**SIZES)
    assert untrained.get_layer("positional_embedding").get_config()["vocabulary"] is None
    assert build_language_model(**SIZES, data_state={}).get_layer("positional_embedding").vocabulary is None


def assert_same_predictions(model, loaded, inputs):
    np.testing.assert_allclose(model.predict(inputs, verbose=0), loaded.predict(inputs, verbose=0), atol=1e-6)


def test_language_model_saves_and_loads(tmp_path):
    model = build_language_model(**SIZES, data_state={"vocabulary": ["", "[UNK]", "this", "movie"]})
    path = tmp_path / "lm.keras"
    model.save(path)
    loaded = keras.models.load_model(path, safe_mode=True)
    assert loaded.get_layer("positional_embedding").vocabulary == ["", "[UNK]", "this", "movie"]
    assert loaded.get_layer("transformer_decoder").causal_cross_attention is True
    assert_same_predictions(model, loaded, np.array([[2, 3, 4, 0, 0], [5, 6, 7, 8, 9]]))
    assert loaded.count_params() == model.count_params()


def test_transformer_saves_and_loads(tmp_path):
    state = {"source_vocabulary": ["", "[UNK]", "go"], "target_vocabulary": ["", "[UNK]", "[start]", "[end]", "ve"]}
    model = build_transformer(**SIZES, data_state=state)["model"]
    path = tmp_path / "transformer.keras"
    model.save(path)
    loaded = keras.models.load_model(path, safe_mode=True)
    assert [t.name for t in loaded.inputs] == ["encoder_inputs", "decoder_inputs"]
    assert loaded.get_layer("encoder_embedding").vocabulary == ["", "[UNK]", "go"]
    assert loaded.get_layer("decoder").get_layer("decoder_embedding").vocabulary[2:4] == ["[start]", "[end]"]
    assert loaded.get_layer("decoder").get_layer("transformer_decoder").causal_cross_attention is False
    inputs = [np.array([[2, 0, 0, 0, 0, 0]]), np.array([[2, 4, 0, 0, 0, 0]])]
    assert_same_predictions(model, loaded, inputs)
