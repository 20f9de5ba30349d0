"""The hypernetwork of "Introduction to Keras for researchers" (end-to-end example 2).

Registration only: the model, data and train step are ``"module:attr"`` strings,
so importing this module never imports TensorFlow.
"""

import kreg
from kreg.plugins.common.registration import RESEARCH_LAYOUT, layout_of
from kreg.plugins.common.sources import KERAS_FOR_RESEARCHERS
from kreg.plugins.hypernetwork.defaults import HYPERNETWORK

SOURCE = f"{KERAS_FOR_RESEARCHERS}, section 'End-to-end experiment example 2: hypernetworks'"


@kreg.hookimpl
def kreg_register_architectures(register):
    """Register ``hypernetwork``."""
    register(
        kreg.Architecture(
            name="hypernetwork",
            summary="A small inner network generates every weight of the outer classifier; only the inner one trains",
            description=(
                "Outer network: Dense(hidden_units, relu) then Dense(classes), owning no weights. Inner "
                "network: Dense(inner_units, relu) then Dense(sigmoid) producing all "
                "(input_dim * hidden_units + hidden_units) + (hidden_units * classes + classes) outer "
                "coefficients. The train step generates the outer kernels and biases from the batch, "
                "runs the outer network with them and back-propagates into the inner network only. "
                "With a batch of more than one example each example gets its own generated weights."
            ),
            source=SOURCE,
            **layout_of(__name__, RESEARCH_LAYOUT),
            hyperparameters=HYPERNETWORK,
            tags=("research", "hypernetwork", "custom-train-step", "functional"),
            components=("model", "inner", "outer"),
            presets={"smoke": {"input_dim": 64, "hidden_units": 16, "inner_units": 8}},
            batch_size=1,
        )
    )
