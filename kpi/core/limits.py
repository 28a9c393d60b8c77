"""Size limits on raw inputs, so one small hostile file cannot take unbounded time or memory.

Each limit is stated in the README; passing one is a :class:`~kpi.errors.SourceError` that
names the file, the limit and what was found. The ingest reports it like any unreadable
file (named, skipped, the other files still processed).

- :data:`MAX_FILE_BYTES`: a raw report or table file, as stored;
- :data:`MAX_LINE_CHARS`: one line of a report's text (extraction is linear in it, this
  only bounds the time one line may take);
- :data:`MAX_OFFICE_UNCOMPRESSED`: the parts of a ``.docx``/``.xlsx`` package together,
  uncompressed, checked from the zip directory before anything is inflated (Python's
  zipfile stops at each part's declared size, so a part cannot inflate past it);
- YAML alias expansion: :data:`kpi.core.catalog.MAX_YAML_NODES`.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Final

from kpi.errors import SourceError

MAX_FILE_BYTES: Final = 200 * 1024 * 1024
MAX_LINE_CHARS: Final = 2_000_000
MAX_OFFICE_UNCOMPRESSED: Final = 100 * 1024 * 1024


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):,.0f} MB"


def check_file_size(path: Path, where: str) -> None:
    """Refuse a file larger than :data:`MAX_FILE_BYTES` (missing files pass: the reader
    that opens it names that)."""
    try:
        size = Path(path).stat().st_size
    except OSError:
        return
    if size > MAX_FILE_BYTES:
        raise SourceError(f"file is {_mb(size)}, more than the {_mb(MAX_FILE_BYTES)} limit",
                          where=where)


def check_lines(text: str, where: str) -> None:
    """Refuse a text with a line longer than :data:`MAX_LINE_CHARS` characters."""
    if len(text) <= MAX_LINE_CHARS:
        return
    for number, line in enumerate(text.split("\n"), 1):
        if len(line) > MAX_LINE_CHARS:
            raise SourceError(f"line {number} is {len(line):,} characters long, more than "
                              f"the {MAX_LINE_CHARS:,} limit", where=where)


def check_office(path: Path, where: str) -> None:
    """Refuse an Office (zip) package whose parts inflate past
    :data:`MAX_OFFICE_UNCOMPRESSED` bytes, from its directory alone. A file that is not a zip
    passes: the Office reader names that."""
    try:
        with zipfile.ZipFile(path) as archive:
            total = sum(info.file_size for info in archive.infolist())
    except (OSError, zipfile.BadZipFile, ValueError):
        return
    if total > MAX_OFFICE_UNCOMPRESSED:
        raise SourceError(f"its parts inflate to {_mb(total)}, more than the "
                          f"{_mb(MAX_OFFICE_UNCOMPRESSED)} limit for an Office file",
                          where=where)
