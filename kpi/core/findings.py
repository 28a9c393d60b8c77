"""Data-quality findings: one table shape for everything worth a person's look.

Unreadable files, rejected cells, unmatched corrections, rule violations and
conflicts all become rows of the same table, written to ``quality.csv``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Final

import pandas as pd

SEVERITIES: Final = ("error", "warning", "info")
COLUMNS: Final = (
    "severity", "kind", "source", "locator", "area", "period", "indicator", "detail",
)


@dataclass(frozen=True)
class Finding:
    """One row of ``quality.csv``; ``detail`` is a sentence a person can act on."""

    severity: str
    kind: str
    detail: str
    source: str = ""
    locator: str = ""
    area: str = ""
    period: str = ""
    indicator: str = ""


def frame(findings: list[Finding] | pd.DataFrame) -> pd.DataFrame:
    """Findings as a table with the standard columns, sorted for reading."""
    if isinstance(findings, pd.DataFrame):
        df = findings.copy()
    else:
        df = pd.DataFrame([asdict(f) for f in findings], columns=list(COLUMNS))
    for col in COLUMNS:
        df[col] = df[col].astype(str) if col in df else ""
    df = df[list(COLUMNS)].fillna("")
    order = {s: i for i, s in enumerate(SEVERITIES)}
    df = df.assign(_rank=df["severity"].map(order).fillna(len(order)))
    df = df.sort_values(["_rank", "kind", "source", "locator", "area", "period", "indicator"],
                        kind="mergesort")
    return df.drop(columns="_rank").drop_duplicates().reset_index(drop=True)
