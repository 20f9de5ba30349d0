"""Importing Keras on the TensorFlow backend, quietly, only when a command needs it."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator

from kreg.errors import KregError
from kreg.loading import debug_requested

INSTALL_HINT = "install TensorFlow and Keras: pip install 'kreg[cpu]' (or 'kreg[gpu]')"


def require_keras() -> None:
    """Import Keras on the TensorFlow backend, or fail with how to install it.

    Raises:
        KregError: TensorFlow or Keras is not installed.
    """
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    if not debug_requested():
        # 3 hides TensorFlow's C++ errors too (grappler's harmless "remapper
        # failed"); real failures still reach kreg as Python exceptions.
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    try:
        with _quiet_native_stderr():
            import keras  # noqa: F401
            import tensorflow
    except ImportError as error:
        raise KregError(
            f"building an architecture needs Keras 3 on TensorFlow ({error.name} is missing); {INSTALL_HINT}"
        ) from None
    if not debug_requested():
        # Python-side notices such as "N out of the last M calls triggered tf.function retracing".
        tensorflow.get_logger().setLevel("ERROR")


@contextlib.contextmanager
def _quiet_native_stderr() -> Iterator[None]:
    """Silence file descriptor 2 while TensorFlow loads, unless KREG_DEBUG is set.

    TensorFlow 2.21 logs oneDNN and CPU-feature notices through absl before its
    logging is initialised, which ignores TF_CPP_MIN_LOG_LEVEL; only the import
    is silenced, so later errors still reach stderr.
    """
    if debug_requested() or "tensorflow" in sys.modules:
        yield
        return
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


@contextlib.contextmanager
def dtype_policy(name: str | None) -> Iterator[None]:
    """Build models under Keras's global dtype policy ``name`` (None: leave it), restored afterwards.

    ``mixed_float16`` and ``mixed_bfloat16`` compute (and so keep activations)
    in 16 bits and keep float32 variables.
    """
    if name is None:
        yield
        return
    require_keras()
    import keras

    previous = keras.mixed_precision.global_policy()
    keras.mixed_precision.set_global_policy(name)
    try:
        yield
    finally:
        keras.mixed_precision.set_global_policy(previous)
