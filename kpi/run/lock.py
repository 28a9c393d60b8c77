"""The project lock: one writer of ``reports/`` and ``data/processed/`` at a time.

``kpi run`` holds it for the whole run (its ingest included) and ``kpi ingest`` for its
ingest, so an ingest never rewrites the observation table under a running run.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Final

import filelock

from kpi.errors import RunError

LOCK_NAME: Final = ".lock"


@contextlib.contextmanager
def locked(reports: Path, wait: float | None) -> Iterator[None]:
    """Hold ``reports/.lock``; wait up to ``wait`` seconds (``None``: for ever), then
    :class:`RunError`."""
    path = Path(reports) / LOCK_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = filelock.FileLock(str(path), timeout=-1 if wait is None else wait)
    try:
        lock.acquire()
    except filelock.Timeout as exc:
        raise RunError(
            f"another run is writing the reports (waited {wait or 0:g} s for its lock)",
            where=str(path),
        ) from exc
    try:
        yield
    finally:
        lock.release()


def run_lock(root: Path, wait: float | None = 0.0) -> contextlib.AbstractContextManager[None]:
    """The lock of the project at ``root`` (see :func:`locked`)."""
    return locked(Path(root) / "reports", wait)
