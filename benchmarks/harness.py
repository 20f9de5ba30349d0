"""What every benchmark shares: timing a command, alternating two sides, medians,
ratios against a goal, and a description of the machine.

A benchmark module exposes ``collect(runs: int) -> list[dict]``; each dict is a
:func:`comparison` (kreg beside plain Keras) or a :func:`figure` (kreg alone).
"""

from __future__ import annotations

import math
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parent
WORK = BENCHMARKS / ".work"
QUIET_ENV = {"TF_CPP_MIN_LOG_LEVEL": "2", "KERAS_BACKEND": "tensorflow", "KREG_DISABLE_PLUGINS": ""}


@dataclass(frozen=True)
class Sample:
    """One run: wall seconds, CPU seconds (user + system) and peak memory in MiB."""

    wall: float
    cpu: float
    peak_mib: float


def run_command(command: Sequence[str], env: dict[str, str] | None = None, cwd: Path | None = None) -> Sample:
    """Run a command to completion and measure it; raise if it fails."""
    environment = {**os.environ, **QUIET_ENV, **(env or {})}
    start = time.perf_counter()
    process = subprocess.Popen(
        list(command), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=environment, cwd=cwd
    )
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(command)} failed: {process.stderr.read().decode()[-2000:]}")
    return Sample(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


def alternate(kreg: Callable[[], Sample], keras: Callable[[], Sample], runs: int) -> tuple[list[Sample], list[Sample]]:
    """Run both sides ``runs`` times each, A B B A A B ..., after one unmeasured warm-up each."""
    kreg(), keras()
    kreg_samples, keras_samples = [], []
    for index in range(runs):
        order = [(kreg, kreg_samples), (keras, keras_samples)]
        for action, samples in order if index % 2 == 0 else reversed(order):
            samples.append(action())
    return kreg_samples, keras_samples


def summarise(samples: Sequence[Sample]) -> dict[str, float]:
    """Medians of wall, CPU and peak memory over the runs."""
    return {
        "wall": statistics.median(s.wall for s in samples),
        "cpu": statistics.median(s.cpu for s in samples),
        "peak_mib": statistics.median(s.peak_mib for s in samples),
        "runs": len(samples),
    }


def comparison(
    group: str,
    case: str,
    kreg_label: str,
    keras_label: str,
    samples: tuple[list[Sample], list[Sample]],
    *,
    measure: str = "wall",
    goal: float | None,
    better: str = "lower",
) -> dict:
    """A kreg figure beside its plain-Keras counterpart.

    Args:
        measure: str. ``"wall"`` (seconds, lower is better), or a key the caller
            stored in the medians (e.g. ``"steps_per_second"``).
        goal: float. The ratio kreg/keras to stay under (``better="lower"``)
            or over (``better="higher"``).
    """
    kreg, keras = summarise(samples[0]), summarise(samples[1])
    return comparison_of(group, case, kreg_label, keras_label, kreg, keras, measure=measure, goal=goal, better=better)


def comparison_of(
    group: str,
    case: str,
    kreg_label: str,
    keras_label: str,
    kreg: dict,
    keras: dict,
    *,
    measure: str,
    goal: float | None,
    better: str,
) -> dict:
    """Like :func:`comparison`, from already summarised medians; ``goal=None`` records the ratio without a goal."""
    ratio = kreg[measure] / keras[measure]
    met = None if goal is None else ratio <= goal if better == "lower" else ratio >= goal
    return {
        "group": group,
        "case": case,
        "kreg_label": kreg_label,
        "keras_label": keras_label,
        "kreg": kreg,
        "keras": keras,
        "measure": measure,
        "ratio": ratio,
        "goal": goal,
        "better": better,
        "met": met,
    }


def figure(group: str, case: str, label: str, samples: Sequence[Sample], **extra: object) -> dict:
    """A kreg figure that has no plain-Keras counterpart."""
    return {"group": group, "case": case, "kreg_label": label, "kreg": summarise(samples), **extra}


def log_slope(first: tuple[float, float], last: tuple[float, float]) -> float:
    """The growth exponent between two ``(size, time)`` points: the slope of log(time) against log(size)."""
    return math.log(last[1] / first[1]) / math.log(last[0] / first[0])


def kreg_command(*args: str) -> list[str]:
    """``kreg ARGS`` with the running interpreter (the project's venv)."""
    return [sys.executable, "-m", "kreg", *args]


def machine() -> dict[str, str]:
    """Where the figures were measured."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as info:
            cpu = next(line.split(":", 1)[1].strip() for line in info if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    try:
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError):
        memory = float("nan")
    versions = {}
    for name in ("tensorflow-cpu", "tensorflow", "keras"):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    return {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "memory_gib": f"{memory:.0f}",
        "python": platform.python_version(),
        "platform": platform.platform(),
        **versions,
    }
