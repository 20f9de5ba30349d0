"""Inspect overhead against depth: kreg's inspection beside build + ``summary()``, 100 to 10,000 layers.

For each model and depth, two fresh processes run alternately (Keras imported
before the clock starts): the plain side builds the model and calls
``summary()``; the kreg side builds it through kreg (``kreg.running.building.build``)
and makes the ``kreg inspect`` report (``inspect_built``: every call traced,
parameters, MACs, memory). Both sides run on kreg's deep stack
(:mod:`kreg.running.deep_stack`): at 1,000 layers and more plain Keras ends in
``RecursionError`` otherwise. The figure is CPU seconds of the work itself
(user + system of the process, after the imports) and the ratio kreg/plain.

Models: ``mlp``, a chain of Dense(32) layers (one layer per unit of depth), and
``attention``, blocks of MultiHeadAttention(2 heads, key_dim 8) + Add +
LayerNormalization + Dense(16) + Add + LayerNormalization (six layers a block).

    .venv/bin/python benchmarks/depth_overhead.py [--depths 100 1000 3000 10000] [--models mlp attention]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys

CHILD = r"""
import json, os, sys, time
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
import keras
import kreg
from kreg.running.building import build
from kreg.running.deep_stack import run_with_deep_stack
from kreg.running.inspecting import inspect_built

model_kind, layers, side = sys.argv[1], int(sys.argv[2]), sys.argv[3]


def mlp(depth):
    inputs = x = keras.Input((32,))
    for _ in range(depth):
        x = keras.layers.Dense(32)(x)
    return keras.Model(inputs, x)


def attention(depth):
    inputs = x = keras.Input((16, 16))
    for _ in range(max(1, depth // 6)):
        x = keras.layers.LayerNormalization()(keras.layers.Add()([x, keras.layers.MultiHeadAttention(2, 8)(x, x)]))
        x = keras.layers.LayerNormalization()(keras.layers.Add()([x, keras.layers.Dense(16)(x)]))
    return keras.Model(inputs, x)


builder = {"mlp": mlp, "attention": attention}[model_kind]
start = time.process_time()
if side == "plain":
    model = run_with_deep_stack(builder, layers)
    run_with_deep_stack(model.summary, print_fn=lambda *args, **kwargs: None)
    count = len(model.layers)
else:
    architecture = kreg.Architecture(name=f"deep-{model_kind}", summary="bench", builder=builder,
                                     hyperparameters={"depth": layers})
    catalogue = kreg.Catalogue()

    class Plugin:
        @staticmethod
        @kreg.hookimpl
        def kreg_register_architectures(register):
            register(architecture)

    catalogue.add_plugin(Plugin, kreg.PluginRecord(name="bench"))
    built = build(catalogue.get(architecture.name), {"depth": layers})
    report = inspect_built(built)
    count = len(built.model.layers)
print(json.dumps({"cpu": time.process_time() - start, "layers": count}))
"""


def measure(model: str, depth: int, side: str) -> dict:
    """CPU seconds of one fresh process's work, and the model's number of layers."""
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "KERAS_BACKEND": "tensorflow"}
    done = subprocess.run(
        [sys.executable, "-c", CHILD, model, str(depth), side], capture_output=True, text=True, env=env, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-2000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    """One JSON line per model and depth: the least CPU seconds of each side, their ratio, the ratio of medians."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--depths", type=int, nargs="+", default=[100, 1000, 3000, 10000])
    parser.add_argument("--models", nargs="+", default=["mlp", "attention"])
    parser.add_argument("--runs", type=int, default=1)
    options = parser.parse_args()
    for model in options.models:
        for depth in options.depths:
            plain, inspected = [], []
            for run in range(options.runs):
                order = [("plain", plain), ("kreg", inspected)]
                for side, samples in order if run % 2 == 0 else reversed(order):
                    samples.append(measure(model, depth, side))
            plain_cpu = min(sample["cpu"] for sample in plain)
            kreg_cpu = min(sample["cpu"] for sample in inspected)
            row = {"model": model, "layers": plain[0]["layers"], "plain_cpu": round(plain_cpu, 2)}
            row |= {"kreg_cpu": round(kreg_cpu, 2), "ratio": round(kreg_cpu / plain_cpu, 2)}
            medians = [statistics.median(sample["cpu"] for sample in side) for side in (plain, inspected)]
            row |= {"median_ratio": round(medians[1] / medians[0], 2)}
            print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
