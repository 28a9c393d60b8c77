"""What ``data/raw/`` holds: each file, its kind, its content hash.

Kinds: ``report`` (prose: .txt .html .htm .docx .doc .rtf .odt .pdf, and scanned pages
.png .jpg .tif), ``table`` (.csv .xlsx), ``corrections`` (corrections.csv at the top),
``config`` (sources.csv at the top, mapping files, catalogue additions), ``doc``
(README, provenance, sample truth) and ``unknown``. Files under a
folder holding a ``.kpi-sample`` marker are synthetic sample data. Raw files are only
ever read.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from kpi.util import process_memo
from kpi.util.digest import file_sha256

REPORT_SUFFIXES: Final = (".txt", ".html", ".htm", ".docx", ".doc", ".rtf", ".odt", ".pdf",
                          ".png", ".jpg", ".jpeg", ".tif", ".tiff")
TABLE_SUFFIXES: Final = (".csv", ".xlsx")
DOC_NAMES: Final = ("readme", "provenance", "truth", "license", "licence")
SAMPLE_MARKER: Final = ".kpi-sample"
CORRECTIONS: Final = "corrections.csv"
SOURCES: Final = "sources.csv"


@dataclass(frozen=True)
class RawFile:
    """A file under the raw folder; ``rel`` is its POSIX path relative to that folder."""

    path: Path
    rel: str
    kind: str
    sha256: str
    size: int
    synthetic: bool
    #: why the file is not read ("" when it is): unreadable, not a regular file, a link
    #: out of the project
    problem: str = ""
    #: where a symbolic link (the file or a folder on its way) points, "" for none
    link: str = ""


def sha256(path: Path) -> str:
    """Hex SHA-256 of the file's bytes; read again only when its size, modification time or
    inode changed since this process last read it (every notebook checks that the
    processed data are current: hashing every raw file each time grows with the province)."""
    return process_memo.from_files("sha256", [path], lambda: file_sha256(path))



def kind_of(path: Path, rel: str) -> str:
    name = path.name.lower()
    if rel == CORRECTIONS:
        return "corrections"
    if rel == SOURCES:
        return "config"
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
        if not any(p.startswith(".") for p in parts) and (path.is_symlink()
                                                          or not path.is_dir()):
            yield path


def project_of(raw_dir: Path) -> Path:
    """The project folder ``data/raw`` belongs to (the raw folder itself otherwise): a
    symbolic link under ``data/raw`` is read only when it points inside it."""
    raw_dir = Path(raw_dir).resolve()
    return raw_dir.parents[1] if raw_dir.parent.name == "data" else raw_dir


def _examine(path: Path, rel: str, raw_dir: Path, project: Path) -> tuple[str, str]:
    """``(problem, link)`` of one entry: see :class:`RawFile`."""
    try:
        target = path.resolve()
    except (OSError, RuntimeError) as exc:  # a link loop
        return f"broken symbolic link ({exc})", str(path)
    link = "" if target == raw_dir / rel else str(target)
    if link and not target.is_relative_to(project):
        return f"symbolic link to {target}, outside the project: not read", link
    try:
        info = path.stat()
    except OSError as exc:
        return f"cannot read: {exc.strerror or exc}", link
    if not stat.S_ISREG(info.st_mode):
        return "not a regular file: not read", link
    if not os.access(path, os.R_OK):
        return "cannot read: Permission denied", link
    return "", link


def inventory(raw_dir: Path) -> list[RawFile]:
    """Every visible file under ``raw_dir``, sorted by relative path.

    A file that cannot be read, is not a regular file, or is reached through a symbolic
    link pointing out of the project (:func:`project_of`) is listed with its
    :attr:`RawFile.problem` and an empty hash, never opened."""
    raw_dir = Path(raw_dir)
    base = raw_dir.resolve()
    project = project_of(raw_dir)
    samples = {m.parent for m in raw_dir.rglob(SAMPLE_MARKER)}
    files = []
    for path in _walk(raw_dir):
        rel = path.relative_to(raw_dir).as_posix()
        synthetic = any(s == path.parent or s in path.parents for s in samples)
        problem, link = _examine(path, rel, base, project)
        digest, size = "", 0
        if not problem:
            try:
                digest, size = sha256(path), path.stat().st_size
            except OSError as exc:
                problem = f"cannot read: {exc.strerror or exc}"
        files.append(RawFile(path, rel, kind_of(path, rel), digest, size, synthetic,
                             problem, link))
    return files


def fingerprint(files: list[RawFile]) -> str:
    """One hash over every file's relative path and content hash."""
    h = hashlib.sha256()
    for f in files:
        problem = f"\0{f.problem}" if f.problem else ""
        h.update(f"{f.rel}\0{f.sha256}{problem}\n".encode())
    return h.hexdigest()
