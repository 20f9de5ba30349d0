"""Ctrl-C during training: stop at the next step boundary, not in the middle of one.

The first SIGINT while ``fit`` runs only asks to stop: the step under way
finishes, :class:`StopAtStepBoundary` sets ``model.stop_training`` and Keras
ends ``fit`` cleanly, so the metrics so far can be reported with the step
reached. A second Ctrl-C stops at once (Python's ``KeyboardInterrupt``).
"""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
from collections.abc import Iterator
from typing import Any

import keras

from kreg.processes import counting_interrupt_handler, note_signal

STOPPING_NOTICE = "kreg: stopping after this step (Ctrl-C again to stop at once)"


class StopAtStepBoundary(keras.callbacks.Callback):
    """Ends ``fit`` after the step during which Ctrl-C arrived.

    Attributes:
        requested: bool. Ctrl-C arrived while training.
    """

    def __init__(self) -> None:
        super().__init__()
        self.requested = False

    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        """Stop here when Ctrl-C was pressed during this step."""
        if self.requested:
            self.model.stop_training = True


@contextlib.contextmanager
def stop_on_interrupt(stopper: StopAtStepBoundary) -> Iterator[None]:
    """While the block runs, the first Ctrl-C sets ``stopper.requested`` instead of raising.

    Only in the main thread, and only where Ctrl-C would raise
    ``KeyboardInterrupt``: a process that ignores SIGINT (``kreg check``'s
    children) or handles it itself keeps its own handling.
    """
    previous = signal.getsignal(signal.SIGINT)
    if threading.current_thread() is not threading.main_thread() or previous not in (
        signal.default_int_handler,
        counting_interrupt_handler,
    ):
        yield
        return

    def request(number: int, frame: object) -> None:
        note_signal(number, frame)
        stopper.requested = True
        signal.signal(signal.SIGINT, previous)
        print(STOPPING_NOTICE, file=sys.stderr, flush=True)

    signal.signal(signal.SIGINT, request)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
