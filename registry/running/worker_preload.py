"""Imported once by the fork server that ``kreg check``'s child processes are forked from.

multiprocessing's fork server imports the modules it is given before it forks
any child; importing this one imports Keras and TensorFlow there, so that each
child starts with them loaded (about 3 s saved per architecture) but with
nothing of them initialised (no threads, no devices), which is what makes
forking safe. It also makes the server, and so every child, ignore SIGINT:
the terminal's Ctrl-C is for kreg, which stops the children itself. The
server was started in an empty folder (nothing there to import); the working
folder is taken off ``sys.path`` too.
"""

from __future__ import annotations

import signal
import sys

from kreg.errors import KregError
from kreg.running.keras_runtime import require_keras

signal.signal(signal.SIGINT, signal.SIG_IGN)
if sys.path[:1] == [""]:  # python -c's working folder: the server's own, empty one (see kreg.running.supervisor)
    del sys.path[0]

try:
    require_keras()
except KregError:  # each child reports the missing package when it needs it
    pass
