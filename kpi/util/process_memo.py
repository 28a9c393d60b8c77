"""Values derived from files, built once per process and kept across warm-kernel resets.

A warm kernel drops every project module before each notebook (:mod:`kpi.warm.reset`), so
a module-level cache, say of the parsed indicator catalogue, would be rebuilt for every
notebook. This is the one project module the reset keeps (``WarmSettings.kept_modules``).
It can keep nothing a notebook could change: a value is stored as its pickle, keyed by the
identity of the files it was derived from (path, size, modification time, inode), and every
call returns a new object unpickled from those bytes. A changed file means a new key, so the
value is built again; a file changed in the last seconds is not kept (:data:`SETTLE_NS`).
It imports no other project module, so keeping it keeps no stale code.
"""

from __future__ import annotations

import os
import pickle
import time
from collections.abc import Callable, Iterable
from typing import Final, TypeVar

T = TypeVar("T")

#: Entries kept; the oldest goes first (one entry per kind and version of its files: a
#: catalogue, a source digest, and one per raw file hashed).
LIMIT: Final = 4096

#: A file changed less than this long ago is not trusted to keep its identity: a second
#: write within the file system's timestamp granularity can leave size and modification
#: time as they were (git's "racily clean" entries), so its value is not kept yet.
SETTLE_NS: Final = 2_000_000_000

_MEMO: dict[tuple[object, ...], bytes] = {}


def file_identity(paths: Iterable[object]) -> tuple[tuple[str, int, int, int], ...]:
    """(path, size, mtime in ns, inode) of each file; raises ``OSError`` for a missing one
    and ``TypeError`` for what is not a file-system path (e.g. a resource in a zip)."""
    found = []
    for path in paths:
        stat = os.stat(path)
        found.append((os.fspath(path), stat.st_size, stat.st_mtime_ns, stat.st_ino))  # type: ignore[arg-type]
    return tuple(found)


def from_files(kind: str, paths: Iterable[object], build: Callable[[], T]) -> T:
    """``build()``, or a copy of what it returned earlier in this process for the same
    ``kind`` and the same versions of ``paths``.

    ``build`` must depend only on those files' contents (and the code doing it) and return
    a picklable value; include the source file of the code that builds it among ``paths``.
    When a file cannot be examined, ``build()`` runs and nothing is kept: its own error, if
    any, is the one the caller sees.
    """
    try:
        identity = file_identity(paths)
    except (OSError, TypeError):
        return build()
    key: tuple[object, ...] = (kind, identity)
    blob = _MEMO.get(key)
    if blob is not None:
        return pickle.loads(blob)
    value = build()
    if max((mtime for _, _, mtime, _ in identity), default=0) > time.time_ns() - SETTLE_NS:
        return value  # a file changed just now: its identity may not show the next change
    _MEMO[key] = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    while len(_MEMO) > LIMIT:
        del _MEMO[next(iter(_MEMO))]
    return value


def clear() -> None:
    """Forget every kept value (tests)."""
    _MEMO.clear()


__all__ = ["LIMIT", "SETTLE_NS", "clear", "file_identity", "from_files"]
