"""Atomic file writes: a reader sees the old file or the new one, never half of one.

Every write goes to a hidden temp file in the destination folder (same file system), is
flushed to disk, then moved over the destination with :func:`os.replace`. On any error,
including ``KeyboardInterrupt``, the temp file is removed and the destination is untouched.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path


def _file_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


_FILE_MODE = _file_mode()


@contextlib.contextmanager
def scratch_path(near: Path) -> Iterator[Path]:
    """Yield a fresh hidden temp file next to ``near``; it is always removed afterwards.

    Temp names are hidden (``.report.x1y2.tmp.html``) so listings and the index skip them,
    and keep ``near``'s suffix for libraries that check it.
    """
    near.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(
        prefix=f".{near.stem}.", suffix=f".tmp{near.suffix}", dir=near.parent
    )
    os.close(fd)
    tmp = Path(name)
    os.chmod(tmp, _FILE_MODE)  # mkstemp makes 0600; published files follow the umask
    try:
        yield tmp
    finally:
        tmp.unlink(missing_ok=True)


@contextlib.contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield a temp path next to ``path``; move it onto ``path`` if the block succeeds.

    The caller writes the complete file to the yielded path (by any means, e.g. a
    library that only takes a file name).
    """
    with scratch_path(path) as tmp:
        yield tmp
        os.replace(tmp, path)


def publish(done: Path, path: Path) -> None:
    """Move the finished file ``done`` onto ``path`` (same folder), flushed to disk first
    as :func:`write_bytes` does: for files a library wrote by name."""
    with open(done, "rb") as handle:
        os.fsync(handle.fileno())
    os.chmod(done, _FILE_MODE)
    os.replace(done, path)


def write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (flushed to disk before the move)."""
    with atomic_path(path) as tmp, open(tmp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def write_text(path: Path, text: str) -> None:
    """Write ``text`` as UTF-8 to ``path`` atomically."""
    write_bytes(path, text.encode("utf-8"))
