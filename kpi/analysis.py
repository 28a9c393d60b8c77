"""Analyses over the observation table: the one import a notebook needs.

Every function is pure: it takes the observation table (or a :class:`Quarterly` already
computed from it, to avoid recomputing) and the catalogue, and returns a new object. ::

    q = analysis.quarterly(observations, catalog)       # table, findings = q
    analysis.headline(q, catalog, area, quarter, "revenue")           # .raw / .display
    analysis.narrate(q, catalog, area, quarter, "revenue")            # sentences
    analysis.domain_findings(q, catalog, area, quarter, "revenue")    # data quality
    analysis.sources(q, catalog, area, quarter, "revenue")            # provenance

The pieces live in :mod:`kpi.quarterly` (series), :mod:`kpi.compare` (QoQ, YoY, YTD,
plan, ranking), :mod:`kpi.consistency` (rules), :mod:`kpi.headline`, :mod:`kpi.narrate`
and :mod:`kpi.provenance`.
"""

from __future__ import annotations

from typing import Final

import pandas as pd

from kpi import labels
from kpi.agreement import FINDING_COLUMNS, findings_frame
from kpi.catalog import Catalog
from kpi.compare import attainment, qoq, rank_areas, values, yoy, ytd
from kpi.consistency import consistency
from kpi.headline import Headline, headline
from kpi.narrate import Narrative, narrate
from kpi.provenance import sources
from kpi.quarterly import Quarterly, ensure_quarterly, quarterly

__all__ = [
    "FINDING_COLUMNS",
    "Headline",
    "Narrative",
    "Quarterly",
    "attainment",
    "consistency",
    "domain_findings",
    "headline",
    "narrate",
    "qoq",
    "quarterly",
    "rank_areas",
    "sources",
    "values",
    "yoy",
    "ytd",
]

FINDINGS_SHOWN: Final = ("kind", "period", "indicator", "name", "detail", "source", "locator",
                         "values")


def domain_findings(data: pd.DataFrame | Quarterly, catalog: Catalog, area: str,
                    quarter: str | pd.Period, domain: str | None = None, *,
                    lang: str = "vi") -> pd.DataFrame:
    """Data-quality findings behind a domain notebook for ``area`` in ``quarter``.

    * ``conflict``: figures that disagree, for the quarter, the previous quarter and the
      same quarter a year before (the ones a reader compares);
    * ``rule``: catalogue consistency rules broken in the quarter (rules whose total is in
      the domain);
    * ``unclassified``: how many figures of the quarter are not assigned to any indicator
      (not domain-specific: the same count in every domain).

    ``domain=None`` covers all domains. ``detail`` is in ``lang``. Columns
    :data:`FINDINGS_SHOWN`.
    """
    q = ensure_quarterly(data, catalog)
    period = pd.Period(quarter, freq="Q-DEC")
    codes = {i.code for i in (catalog.in_domain(domain) if domain else catalog)}
    f = q.findings
    conflicts = f[(f["area"] == area) & f["indicator"].isin(codes)
                  & f["period"].isin([str(p) for p in (period, period - 1, period - 4)])]
    rules = consistency(q.observations, catalog, area=area, quarter=period)
    rules = rules[rules["indicator"].isin(codes)]
    obs = q.observations
    loose = obs[(obs["area"] == area) & (obs["period"] == period)
                & ~obs["indicator"].isin(list(catalog.indicators))]
    extra = []
    if len(loose):
        label = labels.quarter_label(period, lang)
        n = len(loose)
        extra.append({
            "severity": "info",
            "kind": "unclassified",
            "area": area,
            "period": str(period),
            "source": " | ".join(dict.fromkeys(loose["source"])),
            "detail": f"{n} số liệu {labels.in_sentence(label)} chưa gán chỉ tiêu nào",
            "detail_en": (f"{n} figure of {label} is not assigned to any indicator" if n == 1
                          else f"{n} figures of {label} are not assigned to any indicator"),
            "values": (float(n),),
        })
    found = pd.concat([conflicts, rules, findings_frame(extra)], ignore_index=True)
    found = found.assign(
        name=[catalog[c].name(lang) if c in catalog else "" for c in found["indicator"]],
        detail=found["detail_en"] if lang == "en" else found["detail"])
    return found.reindex(columns=list(FINDINGS_SHOWN)).reset_index(drop=True)
