"""The Model subclasses train under MirroredStrategy (two logical CPUs, in a fresh process)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

MIRRORED_FIT = textwrap.dedent(
    """
    import json, math, sys
    import tensorflow as tf

    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
    import kreg
    from kreg.hyperparameters import resolve_hyperparameters
    from kreg.running.calls import resolve_part
    from kreg.running.building import build

    catalogue = kreg.load_catalogue()
    strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    results = {}
    for name in sys.argv[1:]:
        entry = catalogue.get(name)
        hyperparameters = resolve_hyperparameters(entry, preset="smoke")
        with strategy.scope():
            built = build(entry, hyperparameters)
        dataset = resolve_part(entry, "data_adapter")(hyperparameters, 4, None)
        history = built.model.fit(dataset, steps_per_epoch=2, epochs=1, verbose=0).history
        results[name] = {key: values[-1] for key, values in history.items()}
    print(json.dumps(results))
    """
)


@pytest.mark.slow
def test_vae_and_dcgan_fit_under_mirrored_strategy():
    # The VAE (no call()) must count as built, and the GAN's two optimizers must
    # exist before the replicated step: either mistake fails here, not on one device.
    result = subprocess.run(
        [sys.executable, "-c", MIRRORED_FIT, "vae", "dcgan"], capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stderr[-3000:]
    metrics = json.loads(result.stdout.strip().splitlines()[-1])
    assert set(metrics["vae"]) == {"total_loss", "reconstruction_loss", "kl_loss"}
    assert set(metrics["dcgan"]) == {"d_loss", "g_loss"}
    assert all(value == value for values in metrics.values() for value in values.values())  # no NaN
