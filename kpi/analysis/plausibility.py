"""Which quarter values a headline must not show unmarked.

A quarter value is *suspect* when

* its cell is a conflict (:mod:`kpi.analysis.series` chose one of figures that disagree): the
  other figures are named as the alternative; or
* it is implausible: at least :data:`FACTOR` times the area's own median of the indicator
  (over its quarters) or the median of the areas of its level (communes, wards ...) in
  that quarter (a misplaced decimal comma: "14,84 tỷ" for "1,484 tỷ"). A value far
  *below* its medians is not flagged by itself: falls happen (a campaign ends); a fall that
  rests on a conflicting figure is flagged through the conflict, a rise beyond
  :data:`MAX_CHANGE` % through the change.

A change is suspect when it rests on a suspect value or lies beyond ±:data:`MAX_CHANGE` %.
:func:`suspects` gives the reasons, as short sentences a headline, a table or a sentence
shows next to the number ("cần kiểm tra: ...").
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass
from typing import Final

import pandas as pd

from kpi.analysis.area_index import area_records
from kpi.analysis.series import Quarterly
from kpi.core import labels
from kpi.core.catalog import Catalog

FACTOR: Final = 5.0
MAX_CHANGE: Final = 300.0
CHECK_WORD: Final = {"vi": "cần kiểm tra", "en": "check"}


@dataclass(frozen=True)
class Suspect:
    """Why one quarter value is suspect: ``reason`` (a phrase, in the language asked)."""

    indicator: str
    period: pd.Period
    value: float
    reason: str


def _level(area: str) -> str:
    return area.rsplit("-", 1)[-1]


def _level_medians(q: Quarterly) -> dict[tuple[str, str, int], float]:
    """Median quarter value per (level, indicator, period ordinal), over areas with one."""
    table = q.table
    keep = (table["measure"] == "value") & (table["span"] == "quarter")
    rows = table.loc[keep, ["area", "indicator", "period", "value"]]
    groups: dict[tuple[str, str, int], list[float]] = defaultdict(list)
    for area, code, period, value in rows.itertuples(index=False):
        groups[(_level(area), code, period.ordinal)].append(float(value))
    return {k: statistics.median(v) for k, v in groups.items() if len(v) >= 3}


def _far(value: float, median: float) -> bool:
    if median <= 0 or value <= 0:
        return False
    return value / median >= FACTOR


def suspects(q: Quarterly, catalog: Catalog, area: str, lang: str = "vi",
             level_medians: dict | None = None) -> dict[tuple[str, int], Suspect]:
    """Suspect quarter values of ``area``, by (indicator, period ordinal)."""
    en = lang == "en"
    values = [r for r in area_records(q, area, "table")
              if r["measure"] == "value" and r["span"] == "quarter" and r["indicator"] in catalog]
    own: dict[str, list[float]] = defaultdict(list)
    for r in values:
        own[r["indicator"]].append(float(r["value"]))
    medians = level_medians if level_medians is not None else _level_medians(q)
    conflicts: dict[tuple[str, int], tuple] = {}
    f = q.findings
    if not f.empty:
        mine = f[(f["area"] == area) & (f["kind"] == "conflict")]
        for code, period, vals in mine[["indicator", "period", "values"]].itertuples(index=False):
            conflicts[(code, pd.Period(period, freq="Q-DEC").ordinal)] = tuple(vals)
    out: dict[tuple[str, int], Suspect] = {}
    for r in values:
        code, period, value = r["indicator"], r["period"], float(r["value"])
        unit = catalog[code].unit
        reasons = []
        alt = [v for v in conflicts.get((code, period.ordinal), ()) if v != value]
        if alt:
            shown = ", ".join(labels.format_value(v, unit, lang) for v in alt)
            reasons.append(f"other sources say {shown}" if en else f"nguồn khác ghi {shown}")
        series = own[code]
        if len(series) >= 4 and _far(value, statistics.median(series)):
            mid = labels.format_value(statistics.median(series), unit, lang)
            reasons.append(f"far from this area's usual {mid}" if en
                           else f"khác xa mức thường thấy của địa bàn ({mid})")
        lm = medians.get((_level(area), code, period.ordinal))
        if lm is not None and _far(value, lm):
            mid = labels.format_value(lm, unit, lang)
            reasons.append(f"far from the median of its level ({mid})" if en
                           else f"khác xa trung vị cùng cấp ({mid})")
        if reasons:
            quarter = labels.in_sentence(labels.quarter_label(period, lang), lang)
            what = labels.format_value(value, unit, lang)
            out[(code, period.ordinal)] = Suspect(
                code, period, value, f"{quarter}: {what}, {'; '.join(reasons)}")
    return out


def change_check(pct: float, now: Suspect | None, then: Suspect | None, lang: str = "vi"
                 ) -> str:
    """Why a change must be checked ("" when it need not): it rests on a suspect value or
    exceeds ±:data:`MAX_CHANGE` %."""
    parts = [s.reason for s in (now, then) if s is not None]
    if not parts and pct == pct and abs(pct) > MAX_CHANGE:
        size = labels.format_change(pct, lang)
        parts.append(f"a change of {size} is implausible" if lang == "en"
                     else f"mức thay đổi {size} bất thường")
    return "; ".join(parts)
