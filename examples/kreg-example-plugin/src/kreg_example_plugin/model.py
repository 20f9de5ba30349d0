"""The builder of the masked sensor autoencoder."""

from __future__ import annotations

import keras
from keras import layers

from kreg.errors import HyperparameterError
from kreg.validation import require_positive_int
from kreg_example_plugin.layers import SensorScale


def build(
    n_sensors: int = 16,
    window: int = 32,
    hidden_units: int = 32,
    code_units: int = 8,
    mask_rate: float = 0.25,
    learning_rate: float = 1e-3,
) -> keras.Model:
    """Build and compile the autoencoder.

    Args:
        n_sensors: int. Sensors (channels); the Dense encoder and decoder
            thread over them, sharing one kernel.
        window: int. Readings per sensor in one example.
        hidden_units: int. Width of the per-sensor hidden layers.
        code_units: int. Size of each sensor's code.
        mask_rate: float. Share of sensors hidden per example; read by the
            data adapter, checked here so a bad value fails before training.
        learning_rate: float. Adam's learning rate.

    Returns:
        keras.Model. Input ``readings`` ``(n_sensors, window)``, output the
        reconstruction of the same shape. Compiled with Adam and mean squared
        error, so plain ``fit(x, x)`` works too; kreg trains it with
        :func:`kreg_example_plugin.train.masked_reconstruction_step`.

    Raises:
        HyperparameterError: a size is not a positive integer, or a rate is out of range.
    """
    require_positive_int(n_sensors=n_sensors, window=window, hidden_units=hidden_units, code_units=code_units)
    if not 0.0 < mask_rate < 1.0:
        raise HyperparameterError("mask_rate", f"must be between 0 and 1 (exclusive), got {mask_rate!r}")
    if learning_rate <= 0:
        raise HyperparameterError("learning_rate", f"must be positive, got {learning_rate!r}")

    readings = keras.Input((n_sensors, window), name="readings")
    scaled = SensorScale(name="sensor_scale")(readings)
    hidden = layers.Dense(hidden_units, activation="relu", name="window_encoder")(scaled)
    code = layers.Dense(code_units, name="sensor_code")(hidden)
    # Swap axes so the next Dense contracts the sensors: each code unit of
    # every sensor is rebuilt from the same unit of all sensors.
    by_unit = layers.Permute((2, 1), name="to_units")(code)
    mixed = layers.Dense(n_sensors, activation="relu", name="sensor_mixer")(by_unit)
    by_sensor = layers.Permute((2, 1), name="to_sensors")(mixed)
    decoded = layers.Dense(hidden_units, activation="relu", name="window_decoder")(by_sensor)
    reconstruction = layers.Dense(window, name="reconstruction")(decoded)

    model = keras.Model(readings, reconstruction, name="masked_sensor_autoencoder")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="mse")
    return model
