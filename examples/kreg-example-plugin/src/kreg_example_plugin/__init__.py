"""kreg-example-plugin: registers ``masked-sensor-autoencoder`` with kreg.

kreg imports this module whenever it starts (``kreg list`` included), so it
holds only the registration: the builder, data adapter and train step are
``"module:attr"`` strings, imported (with TensorFlow) only when the
architecture is built.
"""

import kreg

__version__ = "1.0.0"


@kreg.hookimpl
def kreg_register_architectures(register):
    """Register ``masked-sensor-autoencoder``."""
    register(
        kreg.Architecture(
            name="masked-sensor-autoencoder",
            summary="Masked autoencoder for multichannel sensor windows; Dense layers threaded over sensors",
            description=(
                "Input: a window of readings from every sensor (n_sensors x window). A learned "
                "per-sensor gain and offset, then Dense layers threaded over the sensors encode "
                "each sensor's window into a short code; a Dense threaded over the code units "
                "mixes information across sensors; Dense layers decode every sensor's window. "
                "The train step hides a random share of the sensors (mask_rate) and learns to "
                "reconstruct them from the others."
            ),
            source="kreg's examples/kreg-example-plugin",
            builder="kreg_example_plugin.model:build",
            data_adapter="kreg_example_plugin.data:make_dataset",
            train_step="kreg_example_plugin.train:masked_reconstruction_step",
            hyperparameters={
                "n_sensors": 16,
                "window": 32,
                "hidden_units": 32,
                "code_units": 8,
                "mask_rate": 0.25,
                "learning_rate": 0.001,
            },
            tags=("example", "autoencoder", "threaded-dense", "custom-train-step", "time-series"),
            presets={"smoke": {"n_sensors": 4, "window": 8, "hidden_units": 8, "code_units": 2}},
            batch_size=32,
        )
    )
