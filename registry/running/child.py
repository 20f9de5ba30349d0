"""The child process side of :mod:`kreg.running.workers`: run one architecture, report back on a pipe.

The child leads a process group of its own (so that the parent can kill
whatever the plugin started with it) and dies with its parent. It sends
``("phase", value)`` each time a phase starts or ends, then ``("result",
value)`` or ``("error", text)``, and leaves at once with ``os._exit``: at-exit
hooks of TensorFlow or of plugin threads cannot keep it alive after its
result is in.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from collections.abc import Sequence
from multiprocessing.connection import Connection
from typing import Any

from kreg.catalogue import Entry
from kreg.errors import describe_exception
from kreg.processes import die_with_parent
from kreg.running.calls import RunningPhase, phases_reported_to


def run_child(
    connection: Connection, task: Any, entry: Entry | str, disabled: Sequence[str], threads: int | None
) -> None:
    """Run ``task`` on the architecture in this (child) process and send the outcome on ``connection``.

    Args:
        connection: Connection. The sending end of the pipe to the parent.
        task: callable. Called with the Entry; what it returns is sent back.
        entry: Entry or str. The architecture, or its name when it could not
            be pickled (the catalogue is then loaded here, skipping ``disabled``).
        disabled: Sequence[str]. Plugins to skip when loading the catalogue.
        threads: int or None. TensorFlow threads for this child (None: TensorFlow's default).
    """
    _detach()

    def report(running: RunningPhase | None) -> None:
        connection.send(("phase", None if running is None else running.phase.value))

    try:
        with phases_reported_to(report):
            reply = ("result", task(_entry(entry, disabled, threads)))
        connection.send(reply)
    except BaseException as error:  # noqa: BLE001 - kreg failed on it, or its result cannot be pickled: sent to the parent
        with contextlib.suppress(OSError, ValueError):  # the parent is gone; os._exit below still runs
            connection.send(("error", f"kreg failed checking it: {describe_exception(error)}"))
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(OSError, ValueError):  # a closed pipe or file
                stream.flush()
        os._exit(0)


def _detach() -> None:
    """Lead a process group of our own, and die when the parent does (Linux)."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # the fork server's own handler (kreg ended) is not ours
    with contextlib.suppress(OSError):
        os.setpgid(0, 0)
    die = die_with_parent()
    if die is not None:
        die()


def _entry(entry: Entry | str, disabled: Sequence[str], threads: int | None) -> Entry:
    if threads is not None:
        _share_cores(threads)
    if isinstance(entry, Entry):
        return entry
    from kreg.loading import load_catalogue

    return load_catalogue(disabled=list(disabled)).get(entry)


def _share_cores(threads: int) -> None:
    """Limit TensorFlow's threads, so that ``jobs`` children share the machine's cores."""
    from kreg.running.keras_runtime import require_keras

    require_keras()
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(threads)
    tf.config.threading.set_inter_op_parallelism_threads(threads)
