"""Where every number of a notebook comes from: the observation rows behind it."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Final

import pandas as pd

from kpi.analysis.area_index import area_records
from kpi.analysis.series import Quarterly, ensure_quarterly
from kpi.core import labels
from kpi.core.catalog import Catalog

COLUMNS: Final = (
    "indicator", "name", "period", "span", "measure", "value", "value_text", "qualifier",
    "source", "locator", "evidence", "derived", "synthetic",
)


def sources(data: pd.DataFrame | Quarterly, catalog: Catalog, area: str,
            quarter: str | pd.Period, domain: str | None = None, *,
            indicators: list[str] | None = None, lang: str = "vi",
            charted: Sequence[str] = (), window: int = 1) -> pd.DataFrame:
    """The provenance table: one row per observation behind a number shown for ``area`` in
    ``quarter``, for the indicators of ``domain`` (or ``indicators``; all when both are
    None): the quarter values compared (the quarter, the previous quarter and the same
    quarter a year before), the year to date, the year plan the attainment uses (the
    latest stated for the year, as :func:`kpi.analysis.comparisons.attainment` picks it) and the
    percentages the report states for the quarter itself — and, for the ``charted``
    indicators, every quarter value of the ``window`` quarters to ``quarter`` (the trend
    charts). Nothing else: a later quarter's stated percentages are not shown, so not
    listed.

    Columns :data:`COLUMNS`, newest period first, then catalogue order.
    """
    q = ensure_quarterly(data, catalog)
    period = pd.Period(quarter, freq="Q-DEC")
    codes = [i.code for i in (catalog.in_domain(domain) if domain else catalog)]
    if indicators is not None:
        codes = [c for c in codes if c in set(indicators)] if domain else list(indicators)
    shown = {period, period - 1, period - 4}
    drawn = {period - k for k in range(window)}
    wanted, charted_set = set(codes), set(charted) & set(codes)
    used, plans = [], {}
    for r in area_records(q, area, "table"):
        code, p, measure = r["indicator"], r["period"], r["measure"]
        if code not in wanted:
            continue
        if measure == "value" and r["span"] == "quarter":
            if p in shown or (code in charted_set and p in drawn):
                used.append(r["inputs"])
        elif measure == "plan":
            if r["span"] == "year" and p.qyear == period.qyear and (
                    code not in plans or p >= plans[code]["period"]):
                plans[code] = r
        elif p == period:
            used.append(r["inputs"])
    used += [r["inputs"] for r in plans.values()]
    used += [r["inputs"] for r in area_records(q, area, "cumulative")
             if r["indicator"] in wanted and r["period"] == period]
    rows = sorted({i for inputs in used for i in inputs})
    obs = q.observations.iloc[rows]
    # newest period first, then catalogue order, measure and span (a stable sort: ties
    # keep row order); an input of another indicator (a rate's parts) goes last
    order = {code: n for n, code in enumerate(codes)}
    keys = [(-p.ordinal, order.get(code, math.inf), m, s) for code, p, m, s in zip(
        obs["indicator"].tolist(), obs["period"].tolist(), obs["measure"].tolist(),
        obs["span"].tolist(), strict=True)]
    ranked = sorted(range(len(keys)), key=keys.__getitem__)
    if ranked != list(range(len(keys))):
        obs = obs.iloc[ranked]
    return pd.DataFrame({
        "indicator": obs["indicator"].to_numpy(),
        "name": [catalog[code].name(lang) for code in obs["indicator"]],
        "period": obs["period"].array,
        "span": obs["span"].to_numpy(),
        "measure": obs["measure"].to_numpy(),
        "value": obs["value"].to_numpy(),
        "value_text": [
            labels.qualified(labels.format_value(v, u if m in ("value", "plan") else "percent",
                                                 lang, short=False), qual, lang)
            for v, u, m, qual in zip(obs["value"], [catalog[x].unit for x in obs["indicator"]],
                                     obs["measure"], obs["qualifier"], strict=True)],
        "qualifier": obs["qualifier"].to_numpy(),
        "source": obs["source"].to_numpy(),
        "locator": obs["locator"].to_numpy(),
        "evidence": obs["evidence"].to_numpy(),
        "derived": obs["derived"].to_numpy(),
        "synthetic": obs["synthetic"].to_numpy(),
    }, columns=list(COLUMNS))
