"""Defaults that the command line shows and the layers below it use: one constant each.

A core module, light on purpose: ``kreg.cli`` reads its option defaults here,
so that building the command line (``kreg list`` included) loads no module of
:mod:`kreg.running` or :mod:`kreg.workflows`, which use the same constants.
"""

from __future__ import annotations

DEFAULT_STEPS = 20
"""Steps per epoch of ``kreg train`` unless ``--steps`` says otherwise."""

SMOKE_STEPS = 3
"""Smoke-training steps of the pipeline (``kreg check``, ``kreg review``) and of the contract checks."""

CHECK_STEPS = SMOKE_STEPS
"""Steps per architecture of ``kreg check`` unless ``--steps`` says otherwise."""

CHECK_TIMEOUT = 600.0
"""Seconds one architecture may take under ``kreg check`` (``--timeout``).

The slowest built-in, convnextxlarge (348 million parameters even at its smoke
size), took 133 s in a child process on a 2-core machine shared with another
TensorFlow job; the slowest of the others, wgan-gp, took 45.6 s. 600 s is 4.5
times the slowest, room for slower machines and bigger third-party models,
and still ends a hang in CI within minutes (docs/check-in-ci.md).
"""

LONGEST_TIMEOUT = 10_000_000.0
"""The longest time limit an option takes, in seconds (about 116 days): a finite number the clocks and
``select`` handle (``--timeout 1e300`` overflowed them); 0 still means no limit where an option says so."""

MOST_STEPS = 1_000_000_000
"""The most steps per epoch, and epochs, an option takes: more than any smoke training needs, and within
what TensorFlow's step counters hold."""

DTYPE_POLICIES = ("float32", "mixed_float16", "mixed_bfloat16")
"""The Keras dtype policies ``kreg inspect --dtype`` and ``kreg bench --dtype`` build with."""

COUNTS = ("macs", "all")
"""What ``kreg inspect --count`` counts: multiply-accumulates (the default), or also every operation's FLOPs."""
