"""The plugin's custom layer: a learned gain and offset per sensor."""

from __future__ import annotations

import keras


@keras.saving.register_keras_serializable(package="kreg_example_plugin")
class SensorScale(keras.layers.Layer):
    """Scale and shift each sensor's readings by learned amounts.

    Input and output: ``(batch, n_sensors, window)``; the gain and offset have
    one value per sensor, shared along the window.

    Args:
        initial_gain: float. Starting value of every gain.
        **kwargs: Standard ``keras.layers.Layer`` arguments (``name``, ``dtype``).
    """

    def __init__(self, initial_gain: float = 1.0, **kwargs):
        super().__init__(**kwargs)
        self.initial_gain = initial_gain

    def build(self, input_shape):
        """Create ``gain`` and ``offset``, shaped ``(n_sensors, 1)``."""
        n_sensors = input_shape[-2]
        self.gain = self.add_weight(
            name="gain", shape=(n_sensors, 1), initializer=keras.initializers.Constant(self.initial_gain)
        )
        self.offset = self.add_weight(name="offset", shape=(n_sensors, 1), initializer="zeros")

    def call(self, readings):
        """Return ``readings * gain + offset``."""
        return readings * self.gain + self.offset

    def get_config(self) -> dict:
        """The constructor arguments, so a saved model reloads with ``safe_mode=True``."""
        return {**super().get_config(), "initial_gain": self.initial_gain}
