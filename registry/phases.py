"""The phases of running an architecture: one name for each step kreg reports on.

Every failure of an architecture (:class:`~kreg.errors.ArchitectureFailure`),
every row of ``kreg check`` and every contract check of :mod:`kreg.testing`
names the phase that failed with one of these values. A phase is a ``str``, so
``result.phase == "build"`` and JSON output keep working.
"""

from __future__ import annotations

import enum


class Phase(str, enum.Enum):
    """What kreg was doing when something failed."""

    LOOKUP = "lookup"
    """Finding the architecture by name (``kreg.testing`` only)."""
    REGISTRATION = "registration"
    """Loading a plugin and validating what it registered (``kreg.testing``)."""
    LIGHT_IMPORT = "light-import"
    """Loading a plugin without importing TensorFlow or Keras (``kreg.testing``)."""
    HYPERPARAMETERS = "hyperparameters"
    """Resolving the preset and ``--set`` values, or matching them to the builder's signature."""
    RESOLVE = "resolve"
    """Importing a ``"module:attr"`` reference (builder, adapter, train step, ...)."""
    DATA_STATE = "data-state"
    """The optional step that learns from the data before the model is built (a vocabulary)."""
    BUILD = "build"
    """Calling the builder and checking what it returned."""
    INSPECT = "inspect"
    """Counting parameters and tracing layer calls."""
    PLOT = "plot"
    """Drawing the graph of a model."""
    DATA = "data"
    """Calling the data adapter and checking the dataset."""
    DISTRIBUTE = "distribute"
    """Creating the ``tf.distribute`` strategy."""
    TRAIN = "train"
    """Running the train step inside ``fit``; a non-finite metric fails here too."""
    SAVE = "save"
    """Saving the trained model as a ``.keras`` file."""
    LOAD = "load"
    """Loading a ``.keras`` file (and checking it holds what was saved)."""
    SAMPLE = "sample"
    """Calling the sampler and checking what it returned."""
    CHECK = "check"
    """``kreg check``'s own machinery: starting the process that checks an architecture, or its end without a phase."""

    @property
    def activity(self) -> str:
        """What kreg was doing, to follow "while": ``building``, ``training``, ``loading the data``."""
        return _ACTIVITIES[self]

    def __str__(self) -> str:
        return self.value

    def __format__(self, spec: str) -> str:
        return format(self.value, spec)


_ACTIVITIES = {
    Phase.LOOKUP: "looking up the architecture",
    Phase.REGISTRATION: "loading the plugin",
    Phase.LIGHT_IMPORT: "importing the plugin",
    Phase.HYPERPARAMETERS: "resolving the hyperparameters",
    Phase.RESOLVE: "importing the plugin's code",
    Phase.DATA_STATE: "learning from the data",
    Phase.BUILD: "building",
    Phase.INSPECT: "inspecting",
    Phase.PLOT: "drawing",
    Phase.DATA: "loading the data",
    Phase.DISTRIBUTE: "creating the strategy",
    Phase.TRAIN: "training",
    Phase.SAVE: "saving",
    Phase.LOAD: "loading the saved model",
    Phase.SAMPLE: "sampling",
    Phase.CHECK: "starting",
}
