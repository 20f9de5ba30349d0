"""Names for the Keras and TensorFlow objects kreg's analysis takes: each is ``Any``, on purpose.

Keras 3 and TensorFlow ship no type information mypy can use (no
``py.typed``, no stubs that follow their dynamic layer classes), and kreg
imports neither at module level (``import kreg`` must stay light). So a
Keras object is typed ``Any`` here, in one place, and nowhere past the
boundary: what inspect_tools returns (the report of
:mod:`kreg.inspect_tools.report_types`) is fully typed.
"""

from __future__ import annotations

from typing import Any, TypeAlias

KerasModel: TypeAlias = Any
"""A ``keras.Model`` (functional, sequential or subclassed)."""

KerasLayer: TypeAlias = Any
"""A ``keras.layers.Layer``, a model included."""

KerasVariable: TypeAlias = Any
"""A ``keras.Variable`` (a weight, or an optimizer's slot)."""

KerasOptimizer: TypeAlias = Any
"""A ``keras.optimizers.Optimizer``."""

KerasTensor: TypeAlias = Any
"""A ``KerasTensor`` or a TensorFlow tensor seen while tracing."""
