"""The ``kreg`` command line: one module per command family.

Command modules import nothing heavy at import time; TensorFlow and Keras are
imported inside the commands that build models. A new command family is a
module with a ``COMMANDS`` list, named in ``COMMAND_MODULES``.
"""

from importlib import import_module

from kreg.cli.app import main

COMMAND_MODULES = [
    "kreg.cli.listing",
    "kreg.cli.sampling",
    "kreg.cli.inspecting",
    "kreg.cli.reviewing",
    "kreg.cli.training",
    "kreg.cli.scaffold",
    "kreg.cli.benchmarking",
]

for _module in COMMAND_MODULES:
    for _command in import_module(_module).COMMANDS:
        main.add_command(_command)

__all__ = ["main"]
