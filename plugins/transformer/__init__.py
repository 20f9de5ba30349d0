"""The Transformer family: the seq2seq translation Transformer and the Transformer language model.

Only the registration lives here, with "module:attr" strings, so ``kreg list``
never imports Keras. The shared layers are in ``layers``, the builders in
``model``, the data adapters in ``data`` and the samplers in ``sampling``.
"""

import kreg

TRANSFORMER_SOURCE = (
    "seeds/000_0277b79063998d35.txt (and 001), 'Functional model: the basics, illustrated by the "
    "Transformer' (the keras-io English-to-Spanish example: encoder, decoder, full model, "
    "format_dataset, decode_sequence)"
)
LM_SOURCE = "seeds/003_ec0e170915c7e91d.txt, listings 12.2-12.8 (Chollet, Deep Learning with Python, ch. 12)"
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
            train_step=None,
            hyperparameters={
                "sequence_length": 20,
                "vocab_size": 15000,
                "embed_dim": 256,
                "latent_dim": 2048,
                "num_heads": 8,
            },
            tags=("sequence", "transformer", "attention", "seq2seq", "text", "functional", "custom-layers"),
            components=("model", "encoder", "decoder"),
            presets={"smoke": {"sequence_length": 10, **SIZES}},
            batch_size=64,
            sampler="kreg.plugins.transformer.sampling:sample_translations",
            sample_options={"sentence": ["Tom has never heard Mary sing.", "I love to write."], "max_length": 20},
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
            train_step=None,
            hyperparameters={
                "sequence_length": 100,
                "vocab_size": 15000,
                "embed_dim": 256,
                "latent_dim": 2048,
                "num_heads": 2,
            },
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
            sample_options={
                "prompt": "this movie",
                "generate_length": 50,
                "temperature": [0.2, 0.5, 0.7, 1.0, 1.5],
                "seed": 0,
            },
        )
    )
