"""Comparisons over the quarterly series: QoQ, YoY, year to date, plan attainment, ranking.

Every function takes either the observation table or a :class:`kpi.analysis.series.Quarterly`
already computed from it (pass the latter to avoid recomputing), plus the catalogue, and
returns a new table. Filters (``area``, ``indicator``, ``quarter``) are optional and
applied after the comparison, so a quarter's previous value is always available (a
comparison never crosses areas, so one area's is computed from that area's rows only,
:mod:`kpi.analysis.area_index`). ``qoq_records`` and the like give the same rows as dicts, for
callers that look rows up rather than show a table.

A comparison needs both quarters: when the earlier one is missing (a gap) the change is
NaN and ``note`` says so; it is never computed against another quarter.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Final

import pandas as pd

from kpi.analysis.area_index import area_records, for_area
from kpi.analysis.records import frame, records
from kpi.analysis.series import Quarterly, ensure_quarterly
from kpi.core.catalog import Catalog

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
_PERIOD: Final = pd.PeriodDtype("Q-DEC")
#: Which span's stated percentage change is used first.
_SPAN_ORDER: Final = {"quarter": 0, "to_date": 1, "month": 2, "ytd": 3, "year": 4}
#: Which span's stated % of plan is used first.
_PLAN_SPAN_ORDER: Final = {"ytd": 0, "year": 1, "to_date": 2, "quarter": 3, "month": 4}


def note(topic: str, case: str, lang: str = "vi") -> str:
    """The fixed note text for a comparison case (used by tables and sentences alike)."""
    return _NOTES[(topic, case, "en" if lang == "en" else "vi")]


def _scoped(data: pd.DataFrame | Quarterly, catalog: Catalog, area: str | None) -> Quarterly:
    """The series, restricted to ``area`` when one is given: every comparison relates rows
    of one area only, so computing it on the area's rows gives the same rows."""
    q = ensure_quarterly(data, catalog)
    return q if area is None else for_area(q, area)


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


def _rows(frame: pd.DataFrame, keep: pd.Series, indicator: str | None,
          periods: Sequence[pd.Period] | None) -> pd.DataFrame:
    """``frame``'s rows where ``keep`` holds, of ``indicator`` and ``periods`` when given
    (one selection; the index is kept)."""
    if indicator is not None:
        keep = keep & (frame["indicator"] == indicator)
    if periods is not None:
        keep = keep & frame["period"].isin(periods)
    return frame[keep]


def _select(q: Quarterly, area: str | None, name: str, indicator: str | None,
            periods: Sequence[pd.Period] | None) -> list[dict]:
    """The rows of ``q``'s frame ``name`` as dicts, of ``area``, ``indicator`` and
    ``periods`` when given, in the frame's order. With an area they are the area's
    shared rows (:func:`kpi.analysis.area_index.area_records`): read them, never modify them."""
    if area is None:
        frame = getattr(q, name)
        return records(_rows(frame, pd.Series(True, index=frame.index), indicator, periods))
    # quarters compared by ordinal: much cheaper than Period comparisons
    wanted = None if periods is None else {p.ordinal for p in periods}
    return [r for r in area_records(q, area, name)
            if (indicator is None or r["indicator"] == indicator)
            and (wanted is None or r["period"].ordinal in wanted)]


def _values(q: Quarterly, area: str | None, indicator: str | None,
            periods: Sequence[pd.Period] | None) -> list[dict]:
    return [r for r in _select(q, area, "table", indicator, periods)
            if r["measure"] == "value" and r["span"] == "quarter"]


def values_records(data: pd.DataFrame | Quarterly, catalog: Catalog, *,
                   area: str | None = None, indicator: str | None = None,
                   quarter: str | pd.Period | None = None) -> list[dict]:
    """The rows of :func:`values` as dicts (with an area: shared, do not modify them)."""
    period = _quarter(quarter)
    return _values(ensure_quarterly(data, catalog), area, indicator,
                   None if period is None else [period])


def values(data: pd.DataFrame | Quarterly, catalog: Catalog, *, area: str | None = None,
           indicator: str | None = None, quarter: str | pd.Period | None = None) -> pd.DataFrame:
    """The quarter values (``measure == "value"``, ``span == "quarter"``), filtered."""
    table = _scoped(data, catalog, area).table
    period = _quarter(quarter)
    keep = (table["measure"] == "value") & (table["span"] == "quarter")
    return _rows(table, keep, indicator, None if period is None else [period]).reset_index(
        drop=True)


def _stated_pct(q: Quarterly, catalog: Catalog, measures: dict[str, float], area: str | None,
                indicator: str | None, period: pd.Period | None) -> dict[tuple, float]:
    """A reported percentage per (area, indicator, period): ``measures`` maps a measure to
    the offset that turns it into a % change (pct_of_prior_year − 100). Flows take only
    quarter figures (or ytd in Q1, the same months); levels take any span; the first span
    of :data:`_SPAN_ORDER`, then the first measure of ``measures``, wins. Only ``area``,
    ``indicator`` and ``period`` when given (each key is decided by its own rows)."""
    rank = {m: n for n, m in enumerate(measures)}
    best: dict[tuple, tuple[tuple[float, int], float]] = {}
    for r in _select(q, area, "table", indicator, None if period is None else [period]):
        if r["measure"] not in rank:
            continue
        if catalog[r["indicator"]].aggregation == "flow" and not (
                r["span"] == "quarter" or (r["span"] == "ytd" and r["period"].quarter == 1)):
            continue
        key = (r["area"], r["indicator"], r["period"])
        order = (_SPAN_ORDER.get(r["span"], math.inf), rank[r["measure"]])
        if key not in best or order < best[key][0]:
            best[key] = (order, r["value"] + measures[r["measure"]])
    return {key: pct for key, (_, pct) in best.items()}


#: Columns and dtypes of :func:`qoq` and :func:`yoy`.
CHANGE_COLUMNS: Final[dict[str, object]] = {
    "area": "str", "indicator": "str", "period": _PERIOD, "value": "float64", "qualifier": "str",
    "previous_period": _PERIOD, "previous": "float64", "previous_qualifier": "str",
    "change": "float64", "pct_change": "float64", "reported_pct": "float64", "approx": "bool",
    "synthetic": "bool", "note": "str",
}


def _changes(q: Quarterly, catalog: Catalog, topic: str, lag: int,
             reported: dict[str, float], area: str | None, indicator: str | None,
             period: pd.Period | None, lang: str) -> list[dict]:
    """The rows of :func:`qoq` / :func:`yoy` (``lag`` quarters back) as dicts, in the
    table's order; each quarter value's row reads only its own quarter and the one
    ``lag`` before, so those are all that is selected."""
    both = _values(q, area, indicator, None if period is None else [period, period - lag])
    # quarter values are unique per (area, indicator, period)
    before = {(r["area"], r["indicator"], r["period"] + lag): r for r in both}
    stated = _stated_pct(q, catalog, reported, area, indicator, period)
    gap, zero = note(topic, "gap", lang), note(topic, "zero", lang)
    out = []
    for r in both:
        key = (r["area"], r["indicator"], r["period"])
        if period is not None and key[2] != period:
            continue
        b = before.get(key)
        previous = b["value"] if b else math.nan
        change = r["value"] - previous
        out.append({
            **{c: r[c] for c in (*_KEY, "value", "qualifier")},
            "previous_period": key[2] - lag,
            "previous": previous,
            "previous_qualifier": b["qualifier"] if b else math.nan,
            "change": change,
            "pct_change": math.nan if previous == 0 else change / abs(previous) * 100,
            "reported_pct": stated.get(key, math.nan),
            "approx": r["qualifier"] != "exact" or (b is not None and b["qualifier"] != "exact"),
            "synthetic": bool(r["synthetic"]) or (b is not None and bool(b["synthetic"])),
            "note": gap if math.isnan(previous) else zero if previous == 0 else "",
        })
    return out


def qoq_records(data: pd.DataFrame | Quarterly, catalog: Catalog, *, area: str | None = None,
                indicator: str | None = None, quarter: str | pd.Period | None = None,
                lang: str = "vi") -> list[dict]:
    """The rows of :func:`qoq` as dicts (the same values, no frame built)."""
    return _changes(ensure_quarterly(data, catalog), catalog, "qoq", 1,
                    {"pct_change_qoq": 0.0}, area, indicator, _quarter(quarter), lang)


def qoq(data: pd.DataFrame | Quarterly, catalog: Catalog, *, area: str | None = None,
        indicator: str | None = None, quarter: str | pd.Period | None = None,
        lang: str = "vi") -> pd.DataFrame:
    """Quarter-on-quarter change of every quarter value.

    Columns (:data:`CHANGE_COLUMNS`): area, indicator, period, value, qualifier,
    previous_period, previous, previous_qualifier, change, pct_change (% of |previous|),
    reported_pct (a stated ``pct_change_qoq``), approx (either side not exact), synthetic,
    note.
    """
    return frame(qoq_records(data, catalog, area=area, indicator=indicator, quarter=quarter,
                             lang=lang), CHANGE_COLUMNS)


def yoy_records(data: pd.DataFrame | Quarterly, catalog: Catalog, *, area: str | None = None,
                indicator: str | None = None, quarter: str | pd.Period | None = None,
                lang: str = "vi") -> list[dict]:
    """The rows of :func:`yoy` as dicts (the same values, no frame built)."""
    return _changes(ensure_quarterly(data, catalog), catalog, "yoy", 4,
                    {"pct_change_yoy": 0.0, "pct_of_prior_year": -100.0},
                    area, indicator, _quarter(quarter), lang)


def yoy(data: pd.DataFrame | Quarterly, catalog: Catalog, *, area: str | None = None,
        indicator: str | None = None, quarter: str | pd.Period | None = None,
        lang: str = "vi") -> pd.DataFrame:
    """Change against the same quarter a year before ("so với cùng kỳ").

    Same columns as :func:`qoq`. ``pct_change`` is recomputed from the data; ``reported_pct``
    is the report's own figure (``pct_change_yoy``, or ``pct_of_prior_year`` − 100), so
    both can be shown side by side.
    """
    return frame(yoy_records(data, catalog, area=area, indicator=indicator, quarter=quarter,
                             lang=lang), CHANGE_COLUMNS)


def ytd(data: pd.DataFrame | Quarterly, catalog: Catalog, *, area: str | None = None,
        indicator: str | None = None, quarter: str | pd.Period | None = None) -> pd.DataFrame:
    """Year-to-date values per quarter (see :class:`kpi.analysis.series.Quarterly.cumulative`)."""
    cum = _scoped(data, catalog, area).cumulative
    cols = [*_KEY, "value", "unit", "qualifier", "method", "derived", "synthetic", "source",
            "locator", "evidence", "inputs"]
    return _filter(cum[cols], area, indicator, quarter)


def _annual_plans(q: Quarterly, area: str | None, indicator: str | None,
                  year: int | None) -> dict[tuple, dict]:
    """One annual plan per (area, indicator, year): the latest stated span-year plan (of
    ``area``, ``indicator`` and ``year`` when given)."""
    periods = None if year is None else [pd.Period(year=year, quarter=n, freq="Q-DEC")
                                         for n in range(1, 5)]
    plans: dict[tuple, dict] = {}
    for r in _select(q, area, "table", indicator, periods):
        if r["measure"] != "plan" or r["span"] != "year":
            continue
        key = (r["area"], r["indicator"], r["period"].qyear)
        if key not in plans or r["period"] >= plans[key]["period"]:
            plans[key] = r
    return plans


def _stated_pct_of_plan(q: Quarterly, area: str | None, indicator: str | None,
                        period: pd.Period | None) -> dict[tuple, float]:
    """A stated % of plan per (area, indicator, period), of the first span of
    :data:`_PLAN_SPAN_ORDER`."""
    best: dict[tuple, tuple[float, float]] = {}
    for r in _select(q, area, "table", indicator, None if period is None else [period]):
        if r["measure"] != "pct_of_plan":
            continue
        key = (r["area"], r["indicator"], r["period"])
        rank = _PLAN_SPAN_ORDER.get(r["span"], math.inf)
        if key not in best or rank < best[key][0]:
            best[key] = (rank, r["value"])
    return {key: pct for key, (_, pct) in best.items()}


#: Columns and dtypes of :func:`attainment`.
ATTAINMENT_COLUMNS: Final[dict[str, object]] = {
    "area": "str", "indicator": "str", "period": _PERIOD, "cumulative": "float64",
    "qualifier": "str", "plan": "float64", "plan_qualifier": "str", "pct_of_plan": "float64",
    "reported_pct_of_plan": "float64", "expected_pct": "float64", "pct_of_pace": "float64",
    "synthetic": "bool", "note": "str",
}


def _attainments(q: Quarterly, catalog: Catalog, area: str | None, indicator: str | None,
                 period: pd.Period | None, lang: str) -> list[dict]:
    """The rows of :func:`attainment` as dicts, by (area, indicator, period); a quarter's
    row reads only that quarter's figures and its year's plan, so those are all that is
    selected."""
    cum = {(r["area"], r["indicator"], r["period"]): r
           for r in _select(q, area, "cumulative", indicator,
                            None if period is None else [period])}
    stated = _stated_pct_of_plan(q, area, indicator, period)
    plans = _annual_plans(q, area, indicator, None if period is None else period.qyear)
    no_plan, level = note("plan", "none", lang), note("plan", "level", lang)
    out = []
    for key in sorted(cum.keys() | stated.keys()):
        area, code, when = key
        got, plan = cum.get(key), plans.get((area, code, when.qyear))
        cumulative = got["value"] if got else math.nan
        amount = plan["value"] if plan else math.nan
        pct_of_plan = math.nan if amount == 0 else cumulative / amount * 100
        reported = stated.get(key, math.nan)
        flow = catalog[code].aggregation == "flow"
        expected = PACE[when.quarter] if flow else math.nan
        basis = reported if math.isnan(pct_of_plan) else pct_of_plan
        out.append({
            "area": area, "indicator": code, "period": when,
            "cumulative": cumulative,
            "qualifier": got["qualifier"] if got else math.nan,
            "plan": amount,
            "plan_qualifier": plan["qualifier"] if plan else math.nan,
            "pct_of_plan": pct_of_plan,
            "reported_pct_of_plan": reported,
            "expected_pct": expected,
            "pct_of_pace": basis / expected * 100,
            "synthetic": bool(got and got["synthetic"]) or bool(plan and plan["synthetic"]),
            "note": (no_plan if math.isnan(amount) and math.isnan(reported)
                     else "" if flow else level),
        })
    return out


def attainment_records(data: pd.DataFrame | Quarterly, catalog: Catalog, *,
                       area: str | None = None, indicator: str | None = None,
                       quarter: str | pd.Period | None = None, lang: str = "vi") -> list[dict]:
    """The rows of :func:`attainment` as dicts (the same values, no frame built)."""
    return _attainments(ensure_quarterly(data, catalog), catalog, area, indicator,
                        _quarter(quarter), lang)


def attainment(data: pd.DataFrame | Quarterly, catalog: Catalog, *, area: str | None = None,
               indicator: str | None = None, quarter: str | pd.Period | None = None,
               lang: str = "vi") -> pd.DataFrame:
    """Year-to-date value against the annual plan, and against the pace expected by then.

    ``pct_of_plan`` = cumulative / plan × 100 (plan: measure ``plan``, span ``year``, of the
    same year). ``expected_pct`` is 25/50/75/100 % for flows by Q1..Q4 (NaN for stocks and
    rates: a level target is not paced). ``pct_of_pace`` = pct_of_plan / expected × 100,
    from the stated ``reported_pct_of_plan`` when there is no plan figure.
    One row per (area, indicator, period) with a cumulative value or a stated % of plan,
    in that order.
    """
    return frame(attainment_records(data, catalog, area=area, indicator=indicator,
                                    quarter=quarter, lang=lang), ATTAINMENT_COLUMNS)


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
