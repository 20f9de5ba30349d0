"""`kreg inspect` and `kreg plot` against plain Keras on a small, a medium and a large model.

- inspect: `kreg inspect NAME` (parameters, every layer call traced, and the
  compute and memory report: MACs of every operation, activation and training
  memory) against a plain script that imports Keras, calls the same builder
  with the same hyperparameters and prints `summary()` of every component.
  Goal: at most 1.5x (aim: 1.2x).
- plot: `kreg plot NAME -o x.png` against a plain script that builds the model
  and calls `keras.utils.plot_model(show_shapes=True)`. Goal: at most 1.2x.

Both sides are fresh processes (each pays for importing TensorFlow), run
alternately. The large model is `keras.applications.EfficientNetV2L(weights=None)`
(about 1,000 layers), registered by a benchmark plugin installed for the run.

    .venv/bin/python benchmarks/bench_inspect.py [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import alternate, comparison, run_command
from plugin_wheels import install_wheels, make_environment, write_wheel

CASES = {"small": "risk-factor-autoencoder", "medium": "transformer", "large": "efficientnetv2l"}

LARGE_PLUGIN = {
    "kreg_bench_large": """import kreg


@kreg.hookimpl
def kreg_register_architectures(register):
    register(kreg.Architecture(
        name="efficientnetv2l",
        summary="EfficientNetV2L (weights=None), about 1,000 layers: the benchmarks' large model",
        builder="kreg_bench_large_model:build",
        hyperparameters={},
        tags=("bench",),
    ))
""",
    "kreg_bench_large_model": """import keras


def build():
    return keras.applications.EfficientNetV2L(weights=None)
""",
}

PLAIN = """
import importlib, json, os, sys
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
import keras
builder, hyperparameters, action, out = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3], sys.argv[4]
module, _, attribute = builder.partition(":")
built = getattr(importlib.import_module(module), attribute)(**hyperparameters)
components = built if isinstance(built, dict) else {"model": built}
if action == "summary":
    for model in components.values():
        model.summary()
else:
    keras.utils.plot_model(components["model"], to_file=out, show_shapes=True, show_layer_names=True)
"""


def describe(python: str, name: str) -> dict:
    """`kreg info NAME --json` in the benchmark environment."""
    import subprocess

    result = subprocess.run([python, "-m", "kreg", "info", name, "--json"], capture_output=True, text=True, check=True)
    return json.loads(result.stdout)


def collect(runs: int) -> list[dict]:
    """Inspect and plot comparisons for the three sizes."""
    results = []
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        python = make_environment(work / "venv", 0)
        install_wheels(python, [write_wheel(work, "kreg-bench-large", LARGE_PLUGIN, "bench-large")])
        plain = work / "plain.py"
        plain.write_text(PLAIN)
        for size, name in CASES.items():
            info = describe(str(python), name)
            plain_args = [str(python), str(plain), info["builder"], json.dumps(info["hyperparameters"])]
            case = f"{size}: {name}"
            samples = alternate(
                lambda name=name: run_command([str(python), "-m", "kreg", "inspect", name]),
                lambda plain_args=plain_args: run_command([*plain_args, "summary", "-"]),
                runs,
            )
            results.append(comparison("inspect", case, f"kreg inspect {name}", "build + summary()", samples, goal=1.5))
            samples = alternate(
                lambda name=name: run_command([str(python), "-m", "kreg", "plot", name, "-o", str(work / "kreg.png")]),
                lambda plain_args=plain_args: run_command([*plain_args, "plot", str(work / "keras.png")]),
                runs,
            )
            results.append(
                comparison("plot", case, f"kreg plot {name}", "build + keras.utils.plot_model", samples, goal=1.2)
            )
    return results


def main() -> None:
    """Print each comparison."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    for row in collect(args.runs):
        print(
            f"{row['group']:>8} {row['case']:<35} kreg {row['kreg']['wall']:6.2f} s | "
            f"keras {row['keras']['wall']:6.2f} s | {row['ratio']:.2f}x (goal <= {row['goal']}x)"
        )


if __name__ == "__main__":
    main()
