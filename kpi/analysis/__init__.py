"""Analyses over the observation table: the one import a notebook needs.

Every function is pure: it takes the observation table (or a :class:`Quarterly` already
computed from it, to avoid recomputing) and the catalogue, and returns a new object. The
catalogue is ``kpi.catalogue()`` (:func:`kpi.core.catalog.load_catalog`), the table
``kpi.core.store.read_observations("data/processed")``. Most analysts want the public functions
of :mod:`kpi` instead (``kpi.observations``, ``kpi.series``, ``kpi.ranking``), which take
areas by name and raise for an unknown area; these take slugs and return empty frames for
an area or indicator without rows. ::

    q = analysis.quarterly(observations, catalog)       # table, findings = q
    analysis.headline(q, catalog, area, quarter, "revenue")           # .raw / .display
    analysis.narrate(q, catalog, area, quarter, "revenue")            # sentences
    analysis.domain_findings(q, catalog, area, quarter, "revenue")    # data quality
    analysis.sources(q, catalog, area, quarter, "revenue")            # provenance

A caller showing several domains of one area computes what they share once and passes it
on: ``inputs=headline_inputs(q, catalog, area, quarter, lang)`` to :func:`headline` /
:func:`headline_raw`, ``found=area_findings(q, catalog, area, quarter)`` to
:func:`domain_findings`. One area's rows are read through :mod:`kpi.analysis.area_index`, not by
filtering the whole table.

The pieces live in :mod:`kpi.analysis.series` (series), :mod:`kpi.analysis.comparisons`
(QoQ, YoY, YTD, plan, ranking), :mod:`kpi.analysis.rules` (consistency rules),
:mod:`kpi.analysis.headlines`, :mod:`kpi.analysis.narration` and
:mod:`kpi.analysis.provenance`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import pandas as pd

from kpi.analysis.area_index import area_observations, for_area
from kpi.analysis.comparisons import (
    attainment,
    qoq,
    rank_areas,
    targets,
    values,
    values_records,
    yoy,
    ytd,
)
from kpi.analysis.headlines import Headline, HeadlineInputs, headline, headline_inputs, headline_raw
from kpi.analysis.narration import Narrative, narrate
from kpi.analysis.provenance import sources
from kpi.analysis.rules import broken_rules, consistency
from kpi.analysis.series import Quarterly, ensure_quarterly, quarterly
from kpi.core import findings, labels
from kpi.core.catalog import Catalog
from kpi.core.findings import COLUMNS as FINDING_COLUMNS
from kpi.errors import KpiError

__all__ = [
    "FINDING_COLUMNS",
    "AreaFindings",
    "Headline",
    "HeadlineInputs",
    "Narrative",
    "Quarterly",
    "area_findings",
    "attainment",
    "consistency",
    "domain_findings",
    "headline",
    "headline_inputs",
    "headline_raw",
    "narrate",
    "qoq",
    "quarterly",
    "rank_areas",
    "sources",
    "targets",
    "values",
    "values_records",
    "yoy",
    "ytd",
]

FINDINGS_SHOWN: Final = ("kind", "period", "indicator", "name", "detail", "source", "locator",
                         "values")


@dataclass(frozen=True, eq=False)
class AreaFindings:
    """The findings of one area and quarter before they are narrowed to a domain (see
    :func:`domain_findings`): ``conflicts`` of the quarter, the previous quarter and the
    same quarter a year before; broken ``rules`` of the quarter; ``loose``, the quarter's
    observations assigned to no indicator. Build it with :func:`area_findings`."""

    area: str
    period: pd.Period
    conflicts: pd.DataFrame
    rules: pd.DataFrame
    loose: pd.DataFrame
    #: the quarter's observations whose value no area of its level could report
    #: (:mod:`kpi.core.bounds`), with a ``why`` column
    implausible: pd.DataFrame | None = None

    def count(self, catalog: Catalog, domain: str | None = None) -> int:
        """How many rows :func:`domain_findings` gives for ``domain`` (None: all), without
        building them."""
        codes = _codes(catalog, domain)
        odd = self.implausible if self.implausible is not None else self.loose.iloc[:0]
        return (sum(c in codes for c in self.conflicts["indicator"].tolist())
                + sum(c in codes for c in self.rules["indicator"].tolist())
                + sum(c in codes for c in odd["indicator"].tolist())
                + (1 if len(self.loose) else 0))


def _codes(catalog: Catalog, domain: str | None) -> set[str]:
    return {i.code for i in (catalog.in_domain(domain) if domain else catalog)}


def area_findings(data: pd.DataFrame | Quarterly, catalog: Catalog, area: str,
                  quarter: str | pd.Period) -> AreaFindings:
    """Every domain's findings of ``area`` in ``quarter`` at once; pass the result to
    :func:`domain_findings` for each domain."""
    q = ensure_quarterly(data, catalog)
    period = pd.Period(quarter, freq="Q-DEC")
    f = for_area(q, area).findings
    obs = area_observations(q, area)
    obs = obs[obs["period"] == period]
    return AreaFindings(
        area, period,
        conflicts=f[f["period"].isin([str(p) for p in (period, period - 1, period - 4)])],
        # q.observations is conformed already: consistency() without conforming again
        rules=broken_rules(obs[obs["measure"] == "value"], catalog),
        loose=obs[~obs["indicator"].isin(list(catalog.indicators))],
        implausible=_implausible(obs, catalog),
    )


def _implausible(obs: pd.DataFrame, catalog: Catalog) -> pd.DataFrame:
    from kpi.core.bounds import problems

    why = problems(obs, catalog)
    return obs[why != ""].assign(why=why[why != ""])


def domain_findings(data: pd.DataFrame | Quarterly, catalog: Catalog, area: str,
                    quarter: str | pd.Period, domain: str | None = None, *,
                    lang: str = "vi", found: AreaFindings | None = None) -> pd.DataFrame:
    """Data-quality findings behind a domain notebook for ``area`` in ``quarter``.

    * ``conflict``: figures that disagree, for the quarter, the previous quarter and the
      same quarter a year before (the ones a reader compares);
    * ``rule``: catalogue consistency rules broken in the quarter (rules whose total is in
      the domain);
    * ``unclassified``: how many figures of the quarter are not assigned to any indicator
      (not domain-specific: the same count in every domain).

    ``domain=None`` covers all domains. ``detail`` is in ``lang``. Columns
    :data:`FINDINGS_SHOWN`. ``found``: the same area and quarter's :func:`area_findings`
    when the caller already has them.
    """
    period = pd.Period(quarter, freq="Q-DEC")
    if found is None:
        found = area_findings(data, catalog, area, period)
    elif (found.area, found.period) != (area, period):
        raise KpiError("findings are for another area or quarter",
                       text=f"{found.area} {found.period}", where="kpi.analysis.domain_findings")
    codes = _codes(catalog, domain)
    conflicts = found.conflicts[found.conflicts["indicator"].isin(codes)]
    rules = found.rules[found.rules["indicator"].isin(codes)]
    loose = found.loose
    extra = []
    odd = found.implausible if found.implausible is not None else loose.iloc[:0]
    for row in odd[odd["indicator"].isin(codes)].itertuples(index=False):
        extra.append({
            "severity": "warning",
            "kind": "implausible",
            "area": area,
            "period": str(row.period),
            "indicator": row.indicator,
            "source": row.source,
            "locator": row.locator,
            "detail": f"cần kiểm tra: {row.why}",
            "detail_en": f"to be checked: {row.why}",
            "values": (float(row.value),),
        })
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
    found_all = pd.concat([conflicts, rules, findings.table(extra)], ignore_index=True)
    found_all = found_all.assign(
        name=[catalog[c].name(lang) if c in catalog else "" for c in found_all["indicator"]],
        detail=found_all["detail_en"] if lang == "en" else found_all["detail"])
    return found_all.reindex(columns=list(FINDINGS_SHOWN)).reset_index(drop=True)
