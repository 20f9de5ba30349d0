"""Running a train step inside Keras's own ``fit``.

Keras's TensorFlow trainer builds its train function from ``self.train_step``
when ``fit`` starts (``make_train_function``), wraps it in ``tf.function`` (with
XLA when the model was compiled with ``jit_compile``), runs it under the model's
distribution strategy and calls the callbacks. A plugin's ``train_step(model,
batch)`` function is put in place of the model's method for the duration of one
``fit`` call, so it gets all of that unchanged.
"""

from __future__ import annotations

import contextlib
import gc
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import keras
import tensorflow as tf

from kreg.errors import ArchitectureFailure
from kreg.inspect_tools import keras_compat
from kreg.phases import Phase

TrainStep = Callable[[keras.Model, Any], Mapping[str, Any]]
"""A plugin's ``train_step(model, batch)``: one optimisation step, returning scalar metrics."""

STRATEGIES = ("mirrored", "multiworker")
"""The values of ``--distribute``."""


@contextlib.contextmanager
def installed_train_step(model: keras.Model, step: TrainStep | None, architecture: str = "?") -> Iterator[None]:
    """Make ``model.fit`` call ``step(model, batch)`` for each batch, then restore the model.

    What the step returns is checked when ``fit`` traces it: a dict of at least
    one metric, none of them text (Keras would fail later with messages about
    TensorFlow's internals or NumPy's ufuncs).

    Args:
        model: keras.Model. The compiled model.
        step: callable or None. The plugin's train step; None leaves the model's own.
        architecture: str. The architecture's name, for the failure.

    Raises:
        ArchitectureFailure: the step returned something else (phase ``train``).
    """
    if step is None:
        yield
        return

    def train_step(data: Any) -> dict[str, Any]:
        outputs = step(model, data)
        problem = _metrics_problem(outputs)
        if problem is not None:
            raise ArchitectureFailure(architecture, Phase.TRAIN, problem)
        return dict(outputs)

    with keras_compat.train_step_replaced(model, train_step):
        yield


def _metrics_problem(outputs: Any) -> str | None:
    """What is wrong with a train step's return value, or None when it is a dict of numeric metrics."""
    if not isinstance(outputs, Mapping):
        return f"the train step must return a dict of scalar metrics, not {type(outputs).__name__}"
    if not outputs:
        return "the train step returned no metrics (an empty dict); return at least one, e.g. {'loss': loss}"
    for name, value in outputs.items():
        if isinstance(value, (str, bytes)) or getattr(value, "dtype", None) == tf.string:
            return f"the train step's metric {name!r} is text, not a number; return numbers only (e.g. a scalar tensor)"
    return None


def fit_steps(
    model: keras.Model,
    dataset: tf.data.Dataset,
    steps: int,
    epochs: int,
    callbacks: Sequence[keras.callbacks.Callback],
    verbose: int,
) -> None:
    """Run ``steps`` batches per epoch for ``epochs`` epochs with ``model.fit``.

    The dataset is repeated, so a short one never ends an epoch early, and
    prefetched, so the next batch is ready while a step runs.

    Args:
        model: keras.Model. Compiled, with its train step installed.
        dataset: tf.data.Dataset. Batches from the architecture's data adapter.
        steps: int. Steps per epoch.
        epochs: int. Epochs.
        callbacks: Sequence[keras.callbacks.Callback]. Passed to ``fit``.
        verbose: int. Keras's verbosity: 0 silent, 1 progress bar, 2 a line per epoch.
    """
    batches = dataset.repeat().prefetch(tf.data.AUTOTUNE)
    build_optimizer(model)
    try:
        # shuffle=False: a dataset is shuffled by its adapter; fit would only warn.
        model.fit(
            batches, steps_per_epoch=steps, epochs=epochs, callbacks=list(callbacks), verbose=verbose, shuffle=False
        )
    finally:
        # A fit stopped mid-epoch (stop_training: Ctrl-C, a NaN) leaves Keras's
        # epoch iterator suspended; left to the interpreter's exit, closing it
        # deadlocks with the thread of a from_generator dataset (the process
        # never exits). Closing it now does not.
        gc.collect()


def build_optimizer(model: keras.Model) -> None:
    """Create the compiled optimizer's variables now, for the model's trainable weights, if it has none yet.

    Keras without a distribution strategy creates them inside the first
    traced train step, and ``tf.function`` then traces the whole step twice
    (MobileNetV3Small's first step: 93 s against 41 s). A builder need not
    build its optimizer itself (then ``kreg inspect`` or ``plot``, which never
    train, would pay for it: 2.2 s of EfficientNetV2L's review); one that
    trains other variables than the model's builds its own and is left as it is.
    """
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None or getattr(optimizer, "built", True):
        return
    with model.distribute_strategy.scope():
        optimizer.build(model.trainable_variables)


def progress_verbosity(quiet: bool) -> int:
    """Keras's ``verbose``: a progress bar on a terminal, a line per epoch in a pipe, nothing if quiet."""
    if quiet:
        return 0
    return 1 if sys.stdout.isatty() else 2


def make_strategy(kind: str | None, connect_timeout: float | None = None) -> tf.distribute.Strategy | None:
    """Return the distribution strategy named by ``--distribute``, one per process.

    A strategy is created once and reused: two MirroredStrategy objects in
    one process reuse collective instance keys and abort with "Shape mismatch
    in the collective instance", and TensorFlow allows only one
    MultiWorkerMirroredStrategy per process.

    Args:
        kind: str or None. None (no strategy), ``"mirrored"`` (every local GPU,
            else every logical CPU device) or ``"multiworker"``
            (``MultiWorkerMirroredStrategy``, its cluster read from ``TF_CONFIG``;
            without it, a single local worker: see :mod:`kreg.running.multiworker`).
        connect_timeout: float or None. ``multiworker``: seconds to wait for the
            other workers (None: the default of ``--connect-timeout``).

    Returns:
        tf.distribute.Strategy or None.

    Raises:
        ValueError: an unknown kind.
        ClusterConfigError: ``multiworker`` with a malformed ``TF_CONFIG``.
        ClusterUnreachable: ``multiworker``: the other workers did not all answer in time.
    """
    if kind is None:
        return None
    if kind not in _strategies:
        _strategies[kind] = _new_strategy(kind, connect_timeout)
    return _strategies[kind]


_strategies: dict[str, tf.distribute.Strategy] = {}


def _new_strategy(kind: str, connect_timeout: float | None) -> tf.distribute.Strategy:
    if kind == "mirrored":
        devices = tf.config.list_logical_devices("GPU") or tf.config.list_logical_devices("CPU")
        return tf.distribute.MirroredStrategy(devices=[device.name for device in devices])
    if kind == "multiworker":
        from kreg.cluster import DEFAULT_CONNECT_TIMEOUT
        from kreg.running.multiworker import create_strategy

        return create_strategy(connect_timeout or DEFAULT_CONNECT_TIMEOUT)
    raise ValueError(f"unknown strategy {kind!r}; choose from {', '.join(STRATEGIES)}")


def strategy_scope(strategy: tf.distribute.Strategy | None) -> contextlib.AbstractContextManager:
    """The strategy's scope, or a no-op context without one."""
    return strategy.scope() if strategy is not None else contextlib.nullcontext()
