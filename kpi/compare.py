"""Comparisons over the quarterly series: QoQ, YoY, year to date, plan attainment, ranking.

Every function takes either the observation table or a :class:`kpi.quarterly.Quarterly`
already computed from it (pass the latter to avoid recomputing), plus the catalogue, and
returns a new table. Filters (``area``, ``indicator``, ``quarter``) are optional and
applied after the comparison, so a quarter's previous value is always available.

A comparison needs both quarters: when the earlier one is missing (a gap) the change is
NaN and ``note`` says so; it is never computed against another quarter.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd

from kpi.catalog import Catalog
from kpi.quarterly import Quarterly, ensure_quarterly

#: Pace expected of a flow by the end of each quarter, in % of the annual plan.
PACE: Final = {1: 25.0, 2: 50.0, 3: 75.0, 4: 100.0}

_NOTES: Final = {
    ("qoq", "gap", "vi"): "không có số liệu quý trước để so sánh",
    ("qoq", "gap", "en"): "no data for the previous quarter to compare",
    ("yoy", "gap", "vi"): "không có số liệu cùng kỳ năm trước để so sánh",
    ("yoy", "gap", "en"): "no data for the same quarter last year to compare",
    ("qoq", "zero", "vi"): "quý trước bằng 0, không tính được tỷ lệ thay đổi",
    ("qoq", "zero", "en"): "the previous quarter is zero: no percentage change",
    ("yoy", "zero", "vi"): "cùng kỳ năm trước bằng 0, không tính được tỷ lệ thay đổi",
    ("yoy", "zero", "en"): "the same quarter last year is zero: no percentage change",
    ("plan", "none", "vi"): "không có kế hoạch năm",
    ("plan", "none", "en"): "no annual plan",
    ("plan", "level", "vi"): "chỉ tiêu thời điểm: không so với tiến độ quý",
    ("plan", "level", "en"): "a level, not paced by quarter",
    ("rank", "none", "vi"): "không có số liệu quý này",
    ("rank", "none", "en"): "no data for this quarter",
}

_KEY: Final = ["area", "indicator", "period"]


def note(topic: str, case: str, lang: str = "vi") -> str:
    """The fixed note text for a comparison case (used by tables and sentences alike)."""
    return _NOTES[(topic, case, "en" if lang == "en" else "vi")]


def _quarter(value: str | pd.Period | None) -> pd.Period | None:
    return None if value is None else pd.Period(value, freq="Q-DEC")


def _filter(frame: pd.DataFrame, area: str | None, indicator: str | None,
            quarter: str | pd.Period | None) -> pd.DataFrame:
    mask = pd.Series(True, index=frame.index)
    if area is not None:
        mask &= frame["area"] == area
    if indicator is not None:
        mask &= frame["indicator"] == indicator
    if quarter is not None:
        mask &= frame["period"] == _quarter(quarter)
    return frame[mask].reset_index(drop=True)


def values(data: pd.DataFrame | Quarterly, catalog: Catalog, *, area: str | None = None,
           indicator: str | None = None, quarter: str | pd.Period | None = None) -> pd.DataFrame:
    """The quarter values (``measure == "value"``, ``span == "quarter"``), filtered."""
    table = ensure_quarterly(data, catalog).table
    table = table[(table["measure"] == "value") & (table["span"] == "quarter")]
    return _filter(table, area, indicator, quarter)


def _stated_pct(q: Quarterly, catalog: Catalog, measures: dict[str, float]) -> pd.DataFrame:
    """A reported percentage per (area, indicator, period): ``measures`` maps a measure to
    the offset that turns it into a % change (pct_of_prior_year − 100). Flows take only
    quarter figures (or ytd in Q1, the same months); levels take any span."""
    t = q.table[q.table["measure"].isin(list(measures))].copy()
    if t.empty:
        return t[_KEY].assign(reported_pct=pd.Series([], dtype="float64"))
    flow = t["indicator"].map(lambda c: catalog[c].aggregation == "flow")
    same_months = (t["span"] == "quarter") | ((t["span"] == "ytd") & (t["period"].dt.quarter == 1))
    t = t[~flow | same_months]
    order = {"quarter": 0, "to_date": 1, "month": 2, "ytd": 3, "year": 4}
    offset = t["measure"].map(measures).astype("float64")
    t = t.assign(reported_pct=t["value"] + offset,
                 _o=t["span"].map(order), _m=t["measure"].map(list(measures).index))
    t = t.sort_values([*_KEY, "_o", "_m"], kind="mergesort").drop_duplicates(_KEY)
    return t[[*_KEY, "reported_pct"]]


def _change(data: pd.DataFrame | Quarterly, catalog: Catalog, topic: str, lag: int,
            reported: dict[str, float], area: str | None, indicator: str | None,
            quarter: str | pd.Period | None, lang: str) -> pd.DataFrame:
    q = ensure_quarterly(data, catalog)
    cur = values(q, catalog)[[*_KEY, "value", "qualifier", "synthetic"]]
    before = cur.rename(columns={"value": "previous", "qualifier": "previous_qualifier",
                                 "synthetic": "previous_synthetic"})
    before = before.assign(period=before["period"] + lag)
    out = cur.merge(before, on=_KEY, how="left").merge(
        _stated_pct(q, catalog, reported), on=_KEY, how="left")
    out["change"] = out["value"] - out["previous"]
    zero = out["previous"] == 0
    out["pct_change"] = (out["change"] / out["previous"].abs() * 100).where(~zero, np.nan)
    out["approx"] = (out["qualifier"] != "exact") | (
        out["previous_qualifier"].fillna("exact") != "exact")
    out["synthetic"] = out["synthetic"] | out["previous_synthetic"].fillna(False).astype(bool)
    out["note"] = np.where(out["previous"].isna(), note(topic, "gap", lang),
                           np.where(zero, note(topic, "zero", lang), ""))
    out["previous_period"] = out["period"] - lag
    cols = [*_KEY, "value", "qualifier", "previous_period", "previous", "previous_qualifier",
            "change", "pct_change", "reported_pct", "approx", "synthetic", "note"]
    return _filter(out[cols], area, indicator, quarter)


def qoq(data: pd.DataFrame | Quarterly, catalog: Catalog, *, area: str | None = None,
        indicator: str | None = None, quarter: str | pd.Period | None = None,
        lang: str = "vi") -> pd.DataFrame:
    """Quarter-on-quarter change of every quarter value.

    Columns: area, indicator, period, value, qualifier, previous_period, previous,
    previous_qualifier, change, pct_change (% of |previous|), reported_pct (a stated
    ``pct_change_qoq``), approx (either side not exact), synthetic, note.
    """
    return _change(data, catalog, "qoq", 1, {"pct_change_qoq": 0.0}, area, indicator,
                   quarter, lang)


def yoy(data: pd.DataFrame | Quarterly, catalog: Catalog, *, area: str | None = None,
        indicator: str | None = None, quarter: str | pd.Period | None = None,
        lang: str = "vi") -> pd.DataFrame:
    """Change against the same quarter a year before ("so với cùng kỳ").

    Same columns as :func:`qoq`. ``pct_change`` is recomputed from the data; ``reported_pct``
    is the report's own figure (``pct_change_yoy``, or ``pct_of_prior_year`` − 100), so
    both can be shown side by side.
    """
    return _change(data, catalog, "yoy", 4,
                   {"pct_change_yoy": 0.0, "pct_of_prior_year": -100.0},
                   area, indicator, quarter, lang)


def ytd(data: pd.DataFrame | Quarterly, catalog: Catalog, *, area: str | None = None,
        indicator: str | None = None, quarter: str | pd.Period | None = None) -> pd.DataFrame:
    """Year-to-date values per quarter (see :class:`kpi.quarterly.Quarterly.cumulative`)."""
    cum = ensure_quarterly(data, catalog).cumulative
    cols = [*_KEY, "value", "unit", "qualifier", "method", "derived", "synthetic", "source",
            "locator", "evidence", "inputs"]
    return _filter(cum[cols], area, indicator, quarter)


def _annual_plans(q: Quarterly) -> pd.DataFrame:
    """One annual plan per (area, indicator, year): the latest stated span-year plan."""
    t = q.table[(q.table["measure"] == "plan") & (q.table["span"] == "year")]
    t = t.assign(year=t["period"].dt.qyear).sort_values("period", kind="mergesort")
    t = t.drop_duplicates(["area", "indicator", "year"], keep="last")
    return t.rename(columns={"value": "plan", "qualifier": "plan_qualifier",
                             "synthetic": "plan_synthetic", "inputs": "plan_inputs"})[
        ["area", "indicator", "year", "plan", "plan_qualifier", "plan_synthetic", "plan_inputs"]]


def _stated_pct_of_plan(q: Quarterly) -> pd.DataFrame:
    t = q.table[q.table["measure"] == "pct_of_plan"]
    order = {"ytd": 0, "year": 1, "to_date": 2, "quarter": 3, "month": 4}
    t = t.assign(_o=t["span"].map(order)).sort_values([*_KEY, "_o"], kind="mergesort")
    t = t.drop_duplicates(_KEY).rename(columns={"value": "reported_pct_of_plan"})
    return t[[*_KEY, "reported_pct_of_plan"]]


def attainment(data: pd.DataFrame | Quarterly, catalog: Catalog, *, area: str | None = None,
               indicator: str | None = None, quarter: str | pd.Period | None = None,
               lang: str = "vi") -> pd.DataFrame:
    """Year-to-date value against the annual plan, and against the pace expected by then.

    ``pct_of_plan`` = cumulative / plan × 100 (plan: measure ``plan``, span ``year``, of the
    same year). ``expected_pct`` is 25/50/75/100 % for flows by Q1..Q4 (NaN for stocks and
    rates: a level target is not paced). ``pct_of_pace`` = pct_of_plan / expected × 100,
    from the stated ``reported_pct_of_plan`` when there is no plan figure.
    One row per (area, indicator, period) with a cumulative value or a stated % of plan.
    """
    q = ensure_quarterly(data, catalog)
    cum = q.cumulative[[*_KEY, "value", "qualifier", "synthetic"]].rename(
        columns={"value": "cumulative"})
    out = cum.merge(_stated_pct_of_plan(q), on=_KEY, how="outer")
    out = out.assign(year=out["period"].dt.qyear).merge(
        _annual_plans(q), on=["area", "indicator", "year"], how="left")
    out["pct_of_plan"] = (out["cumulative"] / out["plan"] * 100).where(out["plan"] != 0)
    flow = out["indicator"].map(lambda c: catalog[c].aggregation == "flow").astype(bool)
    out["expected_pct"] = out["period"].dt.quarter.map(PACE).where(flow)
    basis = out["pct_of_plan"].fillna(out["reported_pct_of_plan"])
    out["pct_of_pace"] = basis / out["expected_pct"] * 100
    out["synthetic"] = out["synthetic"].fillna(False).astype(bool) | out[
        "plan_synthetic"].fillna(False).astype(bool)
    no_plan = out["plan"].isna() & out["reported_pct_of_plan"].isna()
    out["note"] = np.where(no_plan, note("plan", "none", lang),
                           np.where(~flow, note("plan", "level", lang), ""))
    cols = [*_KEY, "cumulative", "qualifier", "plan", "plan_qualifier", "pct_of_plan",
            "reported_pct_of_plan", "expected_pct", "pct_of_pace", "synthetic", "note"]
    out = out[cols].sort_values(_KEY, kind="mergesort")
    return _filter(out, area, indicator, quarter)


def rank_areas(data: pd.DataFrame | Quarterly, catalog: Catalog, indicator: str,
               quarter: str | pd.Period, *, lang: str = "vi") -> pd.DataFrame:
    """Areas ranked by an indicator in a quarter, best first, with their QoQ change.

    Best is the largest value unless the catalogue says lower is better (``good: down``).
    Areas with data for the indicator in other quarters but none in this one come last
    with rank <NA> and a note. Columns: rank, area, value, qualifier, previous,
    pct_change, synthetic, note.
    """
    q = ensure_quarterly(data, catalog)
    period = _quarter(quarter)
    changes = qoq(q, catalog, indicator=indicator, quarter=period, lang=lang)
    ascending = catalog[indicator].good == "down"
    ranked = changes.sort_values(["value", "area"], ascending=[ascending, True],
                                 kind="mergesort")
    ranked = ranked.assign(rank=ranked["value"].rank(method="min", ascending=ascending)
                           .astype("Int64"))
    known = set(values(q, catalog, indicator=indicator)["area"]) - set(ranked["area"])
    missing = pd.DataFrame({"area": sorted(known), "rank": pd.array([pd.NA] * len(known),
                                                                    dtype="Int64"),
                            "note": note("rank", "none", lang), "synthetic": False})
    cols = ["rank", "area", "value", "qualifier", "previous", "pct_change", "synthetic", "note"]
    parts = [f for f in (ranked, missing) if not f.empty]
    if not parts:
        return pd.DataFrame(columns=cols)
    out = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    return out.reindex(columns=cols).reset_index(drop=True)
