"""Imported once by the fork server that ``kreg check``'s child processes are forked from.

multiprocessing's fork server imports the modules it is given before it forks
any child; importing this one imports Keras and TensorFlow there, so that each
child starts with them loaded (about 3 s saved per architecture) but with
nothing of them initialised (no threads, no devices), which is what makes
forking safe. It also makes the server, and so every child, ignore SIGINT:
the terminal's Ctrl-C is for kreg, which stops the children itself. The
server was started in an empty folder (nothing there to import); the working
folder is taken off ``sys.path`` too. The server ends when kreg does,
and kills every process below it then (:func:`end_with_kreg`).
"""

from __future__ import annotations

import os
import signal
import sys
import warnings

from kreg.descendants import PR_SET_PDEATHSIG, become_subreaper, kill_descendants, prctl
from kreg.errors import KregError
from kreg.running.keras_runtime import require_keras
from kreg.running.supervisor import FORK_SERVER_PARENT

KREG_DIED = signal.SIGTERM
"""What the server receives when kreg ends (``PR_SET_PDEATHSIG``); its children reset it."""


def end_with_kreg() -> None:
    """Make this server a subreaper that, when kreg ends (SIGKILL included), kills every process below it.

    Its children die with it (each asks for SIGKILL when its parent dies);
    what a plugin started in one of them, even a ``setsid`` daemon that forked
    twice, is re-parented to this server, so it is found and killed too.
    """
    expected = os.environ.pop(FORK_SERVER_PARENT, None)
    if expected is None or not become_subreaper():
        return
    server = os.getpid()

    def kreg_died(number: int, frame: object) -> None:
        if os.getpid() != server:  # a child forked from the server, before it reset the handler
            signal.signal(number, signal.SIG_DFL)
            os.kill(os.getpid(), number)
            return
        kill_descendants()
        os._exit(0)

    # Orphans re-parented to the server are reaped by its loop, which warns about each one's unknown pid.
    warnings.filterwarnings("ignore", message="forkserver: waitpid returned unexpected pid")
    signal.signal(KREG_DIED, kreg_died)
    prctl(PR_SET_PDEATHSIG, KREG_DIED)
    if os.getppid() != int(expected):  # kreg ended before the server asked to be told
        kreg_died(KREG_DIED, None)


signal.signal(signal.SIGINT, signal.SIG_IGN)
if sys.path[:1] == [""]:  # python -c's working folder: the server's own, empty one (see kreg.running.supervisor)
    del sys.path[0]
end_with_kreg()

try:
    require_keras()
except KregError:  # each child reports the missing package when it needs it
    pass
