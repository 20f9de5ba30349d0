"""The Transformer family: the seq2seq translation Transformer and the Transformer language model.

Only the registration lives here, with "module:attr" strings, so ``kreg list``
never imports Keras. The shared layers are in ``layers``, the builders in
``model``, the data adapters in ``data`` and the samplers in ``sampling``.
"""

import kreg
from kreg.plugins.common.sources import DEEP_LEARNING_WITH_PYTHON
from kreg.plugins.transformer.defaults import (
    LANGUAGE_MODEL,
    TEXT_SAMPLE_OPTIONS,
    TRANSLATION,
    TRANSLATION_SAMPLE_OPTIONS,
)

TRANSFORMER_SOURCE = (
    "F. Chollet, English-to-Spanish translation with a sequence-to-sequence Transformer (keras.io code example), "
    "keras.io/examples/nlp/neural_machine_translation_with_transformer/ (encoder, decoder, full model, "
    "format_dataset, decode_sequence)"
)
LM_SOURCE = f"{DEEP_LEARNING_WITH_PYTHON}, listings 12.1-12.8 (text generation with a Transformer language model)"
SIZES = {"embed_dim": 32, "latent_dim": 64, "num_heads": 2, "vocab_size": 200}


@kreg.hookimpl
def kreg_register_architectures(register):
    """Register ``transformer`` and ``transformer-lm``."""
    register(
        kreg.Architecture(
            name="transformer",
            summary="Seq2seq Transformer (English to Spanish): encoder, causal decoder with cross-attention",
            description=(
                "PositionalEmbedding + TransformerEncoder encode the source ids (encoder_inputs); "
                "the decoder embeds the target so far (decoder_inputs), runs causal self-attention, "
                "cross-attention on the encoder states (decoder_state_inputs), Dropout(0.5) and a "
                "softmax over the vocabulary. Trained with teacher forcing: the decoder reads the "
                "target from [start] and predicts it one token ahead. --data takes a TSV of "
                "English<TAB>Spanish lines; `kreg sample` translates greedily."
            ),
            source=TRANSFORMER_SOURCE,
            builder="kreg.plugins.transformer.model:build_transformer",
            data_adapter="kreg.plugins.transformer.data:make_translation_dataset",
            data_state="kreg.plugins.transformer.data:translation_data_state",
            hyperparameters=TRANSLATION,
            tags=("sequence", "transformer", "attention", "seq2seq", "text", "functional", "custom-layers"),
            components=("model", "encoder", "decoder"),
            presets={"smoke": {"sequence_length": 10, **SIZES}},
            batch_size=64,
            sampler="kreg.plugins.transformer.sampling:sample_translations",
            sample_options=TRANSLATION_SAMPLE_OPTIONS,
        )
    )
    register(
        kreg.Architecture(
            name="transformer-lm",
            summary="Transformer language model: PositionalEmbedding, TransformerDecoder(x, x), softmax",
            description=(
                "A decoder-only language model: each position predicts the next word, attending "
                "causally to the words before it. --data takes a directory of .txt files (one text "
                "each; <br /> stripped), vectorized to sequence_length words and offset by one. "
                "`kreg sample` continues a prompt at several temperatures; the vocabulary is "
                "saved inside the model."
            ),
            source=LM_SOURCE,
            builder="kreg.plugins.transformer.model:build_language_model",
            data_adapter="kreg.plugins.transformer.data:make_lm_dataset",
            data_state="kreg.plugins.transformer.data:lm_data_state",
            hyperparameters=LANGUAGE_MODEL,
            tags=(
                "sequence",
                "transformer",
                "attention",
                "language-model",
                "generative",
                "text",
                "functional",
                "custom-layers",
            ),
            components=("model",),
            presets={"smoke": {"sequence_length": 16, **SIZES}},
            batch_size=256,
            sampler="kreg.plugins.transformer.sampling:sample_text",
            sample_options=TEXT_SAMPLE_OPTIONS,
        )
    )
