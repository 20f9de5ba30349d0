"""Inspection of built architectures: graphs, parameter counts, traced shapes,
the threaded-Dense report and smoke training. Imports Keras; kreg imports it only
from commands that build models."""
