"""The running layer: the only code that resolves and calls plugin code.

Builders, data-state steps and data adapters (``building``, ``data``), train
steps inside ``fit`` (``training``, ``train_loop``), samplers (``sampling``)
and the blocks in which Keras runs a plugin's layers (``inspecting``) all go
through :func:`kreg.running.calls.in_phase`: a failure is an
:class:`~kreg.errors.ArchitectureFailure` carrying the architecture, the
:class:`~kreg.phases.Phase` and the cause. ``workers`` decides which process
an architecture runs in. Importing this package imports neither TensorFlow
nor Keras.
"""
