"""Fixtures for the research families: running a kreg train step the ways kreg does."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def make_step_runner(model, step):
    """A ``keras.Model`` whose ``train_step`` calls ``step(model, batch)``: how a plugin's step runs inside ``fit``.

    It shares the model's optimizer and reports the model's metrics as its
    own, so ``fit`` resets them at each epoch's start.
    """
    import keras

    class StepRunner(keras.Model):
        def __init__(self):
            super().__init__(name="step_runner")
            self.trained = model

        def train_step(self, data):
            return step(self.trained, data)

        @property
        def metrics(self):
            return list(self.trained.metrics)

    runner = StepRunner()
    runner.compile(optimizer=model.optimizer)
    return runner


def batch_logs_callback():
    """A callback whose ``batches`` list receives every batch's logs as floats."""
    import keras

    class BatchLogs(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.batches: list[dict[str, float]] = []

        def on_train_batch_end(self, batch, logs=None):
            self.batches.append({key: float(value) for key, value in (logs or {}).items()})

    return BatchLogs()


@pytest.fixture
def fit_with_step():
    """Run ``step`` inside a real ``fit``; return the list of per-batch logs."""

    def run(model, step, dataset, epochs: int = 1, steps_per_epoch: int | None = None) -> list[dict[str, float]]:
        logs = batch_logs_callback()
        runner = make_step_runner(model, step)
        runner.fit(dataset, epochs=epochs, steps_per_epoch=steps_per_epoch, callbacks=[logs], shuffle=False, verbose=0)
        return logs.batches

    return run


@pytest.fixture
def graph_steps():
    """Run ``step`` under ``tf.function`` on the first ``count`` batches; return their logs as floats."""

    def run(model, step, dataset, count: int) -> list[dict[str, float]]:
        import tensorflow as tf

        compiled = tf.function(lambda batch: step(model, batch))
        return [{key: float(value) for key, value in compiled(batch).items()} for batch in dataset.take(count)]

    return run
