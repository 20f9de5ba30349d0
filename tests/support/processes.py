"""Watching real processes from a test: is one still alive, wait until something happens."""

from __future__ import annotations

import os
import time
from collections.abc import Callable

import pytest


def alive(pid: int) -> bool:
    """The process exists and is not a zombie (a zombie is gone for our purposes)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[-1].split()[0] != "Z"
    except OSError:
        return True


def wait_for(condition: Callable[[], object], timeout: float = 120.0, what: str = "the condition") -> None:
    """Poll ``condition()`` every 50 ms until it is true; fail the test after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"{what} did not happen within {timeout:g} s")
        time.sleep(0.05)
