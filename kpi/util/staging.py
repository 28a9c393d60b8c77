"""Commit several files together: all new or all old, whatever fails in between.

:func:`staged_folder` yields an empty hidden folder beside the destination; the caller
writes every output into it. When the block ends normally, the other entries of the
destination (files the caller did not write, such as a cache folder) are carried over and
the staging folder takes the destination's place in one exchange (``renameat2`` with
``RENAME_EXCHANGE`` on Linux; elsewhere two renames, with the old folder put back if the
second fails). On any error (disk full, permission, Ctrl-C) the staging folder is removed
and the destination is as it was.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import shutil
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Final

#: Leftovers of a process killed hard are removed once they are this old (another
#: process may be writing a younger one right now).
_STALE_S: Final = 3600.0
_RENAME_EXCHANGE: Final = 2
_AT_FDCWD: Final = -100


def folder_mode() -> int:
    """The mode a new folder gets under the current umask (``mkdtemp`` makes 0700)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o777 & ~mask


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically; False where the system cannot."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                          ctypes.c_uint]
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    errno = ctypes.get_errno()
    if errno in (22, 38, 95):  # EINVAL, ENOSYS, EOPNOTSUPP: this file system cannot
        return False
    raise OSError(errno, os.strerror(errno), str(b))


def sweep(folder: Path) -> None:
    """Remove stale staging and old folders of ``folder`` left by a process killed hard."""
    for pattern in (f".{folder.name}.staging-*", f".{folder.name}.old-*"):
        for path in folder.parent.glob(pattern):
            with contextlib.suppress(OSError):
                if time.time() - path.stat().st_mtime > _STALE_S:
                    shutil.rmtree(path, ignore_errors=True)


@contextlib.contextmanager
def staged_folder(folder: Path) -> Iterator[Path]:
    """Yield a staging folder that replaces ``folder`` as a whole when the block succeeds.

    Entries of ``folder`` not written into the staging folder are carried over (files
    hard-linked, folders such as a cache moved). A new folder gets the umask's mode, an
    existing one keeps its own.
    """
    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    sweep(folder)
    stage = Path(tempfile.mkdtemp(prefix=f".{folder.name}.staging-", dir=folder.parent))
    try:
        os.chmod(stage, folder_mode() if not folder.is_dir() else folder.stat().st_mode & 0o7777)
        yield stage
        if folder.is_dir():
            _carry_over(folder, stage)
        _fsync_dir(stage)
        replace_folder(stage, folder)
    finally:
        shutil.rmtree(stage, ignore_errors=True)  # the old generation after a swap


def _carry_over(folder: Path, stage: Path) -> None:
    for entry in folder.iterdir():
        target = stage / entry.name
        if target.exists() or target.is_symlink():
            continue
        if entry.is_dir() and not entry.is_symlink():
            os.rename(entry, target)  # e.g. a cache: moved, never copied
        else:
            try:
                os.link(entry, target, follow_symlinks=False)
            except OSError:
                shutil.copy2(entry, target, follow_symlinks=False)


def replace_folder(stage: Path, folder: Path) -> None:
    """Put ``stage`` in ``folder``'s place (one exchange where the file system can, else two
    renames, the old folder put back if the second fails); afterwards ``stage`` holds the
    old one (an empty folder when there was none) for the caller to remove."""
    if not folder.exists():
        os.rename(stage, folder)
        os.mkdir(stage)  # the caller removes it
        return
    if _exchange(stage, folder):
        return
    old = folder.with_name(f".{folder.name}.old-{uuid.uuid4().hex[:8]}")
    os.rename(folder, old)
    try:
        os.rename(stage, folder)
    except OSError:
        os.rename(old, folder)
        raise
    os.rename(old, stage)


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
