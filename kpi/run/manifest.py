"""The run manifest: ``reports/<quarter>/manifest.json``.

Records what produced the quarter's reports so a reader can trust and reproduce them:
the run's parameters, sha256 of every input file under ``data/raw``, package versions,
the git commit (when the project is a git checkout), and per report its parameters,
notebook hash, start/end/duration, attempts (and, on a Dask cluster, the workers that ran
them: a job rescheduled after a lost worker lists two), status and error summary.

Reports kept from an earlier run of the same quarter keep their entries; the runs that
made them are listed under ``earlier_runs``.
"""

from __future__ import annotations

import hashlib
import json
import platform
import subprocess
from collections.abc import Iterable, Mapping
from dataclasses import asdict
from importlib import metadata
from pathlib import Path
from typing import Any, Final

from kpi.run.jobs import JobResult
from kpi.util import atomic

FORMAT: Final = 1
MANIFEST_NAME: Final = "manifest.json"
RAW_DIR: Final = Path("data") / "raw"
PACKAGES: Final = ("kpi", "pandas", "papermill", "nbclient", "nbconvert", "matplotlib", "seaborn")
_CHUNK: Final = 1 << 20


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file's bytes, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def input_hashes(root: Path) -> dict[str, str]:
    """sha256 of every file under ``root/data/raw``, keyed by its path relative to ``root``."""
    raw = root / RAW_DIR
    if not raw.is_dir():
        return {}
    files = sorted(p for p in raw.rglob("*") if p.is_file())
    return {p.relative_to(root).as_posix(): sha256_file(p) for p in files}


def package_versions() -> dict[str, str | None]:
    """Versions of the packages that shape a report, and of Python."""
    versions: dict[str, str | None] = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    versions["python"] = platform.python_version()
    return versions


def git_commit(root: Path) -> str | None:
    """``git rev-parse HEAD`` in ``root``; ``None`` without git or outside a checkout."""
    try:
        done = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    commit = done.stdout.strip()
    return commit if done.returncode == 0 and commit else None


def report_entry(
    result: JobResult, *, parameters: Mapping[str, object], notebook: Path, root: Path, run: str
) -> dict[str, Any]:
    """The manifest entry of one report; file paths are relative to the quarter folder."""
    try:
        source = notebook.relative_to(root).as_posix()
    except ValueError:
        source = notebook.name
    return {
        "area": result.area,
        "notebook": result.notebook,
        "status": result.status,
        "started": result.started,
        "finished": result.finished,
        "duration_s": result.duration_s,
        "attempts": result.attempts,
        "workers": list(result.workers),
        "error": asdict(result.error) if result.error else None,
        "parameters": dict(parameters),
        "source": source,
        "source_sha256": sha256_file(notebook),
        "ipynb": f"{result.area}/{result.notebook}.ipynb" if result.ipynb else None,
        "html": f"{result.area}/{result.notebook}.html" if result.html else None,
        "run": run,
    }


def build(
    quarter: str,
    run: Mapping[str, Any],
    entries: Iterable[Mapping[str, Any]],
    earlier_runs: Iterable[Mapping[str, Any]] = (),
) -> dict[str, Any]:
    """Assemble the manifest document (entries sorted by area, then notebook)."""
    return {
        "format": FORMAT,
        "quarter": quarter,
        "run": dict(run),
        "reports": sorted((dict(e) for e in entries), key=lambda e: (e["area"], e["notebook"])),
        "earlier_runs": [dict(r) for r in earlier_runs],
    }


def read(path: Path) -> dict[str, Any] | None:
    """A manifest from disk, or ``None`` if it is missing or not a manifest we wrote."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(document, dict) or not isinstance(document.get("reports"), list):
        return None
    return document


def write(path: Path, document: Mapping[str, Any]) -> None:
    """Write the manifest atomically as readable UTF-8 JSON."""
    atomic.write_text(path, json.dumps(document, ensure_ascii=False, indent=2) + "\n")
