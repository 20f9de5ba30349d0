"""The published works several built-in families follow, each cited once.

A family's ``source`` (what ``kreg info`` shows) names the work and the listing
or section a reader can look up; nothing here points at a file kreg does not ship.
"""

DEEP_LEARNING_WITH_PYTHON = "F. Chollet, Deep Learning with Python, 2nd ed. (Manning, 2021)"
"""Chapter 12 (generative deep learning): the language model, style transfer, the VAE and the DCGAN."""

KERAS_FOR_RESEARCHERS = (
    "F. Chollet, Introduction to Keras for Researchers (keras.io guide), "
    "github.com/keras-team/keras-io/blob/master/guides/intro_to_keras_for_researchers.py"
)
"""The guide's hand-written layers, its MLP VAE and its hypernetwork."""
