"""Pure analysis of Keras models: traced layer calls and shapes, parameter counts,
the threaded-Dense report, graphs and the structural diff of two reports.

Nothing here loads plugins, builds architectures or runs training (that is
:mod:`kreg.running` and :mod:`kreg.workflows`); it imports only
:mod:`kreg.errors` and itself. Every private Keras or TensorFlow access is in
:mod:`kreg.inspect_tools.keras_compat`.
"""
