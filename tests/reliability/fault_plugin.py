"""The source of ``kreg-test-faults``: one plugin package whose architectures fail in every way a process can.

pip-installed into a temporary venv by the tests (never imported by the test
process: some of its builders end the process that calls them). Environment
variables steer it: ``FAULT_PID_DIR`` (the hanging builder writes its pid and
its own child's there, and so does the escaping one, which then sleeps for an
hour if ``FAULT_ESCAPE_HANG`` is set), ``FAULT_MARK_DIR`` (the slow trainer
marks its first batch there), ``FAULT_SAVE_BLOCK`` (saving the blocking model waits forever
once its temporary file exists). Keras is imported only by the builder
module of the blocking model (``kreg_test_faults_saving``), as a real
plugin's entry module must not import it.
"""

from __future__ import annotations

SOURCE = """
import kreg

FAULTS = {
    "fault-exit": "calls sys.exit(7) in its builder",
    "fault-os-exit": "calls os._exit(70) in its builder",
    "fault-segfault": "crashes with SIGSEGV in native code in its builder",
    "fault-hang": "sleeps for an hour in its builder, with a child process of its own",
    "fault-abort": "raises a BaseException subclass of its own in its builder",
    "fault-keyboard-interrupt": "raises KeyboardInterrupt itself in its builder (no signal)",
}


@kreg.hookimpl
def kreg_register_architectures(register):
    register(kreg.Architecture(
        name="fault-good",
        summary="A small regressor that passes",
        builder="kreg_test_faults:build_good",
        data_adapter="kreg_test_faults:data",
        hyperparameters={"units": 4},
    ))
    for name, summary in FAULTS.items():
        register(kreg.Architecture(
            name=name,
            summary="A builder that " + summary,
            builder="kreg_test_faults:build_" + name[len("fault-"):].replace("-", "_"),
            data_adapter="kreg_test_faults:data",
            sampler="kreg_test_faults:sample",
        ))
    register(kreg.Architecture(
        name="fault-hog",
        summary="A builder that fills and holds memory, 64 MiB at a time (the weights are tiny)",
        builder="kreg_test_faults:build_hog",
        data_adapter="kreg_test_faults:data",
        hyperparameters={"megabytes": 64},
    ))
    register(kreg.Architecture(
        name="fault-escape",
        summary="A regressor whose builder leaves a helper process and a setsid daemon (double fork) behind",
        builder="kreg_test_faults:build_escape",
        data_adapter="kreg_test_faults:data",
        hyperparameters={"units": 4},
    ))
    for name, rate in (("fault-learns", 0.05), ("fault-stuck", 0.0)):
        register(kreg.Architecture(
            name=name,
            summary=f"A regressor trained on one batch at learning rate {rate}",
            builder="kreg_test_faults:build_at_rate",
            data_adapter="kreg_test_faults:one_batch",
            hyperparameters={"learning_rate": rate},
        ))
    register(kreg.Architecture(
        name="fault-slow-train",
        summary="A regressor whose batches come slowly (0.1 s each), to be interrupted mid-training",
        builder="kreg_test_faults:build_good",
        data_adapter="kreg_test_faults:slow_data",
        hyperparameters={"units": 4},
    ))
    register(kreg.Architecture(
        name="fault-save",
        summary="A regressor with a layer whose saving can be made to block",
        builder="kreg_test_faults_saving:build_saveable",
        data_adapter="kreg_test_faults:data",
        hyperparameters={"width": 64},
    ))


def _regressor(units, extra=()):
    import keras

    model = keras.Sequential(
        [keras.Input((3,)), keras.layers.Dense(units, activation="relu"), *extra, keras.layers.Dense(1)]
    )
    model.compile(optimizer="sgd", loss="mse")
    return model


def build_good(units):
    return _regressor(units)


def build_at_rate(learning_rate):
    import keras

    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate), loss="mse")
    return model


def one_batch(hyperparameters, batch_size, source):
    import numpy as np
    import tensorflow as tf

    x = np.random.default_rng(0).normal(size=(batch_size, 3)).astype("float32")
    return tf.data.Dataset.from_tensors((x, x.sum(axis=1, keepdims=True))).repeat()


def build_exit():
    import sys

    sys.exit(7)


def build_os_exit():
    import os

    os._exit(70)


def build_segfault():
    import ctypes

    # A real fault in native code: SIGSEGV in the thread that runs the builder, as a crashing extension gives.
    # (os.kill would send it to the process, which the kernel may deliver to another thread a moment later.)
    ctypes.string_at(0)


def build_hang():
    import os
    import subprocess
    import time

    folder = os.environ.get("FAULT_PID_DIR")
    helper = subprocess.Popen(["sleep", "3600"])
    if folder:
        with open(os.path.join(folder, "fault-hang.pids"), "w") as pids:
            pids.write(f"{os.getpid()} {helper.pid}\\n")
    time.sleep(3600)


def build_escape(units):
    import os
    import subprocess
    import time

    helper = subprocess.Popen(["sleep", "3600"])
    first = os.fork()
    if first == 0:  # leave the process group and the parent, as a daemon does
        os.setsid()
        if os.fork() == 0:
            time.sleep(3600)
        os._exit(0)
    os.waitpid(first, 0)
    folder = os.environ.get("FAULT_PID_DIR")
    if folder:
        with open(os.path.join(folder, "fault-escape.pids"), "w") as pids:
            pids.write(f"{os.getpid()} {helper.pid}\\n")
    if os.environ.get("FAULT_ESCAPE_HANG"):
        time.sleep(3600)
    return _regressor(units)


def build_hog(megabytes):
    held = [b"k" * (64 << 20) for _ in range(megabytes // 64)]  # written, so resident: no page is left untouched
    return _regressor(len(held) % 4 + 1)


class Abort(BaseException):
    pass


def build_abort():
    raise Abort("the builder gives up")


def build_keyboard_interrupt():
    raise KeyboardInterrupt


def data(hyperparameters, batch_size, source):
    import numpy as np
    import tensorflow as tf

    x = np.random.default_rng(0).normal(size=(64, 3)).astype("float32")
    return tf.data.Dataset.from_tensor_slices((x, x.sum(axis=1, keepdims=True))).batch(batch_size)


def slow_data(hyperparameters, batch_size, source):
    import os
    import time

    import numpy as np
    import tensorflow as tf

    folder = os.environ.get("FAULT_MARK_DIR")

    def batches():
        rng = np.random.default_rng(0)
        for index in range(10_000):
            if index == 1 and folder:
                open(os.path.join(folder, "training"), "w").close()
            time.sleep(0.1)
            x = rng.normal(size=(batch_size, 3)).astype("float32")
            yield x, x.sum(axis=1, keepdims=True)

    signature = (tf.TensorSpec((None, 3), tf.float32), tf.TensorSpec((None, 1), tf.float32))
    return tf.data.Dataset.from_generator(batches, output_signature=signature)


def sample(model, hyperparameters, output, **options):
    return {"text": ["never reached: the builder fails first"]}
"""

SAVING_SOURCE = '''
import keras


def build_saveable(width):
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4), BlockingSave(width), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    return model


@keras.saving.register_keras_serializable(package="kreg_test_faults")
class BlockingSave(keras.layers.Layer):
    """A Dense-like layer whose save_own_variables waits forever when FAULT_SAVE_BLOCK is set."""

    def __init__(self, width, **kwargs):
        super().__init__(**kwargs)
        self.width = width

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], self.width), initializer="glorot_uniform")

    def call(self, inputs):
        return inputs @ self.kernel

    def get_config(self):
        return {**super().get_config(), "width": self.width}

    def save_own_variables(self, store):
        import os
        import time

        super().save_own_variables(store)
        if os.environ.get("FAULT_SAVE_BLOCK"):
            time.sleep(3600)
'''
