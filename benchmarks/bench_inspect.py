"""How much kreg's inspection costs next to plain Keras (a script, not a test).

1. ``kreg inspect risk-factor-autoencoder`` against a plain script that imports
   Keras, builds the same model and prints ``summary()``: both as fresh
   processes, so each pays for importing TensorFlow. Target: at most 1.5x.
2. Plotting ``keras.applications.EfficientNetV2L(weights=None)`` (about 1,000
   layers) to png with kreg's graph code against ``keras.utils.plot_model``
   (``show_shapes=True``), in one process on one built model. Target: at most 1.2x.

The two sides run alternately, several times; the medians are compared.

    .venv/bin/python benchmarks/bench_inspect.py [--runs N] [--plot-runs N]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

WORK = Path(__file__).resolve().parent / ".work"

PLAIN_SCRIPT = """
import os
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import keras
from keras import layers

input_beta = keras.Input((100, 20), name="input_beta")
input_factor = keras.Input((100,), name="input_factor")
hidden_layer = layers.Dense(8, activation="relu", name="hidden_layer")(input_beta)
batch_norm = layers.BatchNormalization(name="batch_norm")(hidden_layer)
output_beta = layers.Dense(3, name="output_beta")(batch_norm)
output_factor = layers.Dense(3, name="output_factor")(input_factor)
output = layers.Dot(axes=(2, 1), name="output_layer")([output_beta, output_factor])
model = keras.Model(inputs=[input_beta, input_factor], outputs=output, name="risk_factor_autoencoder")
model.compile(loss="mse", optimizer="adam")
model.summary()
"""


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (dot, kreg), user + system."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed(action: Callable[[], object]) -> tuple[float, float]:
    """Wall-clock and CPU seconds of one call of ``action``."""
    wall, cpu = time.perf_counter(), cpu_seconds()
    action()
    return time.perf_counter() - wall, cpu_seconds() - cpu


def alternate(sides: dict[str, Callable[[], object]], runs: int) -> dict[str, list[tuple[float, float]]]:
    """Run each side ``runs`` times, taking turns, and return (wall, cpu) times per side."""
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in sides}
    for run in range(runs):
        order = list(sides) if run % 2 == 0 else list(reversed(sides))
        for name in order:
            times[name].append(timed(sides[name]))
    return times


def report(title: str, times: dict[str, list[tuple[float, float]]], baseline: str, target: float) -> None:
    """Print the wall and CPU medians of each side and their ratios to the baseline.

    CPU time is the steadier measure on a shared machine; the target is
    judged on wall-clock time.
    """
    base_wall = statistics.median(t[0] for t in times[baseline])
    base_cpu = statistics.median(t[1] for t in times[baseline])
    print(f"\n{title}")
    for name, values in times.items():
        wall = statistics.median(t[0] for t in values)
        cpu = statistics.median(t[1] for t in values)
        runs = ", ".join(f"{t[0]:.2f}" for t in values)
        print(
            f"  {name:<46} wall {wall:6.2f} s ({wall / base_wall:4.2f}x)   "
            f"cpu {cpu:6.2f} s ({cpu / base_cpu:4.2f}x)   wall runs: {runs}"
        )
    worst = max(statistics.median(t[0] for t in v) for k, v in times.items() if k != baseline)
    verdict = "within" if worst / base_wall <= target else "OVER"
    print(f"  target <= {target}x (wall-clock medians): {verdict}")


def run_process(command: list[str]) -> Callable[[], None]:
    """An action that runs ``command`` and fails loudly if it fails."""
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "KERAS_BACKEND": "tensorflow"}

    def action() -> None:
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)

    return action


def bench_inspect(runs: int) -> None:
    """``kreg inspect`` against import keras + build + summary(), as fresh processes."""
    plain = WORK / "plain_summary.py"
    plain.write_text(PLAIN_SCRIPT)
    kreg = str(Path(sys.executable).with_name("kreg"))
    sides = {
        "plain keras: build + summary()": run_process([sys.executable, str(plain)]),
        "kreg inspect risk-factor-autoencoder": run_process([kreg, "inspect", "risk-factor-autoencoder"]),
        "kreg inspect risk-factor-autoencoder --json": run_process(
            [kreg, "inspect", "risk-factor-autoencoder", "--json"]
        ),
    }
    run_process([kreg, "inspect", "risk-factor-autoencoder"])()  # warm the file cache once
    report(
        "inspect (fresh processes, TensorFlow import included)",
        alternate(sides, runs),
        "plain keras: build + summary()",
        1.5,
    )


def bench_plot(runs: int) -> None:
    """kreg's graph + dot against keras.utils.plot_model on EfficientNetV2L."""
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import keras

    from kreg.inspect_tools.graph import GraphOptions, model_graph
    from kreg.inspect_tools.plotting import write_graph

    start = time.perf_counter()
    model = keras.applications.EfficientNetV2L(weights=None)
    print(f"\nEfficientNetV2L: {len(model.layers)} layers, built in {time.perf_counter() - start:.1f} s")
    sides = {
        "keras.utils.plot_model(show_shapes=True)": lambda: keras.utils.plot_model(
            model, to_file=str(WORK / "keras.png"), show_shapes=True, show_layer_names=True
        ),
        "kreg plot (defaults: dpi 96)": lambda: write_graph(model_graph(model), WORK / "kreg.png"),
        "kreg plot --dpi 200 (Keras's dpi)": lambda: write_graph(
            model_graph(model, GraphOptions(dpi=200)), WORK / "kreg200.png"
        ),
    }
    report(
        "plot EfficientNetV2L to png (one process, model built once)",
        alternate(sides, runs),
        "keras.utils.plot_model(show_shapes=True)",
        1.2,
    )
    graph_only = [timed(lambda: model_graph(model))[0] for _ in range(3)]
    print(f"  (kreg's graph construction alone, without dot: median {statistics.median(graph_only):.2f} s)")


def main() -> None:
    """Run both benchmarks and print medians and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per side for inspect (default 5)")
    parser.add_argument("--plot-runs", type=int, default=3, help="runs per side for plot (default 3)")
    args = parser.parse_args()
    WORK.mkdir(exist_ok=True)
    bench_inspect(args.runs)
    bench_plot(args.plot_runs)


if __name__ == "__main__":
    main()
