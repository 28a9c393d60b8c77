"""When two figures agree "within rounding", and the table that records when they do not.

Each figure stands for an interval: an exact figure for itself ± ``tolerance`` (relative,
for rounding: "4,88 tỷ" and 4.884.100.000 đ agree), gần/khoảng/ước for ± :data:`LOOSE`,
hơn/trên for everything above it and dưới for everything below. Two figures agree when
their intervals overlap, so two exact figures may differ by twice ``tolerance``.
Disagreements become rows of a findings table whose columns extend
``kpi.core.findings.COLUMNS`` (so the two can be concatenated).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Final

import pandas as pd

#: Relative half-width of an exact figure: two exact figures agree within 0.5 %, which
#: covers rounding to three significant digits ("4,88 tỷ" for 4.884.100.000 đ).
ROUNDING: Final = 0.0025
#: Relative half-width of a gần / khoảng / ước figure.
LOOSE: Final = 0.05

FINDING_COLUMNS: Final = (
    "severity",
    "kind",
    "source",
    "locator",
    "area",
    "period",
    "indicator",
    "detail",
    "detail_en",
    "rule",
    "values",
)


def bounds(value: float, qualifier: str = "exact",
           tolerance: float = ROUNDING) -> tuple[float, float]:
    """The interval a figure stands for (see the module docstring)."""
    if qualifier == "more_than":
        return value - abs(value) * tolerance, math.inf
    if qualifier == "less_than":
        return -math.inf, value + abs(value) * tolerance
    width = abs(value) * (LOOSE if qualifier in ("approx", "estimate") else tolerance)
    return value - width, value + width


def overlap(a: tuple[float, float], b: tuple[float, float]) -> bool:
    """True when two closed intervals share a point."""
    return a[0] <= b[1] and b[0] <= a[1]


def agree(a: float, qa: str, b: float, qb: str, tolerance: float = ROUNDING) -> bool:
    """True when two qualified figures can be the same number."""
    return overlap(bounds(a, qa, tolerance), bounds(b, qb, tolerance))


def findings_frame(rows: Iterable[Mapping[str, object]]) -> pd.DataFrame:
    """A findings table with :data:`FINDING_COLUMNS` (missing fields empty)."""
    records = [{c: row.get(c, "" if c != "values" else ()) for c in FINDING_COLUMNS}
               for row in rows]
    if not records:  # the usual case; built directly, in a quarter of the time
        return pd.DataFrame({c: pd.array([], dtype=object if c == "values" else "str")
                             for c in FINDING_COLUMNS})
    frame = pd.DataFrame(records, columns=list(FINDING_COLUMNS))
    for col in FINDING_COLUMNS:
        if col != "values":
            frame[col] = frame[col].astype("str")
    frame["values"] = frame["values"].astype(object)
    return frame.sort_values(["area", "period", "indicator", "kind"], kind="mergesort",
                             ignore_index=True)
