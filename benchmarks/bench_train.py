"""`kreg train` steps per second against a plain `model.fit` on the same model and data.

For each model, runs alternate (A B, then B A, ...): A is a plain ``model.fit``
on the adapter's dataset (repeated), B is kreg's training path
(``kreg.workflows.training.train``: build, adapter, the train step
installed in ``fit``, prefetching, the metric recorder). Each run builds a fresh
model with the same seed. Both are timed by the same callback, which only reads
the clocks: from the end of the first step (which traces the train function) to
the end of the last, so steps/s = (steps - 1) / seconds, and CPU microseconds
per step from the process's CPU clock (less sensitive to other processes than
the wall clock). Prints medians and the median of the per-pair ratios
(kreg / fit for speed, fit / kreg for CPU time: above 1 means kreg is faster;
kreg must reach 0.9). Exits 1 when a speed ratio is below 0.9. Usage:

    .venv/bin/python benchmarks/bench_train.py [--steps 300] [--runs 11] [--models bench-mlp ...] [--json OUT]

Models: ``bench-mlp`` (64 -> 64 -> 1 Dense, batch 64, the compiled loss; not the built-in ``mlp``),
``bench-mlp-custom-step`` (the same with a ``train_step`` function; A is a Model
subclass whose ``train_step`` calls the same function), and the built-ins
``risk-factor-autoencoder`` (default hyperparameters, batch 32),
``transformer`` (its smoke preset, batch 64) and ``vae`` (the conv VAE, a Model
subclass with its own train_step; its smoke preset, batch 128).

Figures, CPU only (a 2-core VM shared with other jobs), TensorFlow 2.21,
Keras 3.15.1, --steps 300 --runs 11, medians. Load average about 1.7:

    model                      fit steps/s kreg steps/s kreg/fit  fit cpu us kreg cpu us kreg/fit
    bench-mlp                          604          631     1.08        1736        1675     1.02
    bench-mlp-custom-step              632          613     0.98        1670        1727     0.99
    risk-factor-autoencoder            354          374     1.02        3226        3286     1.00
    transformer                         69           68     1.05       21888       21501     1.05
    kreg's per-step callback (MetricRecorder) costs 0.5 us of Python per step

    vae (run alone, load average about 3.8)
                                11           11     0.96       95258       99129     0.98

The same with a load average of about 4 (other jobs on both cores): wall-clock
ratios 0.92 to 0.98, CPU ratios 0.90 to 1.02; single pairs ranged from 0.5 to
2.0, so only medians over many alternations mean anything on such a machine.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras
import numpy as np
import tensorflow as tf

import kreg
from kreg.hyperparameters import resolve_hyperparameters
from kreg.running.calls import resolve_part
from kreg.running.metrics_log import MetricRecorder
from kreg.running.training import TrainOptions
from kreg.workflows.training import train

FEATURES, UNITS, BATCH = 64, 64, 64


def build_mlp(loss: str | None = "mse") -> keras.Model:
    """The benchmark MLP, compiled with Adam (and mse unless ``loss`` is None)."""
    model = keras.Sequential(
        [keras.Input((FEATURES,)), keras.layers.Dense(UNITS, activation="relu"), keras.layers.Dense(1)]
    )
    model.compile(optimizer="adam", loss=loss)
    return model


def mlp_data(hyperparameters: dict, batch_size: int, source: str | None) -> tf.data.Dataset:
    """4096 synthetic regression examples, batched."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(4096, FEATURES)).astype("float32")
    y = (x @ rng.normal(size=(FEATURES, 1))).astype("float32")
    return tf.data.Dataset.from_tensor_slices((x, y)).batch(batch_size)


def mse_step(model: keras.Model, batch: Any) -> dict:
    """A train step function: mean squared error, one Adam update."""
    x, y = batch
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.square(model(x, training=True) - y))
    model.optimizer.apply_gradients(zip(tape.gradient(loss, model.trainable_variables), model.trainable_variables))
    return {"loss": loss}


class StepModel(keras.Sequential):
    """The plain-Keras way to use ``mse_step``: a subclass overriding train_step."""

    def train_step(self, data: Any) -> dict:
        return mse_step(self, data)


def build_step_model() -> keras.Model:
    """The benchmark MLP as a :class:`StepModel`, compiled without a loss."""
    model = StepModel([keras.Input((FEATURES,)), keras.layers.Dense(UNITS, activation="relu"), keras.layers.Dense(1)])
    model.compile(optimizer="adam")
    return model


def catalogue() -> kreg.Catalogue:
    """The built-in catalogue plus the two benchmark MLPs."""

    class Plugin:
        @staticmethod
        @kreg.hookimpl
        def kreg_register_architectures(register: Callable) -> None:
            register(
                kreg.Architecture(
                    name="bench-mlp", summary="bench", builder=build_mlp, data_adapter=mlp_data, batch_size=BATCH
                )
            )
            register(
                kreg.Architecture(
                    name="bench-mlp-custom-step",
                    summary="bench",
                    builder=lambda: build_mlp(loss=None),
                    data_adapter=mlp_data,
                    train_step=mse_step,
                    batch_size=BATCH,
                )
            )

    result = kreg.load_catalogue()
    result.add_plugin(Plugin, kreg.PluginRecord(name="bench"))
    return result


class Clock(keras.callbacks.Callback):
    """Reads the wall clock and the process's CPU clock at the end of each step; nothing else."""

    def __init__(self) -> None:
        super().__init__()
        self.wall: list[float] = []
        self.cpu: list[float] = []

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        self.wall.append(time.perf_counter())
        self.cpu.append(time.process_time())

    def speeds(self) -> tuple[float, float]:
        """(steps/s, CPU microseconds per step), over the steps after the first."""
        steps = len(self.wall) - 1
        return steps / (self.wall[-1] - self.wall[0]), (self.cpu[-1] - self.cpu[0]) / steps * 1e6


def plain_fit(
    entry: kreg.Entry, plain_builder: Callable[[], keras.Model], hyperparameters: dict, steps: int
) -> tuple[float, float]:
    """A: plain ``model.fit`` on the adapter's dataset, repeated."""
    keras.utils.set_random_seed(0)
    model = plain_builder()
    dataset = resolve_part(entry, "data_adapter")(hyperparameters, entry.architecture.batch_size, None)
    clock = Clock()
    model.fit(dataset.repeat(), steps_per_epoch=steps, epochs=1, verbose=0, shuffle=False, callbacks=[clock])
    return clock.speeds()


def kreg_train(entry: kreg.Entry, hyperparameters: dict, steps: int) -> tuple[float, float]:
    """B: kreg's training path (what ``kreg train --json`` runs), with the same clock added."""
    clock = Clock()
    train(entry, hyperparameters, TrainOptions(steps=steps, quiet=True, callbacks=(clock,)))
    return clock.speeds()


def compare(
    entry: kreg.Entry, plain_builder: Callable[[], keras.Model], preset: str | None, steps: int, runs: int
) -> dict:
    """Alternate A and B (A B, then B A, ...); return medians and median per-pair ratios."""
    hyperparameters = resolve_hyperparameters(entry, preset=preset)
    a_run = lambda: plain_fit(entry, plain_builder, hyperparameters, steps)  # noqa: E731
    b_run = lambda: kreg_train(entry, hyperparameters, steps)  # noqa: E731
    a_run(), b_run()  # warm up both paths
    pairs = []
    for run in range(runs):
        order = [("a", a_run), ("b", b_run)]
        measured = {}
        for label, measure in order if run % 2 == 0 else reversed(order):
            keras.backend.clear_session()
            measured[label] = measure()
        pairs.append((measured["a"], measured["b"]))
    return {
        "plain_fit_steps_per_second": statistics.median(a[0] for a, _ in pairs),
        "kreg_steps_per_second": statistics.median(b[0] for _, b in pairs),
        "ratio": statistics.median(b[0] / a[0] for a, b in pairs),
        "plain_fit_cpu_us_per_step": statistics.median(a[1] for a, _ in pairs),
        "kreg_cpu_us_per_step": statistics.median(b[1] for _, b in pairs),
        "cpu_ratio": statistics.median(a[1] / b[1] for a, b in pairs),
        "pairs": pairs,
    }


def builtin_builder(entry: kreg.Entry, preset: str | None) -> Callable[[], keras.Model]:
    """A plain builder for a built-in: its builder with the preset's values, the "model" component."""

    def build() -> keras.Model:
        built = resolve_part(entry, "builder")(**resolve_hyperparameters(entry, preset=preset))
        return built["model"] if isinstance(built, dict) else built

    return build


def recorder_cost(calls: int = 100_000) -> float:
    """Microseconds one MetricRecorder.on_train_batch_end takes with two metrics."""
    recorder = MetricRecorder()
    recorder.set_model(build_mlp())
    logs = {"loss": 0.5, "accuracy": 0.25}
    recorder.on_train_begin()
    started = time.perf_counter()
    for step in range(calls):
        recorder.on_train_batch_end(step, logs)
    return (time.perf_counter() - started) / calls * 1e6


def model_specs(registry: kreg.Catalogue) -> dict[str, tuple[Callable[[], keras.Model], str | None]]:
    """Each benchmark model's plain builder and the preset both sides use."""
    return {
        "bench-mlp": (build_mlp, None),
        "bench-mlp-custom-step": (build_step_model, None),
        "risk-factor-autoencoder": (builtin_builder(registry.get("risk-factor-autoencoder"), None), None),
        "transformer": (builtin_builder(registry.get("transformer"), "smoke"), "smoke"),
        "vae": (builtin_builder(registry.get("vae"), "smoke"), "smoke"),
    }


def collect(runs: int, steps: int = 300, models: tuple[str, ...] = ("bench-mlp", "vae", "transformer")) -> list[dict]:
    """Steps/s of kreg train beside plain fit, as harness comparisons (goal: >= 0.9x)."""
    from harness import comparison_of

    registry = catalogue()
    specs = model_specs(registry)
    rows = []
    for name in models:
        builder, preset = specs[name]
        result = compare(registry.get(name), builder, preset, steps, runs)
        sides = [
            {
                "steps_per_second": result[f"{side}_steps_per_second"],
                "cpu_us_per_step": result[f"{side}_cpu_us_per_step"],
                "runs": runs,
            }
            for side in ("kreg", "plain_fit")
        ]
        label = f"{name} ({preset} preset)" if preset else name
        row = comparison_of(
            "train", label, "kreg train", "model.fit", *sides, measure="steps_per_second", goal=0.9, better="higher"
        )
        row["ratio"] = result["ratio"]  # the median of per-pair ratios, steadier than a ratio of medians
        row["cpu_ratio"] = result["cpu_ratio"]
        rows.append(row)
    return rows


def main() -> None:
    """Parse arguments, run the comparisons and print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--runs", type=int, default=11)
    parser.add_argument("--models", nargs="+", help="only these models")
    parser.add_argument("--json", type=Path, help="write the raw results here")
    args = parser.parse_args()
    registry = catalogue()
    models = {name: spec for name, spec in model_specs(registry).items() if not args.models or name in args.models}
    results = {
        name: compare(registry.get(name), builder, preset, args.steps, args.runs)
        for name, (builder, preset) in models.items()
    }
    print(
        f"{platform.node()} {platform.machine()} cpus={os.cpu_count()} "
        f"tensorflow={tf.__version__} keras={keras.__version__}"
    )
    print(f"--steps {args.steps} --runs {args.runs}; medians")
    print(
        f"{'model':<26}{'fit steps/s':>12}{'kreg steps/s':>13}{'kreg/fit':>9}"
        f"{'fit cpu us':>12}{'kreg cpu us':>12}{'kreg/fit':>9}"
    )
    for name, r in results.items():
        print(
            f"{name:<26}{r['plain_fit_steps_per_second']:>12.0f}{r['kreg_steps_per_second']:>13.0f}{r['ratio']:>9.2f}"
            f"{r['plain_fit_cpu_us_per_step']:>12.0f}{r['kreg_cpu_us_per_step']:>12.0f}{r['cpu_ratio']:>9.2f}"
        )
    print(f"kreg's per-step callback (MetricRecorder) costs {recorder_cost():.1f} us of Python per step")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    if any(result["ratio"] < 0.9 for result in results.values()):
        sys.exit(1)


if __name__ == "__main__":
    main()
