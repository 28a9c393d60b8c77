"""The quarterly series, computed once per content and kept under ``data/processed/cache``.

Every report notebook needs :func:`kpi.analysis.series.quarterly` of the whole observation table
(peers and national context included). A quarterly run executes five notebooks per area,
so computing it in each would cost O(areas × table) for the run; reading it back costs a
few milliseconds, and a hit does not even read (or validate again) the observation
table. The cache is keyed by what the result depends on: the bytes of
``observations.parquet`` (validated when the entry was made), the catalogue, the source
of the ``kpi`` package, and the pandas and Python versions. A file that is missing,
unreadable or of another key is simply recomputed; concurrent writers write the same
bytes atomically.

The files are pickles: they are read only from the project's own ``processed`` folder,
which holds the observation table they are derived from (whoever can write one can write
the other).
"""

from __future__ import annotations

import hashlib
import pickle
import platform
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Final

import pandas as pd

from kpi.analysis.series import Quarterly, quarterly
from kpi.core import store
from kpi.core.catalog import Catalog
from kpi.util import atomic, process_memo

FOLDER: Final = "cache"
PREFIX: Final = "quarterly-"
#: Cache files kept per folder (the newest); older keys are removed when one is written.
KEEP: Final = 4


def cached_quarterly(processed: Path, catalog: Catalog) -> Quarterly:
    """``quarterly()`` of ``processed/observations.parquet`` under ``catalog``: read from
    ``processed/cache`` when computed before for the same inputs, else computed and stored
    there. Raises what :func:`kpi.core.store.read_observations` raises for a missing or bad
    table; never raises for a bad or unwritable cache."""
    processed = Path(processed)
    data = store.read_observation_bytes(processed)
    path = processed / FOLDER / f"{PREFIX}{cache_key(data, catalog)}.pickle"
    found = _read(path)
    if found is not None:
        return found
    result = quarterly(store.observations_from_bytes(data, processed / store.OBSERVATIONS_PARQUET),
                       catalog)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic.write_bytes(path, pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
        _prune(path.parent, keep=path)
    except OSError:
        pass  # a read-only data folder still gets its reports, only slower
    return result


def cache_key(parquet: bytes, catalog: Catalog) -> str:
    """Hex digest of the table's bytes, the catalogue, the package source and versions."""
    digest = hashlib.sha256(parquet)
    digest.update(repr((catalog.indicators, catalog.rules)).encode())
    digest.update(_code_fingerprint().encode())
    digest.update(f"{pd.__version__} {platform.python_version()}".encode())
    return digest.hexdigest()[:32]


@cache
def _code_fingerprint() -> str:
    """Digest of every Python source file of the ``kpi`` package (hashed again in a warm
    kernel only when one of them changed: see :mod:`kpi.util.process_memo`)."""
    root = Path(str(resources.files("kpi")))
    sources = sorted(_sources(root))
    return process_memo.from_files("kpi-source", sources, lambda: _digest(root, sources))


def _digest(root: Path, sources: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in sources:
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _sources(root: Path) -> list[Path]:
    return [p for p in root.rglob("*.py") if "__pycache__" not in p.parts]


def _read(path: Path) -> Quarterly | None:
    try:
        with path.open("rb") as handle:
            found = pickle.load(handle)
    except Exception:  # missing, truncated, foreign, or from other library versions
        return None
    return found if isinstance(found, Quarterly) else None


def _prune(folder: Path, keep: Path) -> None:
    """Remove all but the newest :data:`KEEP` cache files (never ``keep``)."""
    files = sorted(folder.glob(f"{PREFIX}*.pickle"), key=_mtime, reverse=True)
    for old in [f for f in files if f != keep][KEEP - 1:]:
        old.unlink(missing_ok=True)


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


__all__ = ["cache_key", "cached_quarterly"]
