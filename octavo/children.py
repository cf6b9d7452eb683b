"""A child process + its parent's pid -> the child killed when the parent dies, even by SIGKILL (Linux)."""

from __future__ import annotations

import os
import sys


def die_with_parent(parent: int) -> None:
    """In a child process of `parent`: be killed when the parent dies, even by SIGKILL (Linux's
    PR_SET_PDEATHSIG), so a killed build leaves no process behind; elsewhere, nothing."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes
    import signal

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG = 1
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before the call: nothing would send the signal now
        os._exit(1)
