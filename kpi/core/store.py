"""Atomic, deterministic reading and writing of the processed tables.

``observations.parquet`` is the contract on disk (pyarrow; ``period`` keeps its
``Period[Q-DEC]`` type and a ``period_label`` string column serves tools without
pandas). ``observations.csv`` is the same table as UTF-8 with a BOM, so Excel shows
Vietnamese. Every write goes through :mod:`kpi.util.atomic`, so a reader never sees half a
file. Same input → byte-identical files.
"""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd

from kpi.core import schema
from kpi.errors import SchemaError, SourceError
from kpi.util import atomic

OBSERVATIONS_PARQUET = "observations.parquet"
OBSERVATIONS_CSV = "observations.csv"
SORT_KEY = ["area", "period", "indicator", "measure", "span", "month", "as_of", "source", "locator"]


def csv_bytes(df: pd.DataFrame) -> bytes:
    """A table as UTF-8-with-BOM CSV bytes (Periods as labels, LF line ends)."""
    out = df.copy()
    for col in out.columns:
        if isinstance(out[col].dtype, pd.PeriodDtype):
            out[col] = out[col].astype(str)
    buf = io.StringIO()
    out.to_csv(buf, index=False, lineterminator="\n")
    return buf.getvalue().encode("utf-8-sig")


def write_csv(df: pd.DataFrame, path: Path) -> Path:
    """Write any table as a UTF-8-with-BOM CSV, atomically."""
    atomic.write_bytes(Path(path), csv_bytes(df))
    return Path(path)


def sort_observations(df: pd.DataFrame) -> pd.DataFrame:
    """Canonical row order, so the same observations always give the same bytes."""
    return df.sort_values(SORT_KEY, kind="mergesort", na_position="first").reset_index(drop=True)


def write_observations(df: pd.DataFrame, folder: Path) -> tuple[Path, Path]:
    """Validate, sort and write ``observations.parquet`` and ``observations.csv`` in ``folder``."""
    table = sort_observations(schema.validate(schema.conform(df)))
    on_disk = table.assign(period_label=table["period"].astype(str))
    buf = io.BytesIO()
    on_disk.to_parquet(buf, engine="pyarrow", index=False, compression="zstd")
    parquet, csv = Path(folder) / OBSERVATIONS_PARQUET, Path(folder) / OBSERVATIONS_CSV
    atomic.write_bytes(parquet, buf.getvalue())
    atomic.write_bytes(csv, csv_bytes(table))
    return parquet, csv


def read_observations(folder: Path) -> pd.DataFrame:
    """Read ``observations.parquet`` back with contract dtypes (``period`` as Period[Q-DEC]).

    Raises :class:`SourceError` when the file is missing or unreadable, and
    :class:`SchemaError` when it breaks the contract.
    """
    path = Path(folder) / OBSERVATIONS_PARQUET
    return observations_from_bytes(read_observation_bytes(folder), path)


def read_observation_bytes(folder: Path) -> bytes:
    """The bytes of ``folder/observations.parquet`` (:class:`SourceError` when missing)."""
    path = Path(folder) / OBSERVATIONS_PARQUET
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise SourceError("no observations yet: run `kpi ingest` first", where=str(path)) from None
    except OSError as exc:
        raise SourceError(f"cannot read: {exc.strerror}", where=str(path)) from exc


def observations_from_bytes(data: bytes, where: Path) -> pd.DataFrame:
    """The observation table in parquet bytes ``data`` (read from ``where``), conformed
    and validated as :func:`read_observations` says."""
    try:
        df = pd.read_parquet(io.BytesIO(data), engine="pyarrow")
    except Exception as exc:  # pyarrow raises several unrelated types
        raise SourceError(f"cannot read parquet: {exc}", where=str(where)) from exc
    df = df.drop(columns=["period_label"], errors="ignore")
    try:
        return schema.validate(schema.conform(df))
    except SchemaError as exc:
        raise SchemaError(exc.reason, where=str(where)) from exc
