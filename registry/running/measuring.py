"""``kreg bench``'s measurements of one architecture, made in the process that runs them.

Runs in a child process of its own (:mod:`kreg.running.workers`), one per
architecture and batch size, so that the memory peaks are this
measurement's alone. In order:

1. the idle baseline: TensorFlow's allocator is asked for its statistics (on
   CPU it counts only from then on) and the process's resident memory is
   read (TensorFlow is imported and has run a one-weight model: the child is
   forked from a server that imported it);
2. the architecture is built with its defaults under the Keras dtype policy
   asked for (``mixed_float16`` computes in float16 and keeps float32
   variables), and one batch of the asked size is taken from its data
   adapter; the adapter's data set is released, and both peaks start afresh
   (the allocator's at its bytes in use, the resident high-water mark at the
   resident memory of the moment);
3. inference: ``predict_on_batch`` on that batch, :data:`WARMUP` times
   unmeasured (tracing, allocation), then ``repeats`` times timed;
4. training: ``train_on_batch`` (the architecture's own train step, loss and
   optimizer), warmed up and timed the same way;
5. the peak: TensorFlow's allocator peak (``get_memory_info("CPU:0")``, or
   ``"GPU:0"`` where there is a GPU, whose name is then the device): the
   tensors alive at once, as the estimate counts them; beside it the
   resident high-water mark above the baseline (everything the process held:
   traced functions, glibc's cached free memory, oneDNN's caches). Where the
   allocator counted nothing the resident peak stands for it;
6. kreg's estimate at the same batch size and dtype (``kreg inspect``'s
   training memory of the built model: parameters, gradients, optimizer state,
   what the backward pass reads), made after the peaks were read so that
   tracing does not count.

A batch that does not fit fails with a cause naming out-of-memory: the
child's data segment is limited to the memory available when it starts
(``RLIMIT_DATA``), so an allocation too large fails in TensorFlow
(``ResourceExhaustedError``) instead of waking the kernel's OOM killer.
"""

from __future__ import annotations

import gc
import resource
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kreg.catalogue import Entry
from kreg.defaults import DTYPE_POLICIES
from kreg.errors import ArchitectureFailure
from kreg.hyperparameters import resolve_hyperparameters
from kreg.inspect_tools.params import is_container_model
from kreg.phases import Phase
from kreg.running.building import build_fresh
from kreg.running.calls import in_phase, resolve_part
from kreg.running.data import make_dataset
from kreg.running.keras_runtime import require_keras
from kreg.running.train_loop import build_optimizer, installed_train_step

WARMUP = 2
"""Unmeasured calls before the timed ones: the first traces and compiles, the second settles allocations."""

DTYPES = DTYPE_POLICIES
"""The Keras dtype policies ``kreg bench --dtype`` accepts."""

OUT_OF_MEMORY = "out of memory"

ALLOCATOR = "tensorflow-allocator"
"""``peak_method`` of a peak read from TensorFlow's allocator statistics (the tensors' bytes)."""
RESIDENT = "resident"
"""``peak_method`` of a peak read from the resident high-water mark (where the allocator keeps no statistics)."""


@dataclass(frozen=True)
class Timing:
    """Seconds per call over the timed repeats.

    Attributes:
        median_s: float. The median.
        spread_s: float. Max minus min.
        runs: int. Timed calls.
    """

    median_s: float
    spread_s: float
    runs: int

    @classmethod
    def of(cls, seconds: list[float]) -> Timing:
        """The timing of a list of measured calls."""
        return cls(statistics.median(seconds), max(seconds) - min(seconds), len(seconds))


@dataclass(frozen=True)
class Measurement:
    """What :func:`measure` found for one architecture at one batch size and dtype (picklable).

    Attributes:
        architecture: str. Its name.
        batch_size: int. Examples per batch.
        dtype: str. The Keras dtype policy.
        device: str. Where it ran (the CPU model).
        inference: Timing or None. ``predict_on_batch``; None for a model
            without its own ``call()`` (a VAE or GAN trained by its train step only).
        training: Timing. ``train_on_batch``.
        peak_bytes: int. TensorFlow's allocator peak while the steps ran (the
            resident peak where the allocator keeps no statistics).
        estimate_bytes: int or None. kreg's training-memory estimate (None when it cannot be made).
        macs: int or None. Forward MACs per example (``kreg inspect``'s).
        training_step_macs: int or None. Forward + backward MACs per example.
        resident_peak_bytes: int. The process's resident high-water mark while
            the steps ran, above the idle baseline (everything the process held).
        peak_method: str. Where ``peak_bytes`` came from: :data:`ALLOCATOR` or :data:`RESIDENT`.
    """

    architecture: str
    batch_size: int
    dtype: str
    device: str
    inference: Timing | None
    training: Timing
    peak_bytes: int
    estimate_bytes: int | None
    macs: int | None
    training_step_macs: int | None
    resident_peak_bytes: int = 0
    peak_method: str = RESIDENT


def measure(entry: Entry, batch_size: int, dtype: str = "float32", repeats: int = 5) -> Measurement:
    """Measure one architecture in this process (a fresh child: the memory peak is the process's).

    Raises:
        ArchitectureFailure: building, the data, a step or the estimate failed;
            out of memory is named in the cause.
    """
    require_keras()
    _warm_runtime()
    gpu = _gpu()
    allocator = "CPU:0" if gpu is None else "GPU:0"
    counting = _count_allocations(allocator)  # before building: the weights are counted too
    baseline = _resident_now()
    _limit_data_to_available_memory()
    try:
        built, batch = _built_with_a_batch(entry, batch_size, dtype)
        build_optimizer(built.model)  # its slots are the step's, and the step is traced once
        gc.collect()  # the adapter's data set, of which only the batch is kept
        if counting:
            _reset_allocator_peak(allocator)
        high_water = _ResidentHighWater()
        with in_phase(entry.name, Phase.TRAIN, cause=_cause):
            inference = None
            if not is_container_model(built.model):
                inference = Timing.of(_timed(lambda: built.model.predict_on_batch(_inputs(batch)), repeats))
            step = resolve_part(entry, "train_step")
            with installed_train_step(built.model, step, entry.name):
                training = Timing.of(_timed(lambda: built.model.train_on_batch(*_arguments(batch)), repeats))
        resident = high_water.read() - baseline
        # A peak of 0 is an allocator that counted nothing in this process (seen on CPU): not a measurement.
        counted = _allocator_peak(allocator) if counting else 0
        counting = counted > 0
        peak = counted if counting else resident
    finally:
        _unlimit_data()
    estimate, macs, step_macs = _estimate(built, batch_size)
    device = cpu_name() if gpu is None else gpu
    return Measurement(
        entry.name,
        batch_size,
        dtype,
        device,
        inference,
        training,
        peak,
        estimate,
        macs,
        step_macs,
        resident_peak_bytes=resident,
        peak_method=ALLOCATOR if counting else RESIDENT,
    )


def _warm_runtime() -> None:
    """Train and run a one-weight model once, so the baseline holds what any model's first step starts.

    TensorFlow's thread pools, oneDNN's kernels and Keras's step functions take
    tens of megabytes the first time any model runs; they are the runtime's,
    not the architecture's.
    """
    import keras
    import numpy as np

    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    data = np.zeros((1, 1), "float32")
    for _ in range(WARMUP):
        model.train_on_batch(data, data)
        model.predict_on_batch(data)
    keras.backend.clear_session()


def _built_with_a_batch(entry: Entry, batch_size: int, dtype: str) -> tuple[Any, Any]:
    hyperparameters = resolve_hyperparameters(entry)
    built = build_fresh(entry, hyperparameters, dtype=dtype)
    if not built.model.compiled:
        raise ArchitectureFailure(entry.name, Phase.BUILD, "the builder returned an uncompiled model")
    dataset = make_dataset(entry, hyperparameters, batch_size, None, built.data_state)
    _require_batch_fits(entry.name, dataset, batch_size)
    with in_phase(entry.name, Phase.DATA, cause=_cause):
        # A full batch even from an adapter with fewer examples than the batch size.
        batch = next(iter(dataset.unbatch().repeat().batch(batch_size, drop_remainder=True)))
    return built, batch


def _require_batch_fits(name: str, dataset: Any, batch_size: int) -> None:
    """Fail before making a batch larger than the memory available (TensorFlow would abort on it)."""
    import math

    import tensorflow as tf

    example = 0
    for spec in tf.nest.flatten(dataset.element_spec):
        sizes = [size for size in spec.shape.as_list()[1:] if size is not None]
        example += math.prod(sizes) * spec.dtype.size
    available = _available_bytes()
    needed = example * batch_size
    if available is not None and needed > available:
        raise ArchitectureFailure(
            name,
            Phase.DATA,
            f"{OUT_OF_MEMORY}: one batch of {batch_size} needs {needed / 1e9:,.1f} GB, "
            f"{available / 1e9:,.1f} GB are available",
        )


def _timed(call: Callable[[], Any], repeats: int) -> list[float]:
    for _ in range(WARMUP):
        call()
    seconds = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        seconds.append(time.perf_counter() - start)
    return seconds


def _inputs(batch: Any) -> Any:
    """The model's inputs of a batch (``x`` of ``(x, y)`` or ``(x, y, w)``)."""
    return batch[0] if isinstance(batch, tuple) else batch


def _arguments(batch: Any) -> tuple[Any, ...]:
    """``train_on_batch``'s arguments: ``x``, ``y`` and sample weights as the batch has them."""
    return tuple(batch) if isinstance(batch, tuple) else (batch,)


def _estimate(built: Any, batch_size: int) -> tuple[int | None, int | None, int | None]:
    """kreg's training-memory estimate and MACs of the built model at ``batch_size``."""
    from kreg.running.inspecting import inspect_built

    report = inspect_built(built, components={"model": built.model}, batch_size=batch_size)
    component = report.components["model"]
    return component.memory.training_bytes, component.compute.macs, component.compute.training_step_macs


def _cause(error: BaseException) -> BaseException | str:
    """Out of memory in words; any other error as ``in_phase`` shows it."""
    from kreg.running.causes import specific_cause

    if type(error).__name__ in ("ResourceExhaustedError", "MemoryError") or "OOM when allocating" in str(error):
        return f"{OUT_OF_MEMORY}: the batch does not fit ({type(error).__name__})"
    return specific_cause(error)


def _resident_now() -> int:
    """This process's resident memory now, in bytes (``VmRSS``; the high-water mark where it is missing)."""
    return _meminfo_kib("/proc/self/status", "VmRSS:") or _rusage_high_water()


def _rusage_high_water() -> int:
    """This process's resident-memory high-water mark since it started, in bytes (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


class _ResidentHighWater:
    """The resident high-water mark from now on.

    Linux resets ``VmHWM`` to the resident memory of the moment when ``5`` is
    written to ``/proc/self/clear_refs``: so the mark counts what the model, its
    batch and its steps hold, not the data set the adapter made and released
    before (16 batches for the image adapters). Where the file cannot be
    written, the mark since the process started (``ru_maxrss``) is read instead.
    """

    def __init__(self) -> None:
        try:
            with open("/proc/self/clear_refs", "w", encoding="ascii") as clear:
                clear.write("5")
            self.reset = True
        except OSError:
            self.reset = False

    def read(self) -> int:
        """The high-water mark in bytes."""
        if self.reset:
            return _meminfo_kib("/proc/self/status", "VmHWM:") or _rusage_high_water()
        return _rusage_high_water()


_SAVED_DATA_LIMIT: list[tuple[int, int]] = []


def _limit_data_to_available_memory() -> None:
    """Let this process's data segment grow by the memory available now, no further."""
    available = _available_bytes()
    if available is None:
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_DATA)
    used = _data_segment_bytes()
    limit = used + available
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_DATA, (limit, hard))
    _SAVED_DATA_LIMIT.append((soft, hard))


def _unlimit_data() -> None:
    if _SAVED_DATA_LIMIT:
        resource.setrlimit(resource.RLIMIT_DATA, _SAVED_DATA_LIMIT.pop())


def _available_bytes() -> int | None:
    return _meminfo_kib("/proc/meminfo", "MemAvailable:")


def _data_segment_bytes() -> int:
    return _meminfo_kib("/proc/self/status", "VmData:") or 0


def _meminfo_kib(path: str, key: str) -> int | None:
    """A ``key: N kB`` line of a /proc file, in bytes; None when absent."""
    try:
        with open(path, encoding="ascii") as lines:
            for line in lines:
                if line.startswith(key):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def _gpu() -> str | None:
    """The name of the first GPU TensorFlow sees (where Keras runs the model), or None on CPU."""
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    if not gpus:
        return None
    details = tf.config.experimental.get_device_details(gpus[0])
    return str(details.get("device_name", gpus[0].name))


def _count_allocations(device: str) -> bool:
    """Have TensorFlow's allocator of ``device`` keep statistics from now on; False where it keeps none.

    On CPU the allocator counts only once its statistics have been asked for:
    tensors allocated before (the weights) would be missing from the peak.
    """
    import tensorflow as tf

    try:
        tf.config.experimental.get_memory_info(device)
    except (ValueError, RuntimeError, tf.errors.OpError):  # an allocator without statistics
        return False
    return True


def _reset_allocator_peak(device: str) -> None:
    """Make the allocator's peak its bytes in use now (the data set the adapter made is gone)."""
    import tensorflow as tf

    tf.config.experimental.reset_memory_stats(device)


def _allocator_peak(device: str) -> int:
    """TensorFlow's allocator peak on ``device`` since :func:`_reset_allocator_peak`, in bytes."""
    import tensorflow as tf

    return int(tf.config.experimental.get_memory_info(device)["peak"])


def cpu_name() -> str:
    """The CPU's model name from /proc/cpuinfo, with the cores this process may use."""
    import os

    name = "unknown CPU"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as lines:
            name = next((line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")), name)
    except OSError:
        pass
    return f"{name} ({len(os.sched_getaffinity(0))} cores)"
