"""The ``kreg`` command line: one module per command family.

Command modules import nothing heavy at import time; TensorFlow and Keras are
imported inside the commands that build models.
"""

from kreg.cli import listing
from kreg.cli.app import main

for command in listing.COMMANDS:
    main.add_command(command)

__all__ = ["main"]
