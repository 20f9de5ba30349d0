"""The files ``kreg new-plugin`` writes: a plugin package in the shape of kreg's example.

Each value is a :class:`string.Template`; :func:`kreg.scaffolding.render_plugin`
fills ``${distribution}``, ``${module}``, ``${entry_point}``,
``${architecture}``, ``${kreg_version}`` and ``${title}``. Paths use the same
placeholders.
"""

from __future__ import annotations

from string import Template

PYPROJECT = Template(
    """\
[build-system]
requires = ["setuptools>=68"]
build-backend = "setuptools.build_meta"

[project]
name = "${distribution}"
version = "0.1.0"
description = "${title}: a kreg plugin"
readme = "README.md"
requires-python = ">=3.10"
# kreg[cpu] or kreg[gpu] brings TensorFlow and Keras.
dependencies = ["kreg>=${kreg_version}", "numpy"]

[project.optional-dependencies]
test = ["pytest>=8"]

# What makes this package a kreg plugin: an entry point in the "kreg" group
# naming the module that holds the kreg_register_architectures hook.
[project.entry-points.kreg]
${entry_point} = "${module}"

[tool.setuptools.packages.find]
where = ["src"]

[tool.pytest.ini_options]
testpaths = ["tests"]
addopts = "-ra --strict-markers"
filterwarnings = [
    "ignore::DeprecationWarning:tensorflow.*",
    "ignore::DeprecationWarning:keras.*",
]
"""
)

README = Template(
    """\
# ${distribution}

A [kreg](https://pypi.org/project/kreg/) plugin registering the
`${architecture}` architecture.

```sh
pip install -e ".[test]"        # next to kreg[cpu] (or kreg[gpu])
kreg info ${architecture}
kreg inspect ${architecture}
kreg train ${architecture} --steps 50
pytest                          # kreg's contract tests and your own
```

- `src/${module}/__init__.py` registers the architecture. kreg imports it on
  every start (`kreg list` too), so it must not import TensorFlow or Keras:
  name code with `"module:attr"` strings.
- `src/${module}/model.py`: `build(**hyperparameters)` returns a compiled model.
- `src/${module}/data.py`: `make_dataset(hyperparameters, batch_size, source)`
  returns a batched `tf.data.Dataset`; synthetic when `source` is None.
- `src/${module}/train.py`: `train_step(model, batch)`, one optimisation step
  returning a dict of scalar metrics (run inside Keras's `fit`).
- `tests/test_contract.py` checks the plugin against kreg's contract with
  `kreg.testing`: it registers validly, imports no TensorFlow when loaded, and
  every architecture builds, inspects, smoke-trains, saves and reloads.
"""
)

GITIGNORE = Template(
    """\
__pycache__/
*.egg-info/
build/
dist/
.pytest_cache/
*.keras
"""
)

INIT = Template(
    '''\
"""${title}: registers ``${architecture}`` with kreg.

kreg imports this module whenever it starts (``kreg list`` included): keep it
light. The builder, data adapter and train step are ``"module:attr"`` strings,
imported (with TensorFlow) only when the architecture is built.
"""

import kreg


@kreg.hookimpl
def kreg_register_architectures(register):
    """Register ``${architecture}``."""
    register(
        kreg.Architecture(
            name="${architecture}",
            summary="A two-layer regression MLP (replace with your architecture)",
            description="Dense(hidden_units, relu) then Dense(1) on n_features inputs.",
            builder="${module}.model:build",
            data_adapter="${module}.data:make_dataset",
            train_step="${module}.train:train_step",
            hyperparameters={"n_features": 16, "hidden_units": 32, "learning_rate": 0.001},
            tags=("${entry_point}",),
            presets={"smoke": {"n_features": 4, "hidden_units": 8}},
            batch_size=32,
        )
    )
'''
)

MODEL = Template(
    '''\
"""The builder of ``${architecture}``."""

from __future__ import annotations

import keras

from kreg.errors import HyperparameterError
from kreg.validation import require_positive_int


def build(n_features: int = 16, hidden_units: int = 32, learning_rate: float = 1e-3) -> keras.Model:
    """Build and compile the model.

    Args:
        n_features: int. Inputs per example.
        hidden_units: int. Width of the hidden layer.
        learning_rate: float. Adam's learning rate.

    Returns:
        keras.Model. Input ``features`` ``(n_features,)``, output ``(1,)``;
        compiled with Adam and mean squared error.

    Raises:
        HyperparameterError: a bad size or rate, naming the hyperparameter.
    """
    require_positive_int(n_features=n_features, hidden_units=hidden_units)
    if learning_rate <= 0:
        raise HyperparameterError("learning_rate", f"must be positive, got {learning_rate!r}")
    features = keras.Input((n_features,), name="features")
    hidden = keras.layers.Dense(hidden_units, activation="relu", name="hidden")(features)
    prediction = keras.layers.Dense(1, name="prediction")(hidden)
    model = keras.Model(features, prediction, name="${module}")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="mse")
    return model
'''
)

DATA = Template(
    '''\
"""Training data for ``${architecture}``: synthetic, or loaded from an ``.npz`` file."""

from __future__ import annotations

from typing import Any

import numpy as np

SYNTHETIC_EXAMPLES = 256


def make_dataset(hyperparameters: dict[str, Any], batch_size: int, source: str | None = None):
    """Return a ``tf.data.Dataset`` of ``(features, target)`` batches.

    Args:
        hyperparameters: dict. Needs ``n_features``.
        batch_size: int. Examples per batch.
        source: str or None. None for synthetic data; otherwise an ``.npz``
            file with arrays ``x`` ``(N, n_features)`` and ``y`` ``(N,)``.

    Returns:
        tf.data.Dataset. float32 ``(batch, n_features)`` and ``(batch, 1)``.
    """
    import tensorflow as tf

    n_features = hyperparameters["n_features"]
    x, y = synthetic_arrays(n_features) if source is None else load_arrays(source, n_features)
    dataset = tf.data.Dataset.from_tensor_slices((x, y.reshape(-1, 1)))
    return dataset.shuffle(len(x), seed=0).batch(batch_size)


def synthetic_arrays(
    n_features: int, examples: int = SYNTHETIC_EXAMPLES, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """A noisy linear target of random features: something to learn."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((examples, n_features))
    y = x @ rng.standard_normal(n_features) + rng.normal(0.0, 0.1, examples)
    return x.astype("float32"), y.astype("float32")


def load_arrays(path: str, n_features: int) -> tuple[np.ndarray, np.ndarray]:
    """Load ``x`` and ``y`` from an ``.npz`` file, checking their shapes.

    Raises:
        ValueError: an array is missing or has the wrong shape.
    """
    with np.load(path) as data:
        if "x" not in data.files or "y" not in data.files:
            raise ValueError(f"{path}: expected arrays 'x' and 'y', found {data.files}")
        x, y = data["x"], data["y"]
    if x.ndim != 2 or x.shape[1] != n_features or y.shape != (len(x),):
        raise ValueError(f"{path}: x {x.shape} and y {y.shape}, expected (N, {n_features}) and (N,)")
    return x.astype("float32"), y.astype("float32")
'''
)

TRAIN = Template(
    '''\
"""The train step of ``${architecture}``."""

from __future__ import annotations

import keras
import tensorflow as tf
from keras import ops


def train_step(model: keras.Model, batch) -> dict:
    """One optimisation step; kreg runs it inside ``fit`` under ``tf.function``.

    Args:
        model: keras.Model. The compiled model; its optimizer is used.
        batch: tuple. ``(features, target)`` from the data adapter.

    Returns:
        dict. Scalar metrics: ``loss`` (mean squared error) and ``mae``.
    """
    features, target = batch
    with tf.GradientTape() as tape:
        prediction = model(features, training=True)
        loss = ops.mean(ops.square(target - prediction))
    gradients = tape.gradient(loss, model.trainable_weights)
    model.optimizer.apply_gradients(zip(gradients, model.trainable_weights))
    return {"loss": loss, "mae": ops.mean(ops.abs(target - prediction))}
'''
)

TEST_CONTRACT = Template(
    '''\
"""kreg's plugin contract, checked by kreg.testing: one test per check and per architecture."""
from kreg.testing import contract_tests

TestKregContract = contract_tests("${entry_point}")
'''
)

TEST_DATA = Template(
    '''\
"""The data adapter of ``${architecture}``."""

import numpy as np
import pytest

from ${module}.data import load_arrays, make_dataset


def test_synthetic_batches_match_the_model_input():
    features, target = next(iter(make_dataset({"n_features": 4}, 8, None)))
    assert features.shape == (8, 4) and target.shape == (8, 1)


def test_an_npz_of_the_wrong_width_is_refused(tmp_path):
    path = tmp_path / "data.npz"
    np.savez(path, x=np.zeros((5, 3)), y=np.zeros(5))
    with pytest.raises(ValueError, match="expected"):
        load_arrays(str(path), 4)
'''
)

FILES: dict[str, Template] = {
    "pyproject.toml": PYPROJECT,
    "README.md": README,
    ".gitignore": GITIGNORE,
    "src/${module}/__init__.py": INIT,
    "src/${module}/model.py": MODEL,
    "src/${module}/data.py": DATA,
    "src/${module}/train.py": TRAIN,
    "tests/test_contract.py": TEST_CONTRACT,
    "tests/test_data.py": TEST_DATA,
}
"""Relative path template -> content template."""
