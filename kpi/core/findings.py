"""Data-quality findings: one table shape for everything worth a person's look.

Unreadable files, rejected cells, unmatched corrections, broken consistency rules and
conflicting figures all become rows of one table (:data:`COLUMNS`): the analyses show it
in the reports, the ingest writes it to ``quality.csv``.

- :func:`table` builds the table from :class:`Finding` objects or mappings (missing fields
  empty), ordered by place: area, period, indicator, kind;
- :func:`for_review` orders any findings table for a reader of ``quality.csv``: errors
  first, then by kind and source, duplicates dropped, ``values`` as text.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from functools import cache
from typing import Final

import pandas as pd

SEVERITIES: Final = ("error", "warning", "info")
#: The columns of every findings table. ``detail`` is Vietnamese, ``detail_en`` English;
#: ``rule`` names a catalogue rule; ``values`` holds the numbers a finding is about.
COLUMNS: Final = (
    "severity", "kind", "source", "locator", "area", "period", "indicator", "detail",
    "detail_en", "rule", "values",
)


@dataclass(frozen=True)
class Finding:
    """One finding; ``detail`` is a sentence a person can act on."""

    severity: str
    kind: str
    detail: str
    source: str = ""
    locator: str = ""
    area: str = ""
    period: str = ""
    indicator: str = ""
    detail_en: str = ""
    rule: str = ""
    values: tuple[float, ...] = ()


def _row(f: Finding | Mapping[str, object]) -> dict[str, object]:
    row = asdict(f) if isinstance(f, Finding) else f
    return {c: row.get(c, () if c == "values" else "") for c in COLUMNS}


@cache
def _empty() -> pd.DataFrame:
    return pd.DataFrame({c: pd.array([], dtype=object if c == "values" else "str")
                         for c in COLUMNS})


def table(rows: Iterable[Finding | Mapping[str, object]]) -> pd.DataFrame:
    """A findings table of ``rows``, ordered by area, period, indicator and kind."""
    records = [_row(r) for r in rows]
    if not records:  # the usual case: built once, copied (a quarter of the time)
        return _empty().copy()
    frame = pd.DataFrame(records, columns=list(COLUMNS))
    for col in COLUMNS:
        if col != "values":
            frame[col] = frame[col].astype("str")
    frame["values"] = frame["values"].astype(object)
    return frame.sort_values(["area", "period", "indicator", "kind"], kind="mergesort",
                             ignore_index=True)


def _number(v: object) -> str:
    if isinstance(v, float):
        return "" if v != v else str(int(v)) if v.is_integer() else repr(v)
    return str(v)


def _as_text(values: object) -> str:
    if isinstance(values, str):
        return values
    return "; ".join(_number(v) for v in values or ())


def for_review(findings: Iterable[Finding | Mapping[str, object]] | pd.DataFrame) -> pd.DataFrame:
    """``findings`` (objects, mappings or a findings table) for ``quality.csv``: every column
    text, errors first, then by kind, source and place; duplicates dropped."""
    df = (findings if isinstance(findings, pd.DataFrame) else table(findings)).copy()
    for col in COLUMNS:
        if col not in df:
            df[col] = ""
    df = df[list(COLUMNS)]
    df["values"] = df["values"].map(_as_text)
    df = df.fillna("").astype(str)
    order = {s: i for i, s in enumerate(SEVERITIES)}
    df = df.assign(_rank=df["severity"].map(order).fillna(len(order)))
    df = df.sort_values(["_rank", "kind", "source", "locator", "area", "period", "indicator"],
                        kind="mergesort")
    return df.drop(columns="_rank").drop_duplicates().reset_index(drop=True)
