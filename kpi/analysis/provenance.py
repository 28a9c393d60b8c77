"""Where every number of a notebook comes from: the observation rows behind it."""

from __future__ import annotations

import math
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
            indicators: list[str] | None = None, lang: str = "vi") -> pd.DataFrame:
    """The provenance table: one row per observation behind a number shown for ``area`` in
    ``quarter`` (the quarter, the previous quarter and the same quarter a year before,
    the year to date, and the year's plan and stated percentages), for the indicators of
    ``domain`` (or ``indicators``; all when both are None).

    Columns :data:`COLUMNS`: the row's value and its display text, the file, locator and
    evidence, in catalogue order then period.
    """
    q = ensure_quarterly(data, catalog)
    period = pd.Period(quarter, freq="Q-DEC")
    codes = [i.code for i in (catalog.in_domain(domain) if domain else catalog)]
    if indicators is not None:
        codes = [c for c in codes if c in set(indicators)] if domain else list(indicators)
    shown = {period, period - 1, period - 4}
    wanted = set(codes)
    used = [r["inputs"] for r in area_records(q, area, "table") if r["indicator"] in wanted and (
        r["period"] in shown or (r["measure"] != "value" and r["period"].qyear == period.qyear))]
    used += [r["inputs"] for r in area_records(q, area, "cumulative")
             if r["indicator"] in wanted and r["period"] == period]
    rows = sorted({i for inputs in used for i in inputs})
    obs = q.observations.iloc[rows]
    # catalogue order, then period, measure and span (a stable sort: ties keep row order);
    # an input of another indicator (a rate's parts) goes last
    order = {code: n for n, code in enumerate(codes)}
    keys = [(order.get(code, math.inf), p, m, s) for code, p, m, s in zip(
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
