"""Workflows: what strings running-layer calls together for a command.

``pipeline`` is the one build -> inspect -> train -> save-and-reload pipeline
behind ``kreg check`` (``checking``), :mod:`kreg.testing` and ``kreg review``
(``review``); ``training`` is ``kreg train``; ``inspecting`` serves ``kreg
inspect``, ``kreg plot`` and the sides of ``kreg diff``; ``sampling`` is ``kreg
sample``.
"""
