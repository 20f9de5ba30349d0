"""The guide's hand-written layers (Linear, ComputeSum, ActivityRegularization,
Dropout) composed as its MLP, SparseMLP or MLPWithDropout.

Registration only: the model, data and train step are ``"module:attr"`` strings,
so importing this module never imports TensorFlow.
"""

import kreg
from kreg.plugins.common.registration import RESEARCH_LAYOUT, layout_of
from kreg.plugins.common.sources import KERAS_FOR_RESEARCHERS
from kreg.plugins.mlp.defaults import GUIDE_MLP

SOURCE = (
    f"{KERAS_FOR_RESEARCHERS}, "
    "sections 'Keras layers' through 'Training mode & inference mode' (Linear, ComputeSum, MLP, "
    "ActivityRegularization, SparseMLP and its SGD loop, Dropout, MLPWithDropout, the custom loop with "
    "SparseCategoricalAccuracy)"
)


@kreg.hookimpl
def kreg_register_architectures(register):
    """Register ``mlp``."""
    register(
        kreg.Architecture(
            name="mlp",
            summary="The researchers' guide's MLP / SparseMLP / MLPWithDropout of hand-written Linear layers",
            description=(
                "Layers written from scratch: Linear makes its kernel and bias in build() with "
                "add_weight; ActivityRegularization adds rate * sum(activations) with add_loss; Dropout "
                "drops only when training=True. `variant` picks the guide's MLP (Linear 32, relu, Linear 32, "
                "relu, Linear 10), SparseMLP (Linear 32, relu, ActivityRegularization(rate), Linear 10) "
                "or MLPWithDropout (Linear 32, relu, Dropout(dropout), Linear 10), exactly as the guide "
                "builds them. `optimizer=guide` trains each as the guide does: SparseMLP with "
                "SGD(learning_rate), the MLP with Adam(learning_rate) as in its metrics loop (and "
                "MLPWithDropout, which the guide does not train, with Adam); sgd or adam force one. "
                "The train step is the guide's loop: cross-entropy plus sum(model.losses), with a "
                "SparseCategoricalAccuracy that accumulates over an epoch. The preset input-sum adds "
                "the guide's ComputeSum layer (a non-trainable running sum of the inputs, input_dim "
                "more weights), which the guide shows on its own, not inside these models."
            ),
            source=SOURCE,
            **layout_of(__name__, RESEARCH_LAYOUT),
            hyperparameters=GUIDE_MLP,
            tags=("research", "custom-layers", "custom-train-step", "subclassed"),
            components=("model",),
            presets={
                "smoke": {"input_dim": 64, "units": 16},
                "sparse": {"variant": "sparse"},
                "dropout": {"variant": "dropout"},
                "input-sum": {"input_sum": True},
            },
            batch_size=64,
        )
    )
