"""Waiting for a process to end, for tests that kill kernels and workers."""

from __future__ import annotations

import time

import psutil


def wait_gone(pid: int, seconds: float = 10.0) -> bool:
    """True once ``pid`` no longer runs (a zombie counts as gone) within ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                return True
        except psutil.NoSuchProcess:
            return True
        time.sleep(0.1)
    return False
