"""The ``kreg`` command line: one module per command family.

Command modules import nothing heavy at import time; TensorFlow and Keras are
imported inside the commands that build models. A new command family is a
module with a ``COMMANDS`` list, named in ``COMMAND_MODULES`` with the names
of its commands: a command's module is imported when that command runs (or
for ``kreg --help``), so ``kreg list`` imports no other command's module.
"""

from kreg.cli.app import main

COMMAND_MODULES = {
    "kreg.cli.listing": ("list", "plugins", "info"),
    "kreg.cli.sampling": ("sample",),
    "kreg.cli.inspecting": ("inspect", "plot"),
    "kreg.cli.reviewing": ("review", "diff"),
    "kreg.cli.training": ("train", "check"),
    "kreg.cli.scaffold": ("new-plugin",),
    "kreg.cli.benchmarking": ("bench",),
}
"""Each command module and the names of the commands in its ``COMMANDS``."""

main.command_modules = {name: module for module, names in COMMAND_MODULES.items() for name in names}

__all__ = ["main"]
