"""What ``data/raw/`` holds: each file, its kind, its content hash.

Kinds: ``report`` (prose: .txt .html .htm .docx), ``table`` (.csv .xlsx),
``corrections`` (corrections.csv at the top), ``config`` (mapping files, catalogue
additions), ``doc`` (README, provenance, sample truth) and ``unknown``. Files under a
folder holding a ``.kpi-sample`` marker are synthetic sample data. Raw files are only
ever read.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from kpi.util import process_memo

REPORT_SUFFIXES: Final = (".txt", ".html", ".htm", ".docx")
TABLE_SUFFIXES: Final = (".csv", ".xlsx")
DOC_NAMES: Final = ("readme", "provenance", "truth", "license", "licence")
SAMPLE_MARKER: Final = ".kpi-sample"
CORRECTIONS: Final = "corrections.csv"


@dataclass(frozen=True)
class RawFile:
    """A file under the raw folder; ``rel`` is its POSIX path relative to that folder."""

    path: Path
    rel: str
    kind: str
    sha256: str
    size: int
    synthetic: bool


def sha256(path: Path) -> str:
    """Hex SHA-256 of the file's bytes; read again only when its size, modification time or
    inode changed since this process last read it (every notebook checks that the
    processed data are current: hashing every raw file each time grows with the province)."""
    return process_memo.from_files("sha256", [path], lambda: _hash_file(path))


def _hash_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def kind_of(path: Path, rel: str) -> str:
    name = path.name.lower()
    if rel == CORRECTIONS:
        return "corrections"
    if name.endswith((".mapping.yaml", ".mapping.yml", ".yaml", ".yml")):
        return "config"
    if path.suffix.lower() in (".md", ".rst") or name.split(".")[0] in DOC_NAMES:
        return "doc"
    if path.suffix.lower() in REPORT_SUFFIXES:
        return "report"
    if path.suffix.lower() in TABLE_SUFFIXES:
        return "table"
    return "unknown"


def _walk(root: Path) -> Iterator[Path]:
    for path in sorted(root.rglob("*")):
        parts = path.relative_to(root).parts
        if path.is_file() and not any(p.startswith(".") for p in parts):
            yield path


def inventory(raw_dir: Path) -> list[RawFile]:
    """Every visible file under ``raw_dir``, sorted by relative path."""
    raw_dir = Path(raw_dir)
    samples = {m.parent for m in raw_dir.rglob(SAMPLE_MARKER)}
    files = []
    for path in _walk(raw_dir):
        rel = path.relative_to(raw_dir).as_posix()
        synthetic = any(s == path.parent or s in path.parents for s in samples)
        files.append(RawFile(path, rel, kind_of(path, rel), sha256(path), path.stat().st_size,
                             synthetic))
    return files


def fingerprint(files: list[RawFile]) -> str:
    """One hash over every file's relative path and content hash."""
    h = hashlib.sha256()
    for f in files:
        h.update(f"{f.rel}\0{f.sha256}\n".encode())
    return h.hexdigest()
