"""Helpers shared by the built-in families.

``registration`` and ``defaults`` are light (no Keras): the registrations import
them. The others serve the data adapters and samplers and are imported only when
those run.
"""
