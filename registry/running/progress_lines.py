"""Progress of a training as plain lines on stderr, for a process whose output another
process reads (``kreg train --workers`` relays its chief's lines).

Keras's progress bar redraws one line with carriage returns and its
``verbose=2`` mode prints once per epoch, on stdout, where ``--json`` output
goes; :class:`ProgressLines` prints ``kreg: step 40/200: loss 0.0213`` on
stderr after the first step, then at most every few seconds, and after the last.
"""

from __future__ import annotations

import math
import sys
import time
from typing import Any, TextIO

import keras

from kreg.cluster import PROGRESS_PREFIX


class ProgressLines(keras.callbacks.Callback):
    """Print ``kreg: step N/TOTAL: metric value, ...`` lines on stderr.

    Args:
        total_steps: int. Steps of the whole run (steps per epoch x epochs).
        every_seconds: float. The least time between two lines.
        stream: TextIO or None. Where to print (stderr by default).
    """

    def __init__(self, total_steps: int, every_seconds: float = 2.0, stream: TextIO | None = None) -> None:
        super().__init__()
        self.total_steps = total_steps
        self.every_seconds = every_seconds
        self.stream = stream
        self._done = 0
        self._last_print = -math.inf

    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        """Count the step; print a line when it is the first, the last, or enough time has passed."""
        self._done += 1
        now = time.monotonic()
        if self._done in (1, self.total_steps) or now - self._last_print >= self.every_seconds:
            self._last_print = now
            print(progress_line(self._done, self.total_steps, logs or {}), file=self.stream or sys.stderr, flush=True)


def progress_line(done: int, total: int, logs: dict[str, Any]) -> str:
    """``kreg: step 40/200: loss 0.0213, accuracy 0.5`` (only the metrics that are numbers)."""
    values = []
    for name, value in logs.items():
        try:
            values.append(f"{name} {float(value):.4g}")
        except (TypeError, ValueError):
            continue
    return f"{PROGRESS_PREFIX}{done}/{total}" + (": " + ", ".join(values) if values else "")
