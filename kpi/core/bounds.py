"""Plausibility: values beyond what an indicator can be, as findings (never refusals).

A value is kept as read; one that no commune, district, province or the country could
report (10^27 đồng of revenue, a negative number of persons, a change of 5.000 %) becomes
a warning ``implausible_value`` in ``quality.csv`` whose detail starts with
:data:`CHECK_VI` ("cần kiểm tra"), and :func:`flag_column` marks the row in ``review.csv``.

The bounds go by the indicator's base unit and the area's level (the slug's ending), each
a generous ceiling (ten times or more the largest real figure: the whole country's yearly
GDP is under 10^16 đồng and its population under 10^8 persons).
"""

from __future__ import annotations

from typing import Final

import pandas as pd

from kpi.core.catalog import Catalog
from kpi.core.findings import Finding
from kpi.numbers import format_number, format_vnd

CHECK_VI: Final = "cần kiểm tra"

#: Largest plausible value of a count or amount, by unit, for a local area (commune, ward,
#: town); larger areas multiply it by :data:`_LEVEL_FACTOR`.
_LOCAL_MAX: Final[dict[str, float]] = {
    "VND": 1e13,  # 10.000 tỷ đồng: a commune's revenue or investment is well below
    "person": 1e6,
    "dose": 1e7,
    "household": 1e6,
    "house": 1e6,
    "ha": 1e6,
    "m": 1e8,
    "tonne": 1e8,
    "tree": 1e9,
}
_DEFAULT_LOCAL_MAX: Final = 1e9
_LEVEL_FACTOR: Final[dict[str, float]] = {
    "-district": 10.0,
    "-city": 100.0,
    "-province": 100.0,
    "-region": 1000.0,
}
_COUNTRY_FACTOR: Final = 1000.0
#: Percentages: a share lies in [0, 100]; other percentages in [-100, 1000] (a change of
#: -100 % is all lost; +1000 % is eleven times).
_SHARE: Final = (0.0, 100.0)
_PERCENT: Final = (-100.0, 1000.0)
_PERCENT_MEASURES: Final = ("pct_of_plan", "pct_change_yoy", "pct_change_qoq",
                            "pct_of_prior_year", "share_pct")


def _factor(area: str) -> float:
    if area in ("vietnam", "viet-nam", "country"):
        return _COUNTRY_FACTOR
    return next((f for end, f in _LEVEL_FACTOR.items() if area.endswith(end)), 1.0)


def _problem(value: float, unit: str, measure: str, area: str) -> str:
    """Why ``value`` cannot be right, or ``""``."""
    if value != value:
        return ""
    if measure in _PERCENT_MEASURES or unit == "percent":
        lo, hi = _SHARE if measure == "share_pct" else _PERCENT
        if not lo <= value <= hi:
            return f"{format_number(value, decimals=2)}% lies outside {lo:g}…{hi:g}%"
        return ""
    def shown(x: float) -> str:
        return format_vnd(x, short=True) if unit == "VND" else f"{format_number(x)} {unit}"

    if not unit:
        return ""  # no unit to judge the amount by
    if value < 0:
        return f"a negative amount: {shown(value)}"
    ceiling = _LOCAL_MAX.get(unit, _DEFAULT_LOCAL_MAX) * _factor(area)
    if value > ceiling:
        return f"{shown(value)} is more than an area of its level can report ({shown(ceiling)})"
    return ""


def problems(obs: pd.DataFrame, catalog: Catalog | None = None) -> pd.Series:
    """Per row of the observation table: why its value is implausible, or ``""``. A row
    without a unit takes its indicator's from ``catalog`` (none: not judged by amount)."""
    if obs.empty:
        return pd.Series([], dtype=str, index=obs.index)
    units = [str(u) if str(u) else (catalog[i].unit if catalog is not None and i in catalog
                                    else "")
             for u, i in zip(obs["unit"], obs["indicator"], strict=True)]
    return pd.Series([_problem(float(v), u, str(m), str(a)) for v, u, m, a in zip(
        obs["value"], units, obs["measure"], obs["area"], strict=True)],
        index=obs.index, dtype=str)


def plausibility_findings(obs: pd.DataFrame, catalog: Catalog | None = None) -> list[Finding]:
    """One ``implausible_value`` warning per row whose value cannot be right."""
    found = []
    for i, why in problems(obs, catalog).items():
        if not why:
            continue
        row = obs.loc[i]
        found.append(Finding("warning", "implausible_value", f"{CHECK_VI}: {why}",
                             source=str(row["source"]), locator=str(row["locator"]),
                             area=str(row["area"]), period=str(row["period"]),
                             indicator=str(row["indicator"])))
    return found


def flag_column(obs: pd.DataFrame, catalog: Catalog | None = None) -> pd.Series:
    """``"cần kiểm tra"`` for rows with an implausible value, ``""`` otherwise."""
    return problems(obs, catalog).map(lambda why: CHECK_VI if why else "")
