"""The Transformer family's defaults, each written once.

The registration shows and parses against them (``kreg info``); the builders
and samplers take them through :func:`kreg.plugins.common.defaults.defaults_from`,
so a direct ``build_transformer()`` builds what ``kreg`` builds. No Keras here:
the registration imports this module.
"""

TRANSLATION = {"sequence_length": 20, "vocab_size": 15000, "embed_dim": 256, "latent_dim": 2048, "num_heads": 8}
"""``transformer``: the sizes of the keras.io English-to-Spanish example."""

LANGUAGE_MODEL = {"sequence_length": 100, "vocab_size": 15000, "embed_dim": 256, "latent_dim": 2048, "num_heads": 2}
"""``transformer-lm``: the sizes of Deep Learning with Python's listings 12.4-12.6."""

TRANSLATION_SAMPLE_OPTIONS = {"sentence": ["Tom has never heard Mary sing.", "I love to write."], "max_length": 20}
"""``kreg sample transformer``: what to translate, and the example's ``max_decoded_sentence_length``."""

TEXT_SAMPLE_OPTIONS = {
    "prompt": "this movie",
    "generate_length": 50,
    "temperature": [0.2, 0.5, 0.7, 1.0, 1.5],
    "seed": 0,
}
"""``kreg sample transformer-lm``: listing 12.7's prompt, length and temperatures."""
