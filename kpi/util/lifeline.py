"""Processes a run starts die with it, even when it is killed with SIGKILL.

:func:`die_with_parent` asks Linux (``prctl(PR_SET_PDEATHSIG)``) to send this process
SIGKILL when its parent ends. Worker processes call it: their parent is the forkserver,
which itself ends when ``kpi run`` ends; their kernels end within a second of their worker
(forked kernels watch their owner, launched ones poll their parent). Elsewhere than Linux
it does nothing.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
from typing import Final

_PR_SET_PDEATHSIG: Final = 1


def die_with_parent(parent: int | None = None) -> bool:
    """Be killed when the parent process ends; ``parent``: its pid as the caller knows it
    (default: the current parent). Exits at once if the parent is already gone. Returns
    whether the system supports it."""
    if not sys.platform.startswith("linux"):
        return False
    parent = os.getppid() if parent is None else parent
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0:
            if os.getppid() != parent:  # the parent ended before the request was made
                os._exit(1)
            return True
    return False
