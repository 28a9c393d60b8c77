"""The catalogue's consistency rules, checked on what the reports state.

A rule relates indicators of one area, period and span (and month / as_of): ``sum``
says the total equals the sum of its parts, ``parts_le_total`` that the parts do not
exceed it. Figures are compared as intervals (:mod:`kpi.analysis.agreement`): the total ± the
rule's tolerance (relative), an exact part as itself, gần/ước ± 5 %, hơn/dưới as
one-sided bounds; so a "hơn 4.000" total with parts summing to 4.173 is consistent.
With only some parts of a ``sum`` stated, the rule is broken only when those parts
already exceed the total.

When one statement has several figures for an indicator, the preferred one is used
(:func:`kpi.analysis.series.preference`); their disagreement is a conflict, reported by
:func:`kpi.analysis.series.quarterly`, not here.
"""

from __future__ import annotations

from functools import cache

import pandas as pd

from kpi.analysis.agreement import bounds, findings_frame, overlap
from kpi.analysis.records import records
from kpi.analysis.series import join_text, preference
from kpi.core import labels, schema
from kpi.core.catalog import Catalog, Rule

_STATEMENT = ["area", "period", "span", "month", "as_of"]


def consistency(observations: pd.DataFrame, catalog: Catalog, *, area: str | None = None,
                quarter: str | pd.Period | None = None) -> pd.DataFrame:
    """One finding (kind ``"rule"``) per rule violation, with the numbers and the rule's
    description, for ``measure == "value"`` rows; optionally for one area / quarter.

    Columns: :data:`kpi.analysis.agreement.FINDING_COLUMNS`; ``values`` holds
    (total, part 1, part 2, ...) with NaN for a part not stated.
    """
    obs = schema.conform(observations)
    keep = obs["measure"] == "value"
    if area is not None:
        keep &= obs["area"] == area
    if quarter is not None:
        keep &= obs["period"] == pd.Period(quarter, freq="Q-DEC")
    return broken_rules(obs[keep], catalog)


def broken_rules(figures: pd.DataFrame, catalog: Catalog) -> pd.DataFrame:
    """:func:`consistency` of ``figures``: rows of a conformed observation table, already
    narrowed to ``measure == "value"`` (and to an area or quarter, as wanted)."""
    rows = []
    statements = _statements(figures)
    for rule in catalog.rules:
        rows += _check(rule, statements, catalog)
    return findings_table(rows)


@cache
def _no_findings() -> pd.DataFrame:
    return findings_frame([])


def findings_table(rows: list[dict]) -> pd.DataFrame:
    """:func:`kpi.analysis.agreement.findings_frame` of ``rows``; the empty table (the usual case)
    is built once and copied."""
    return findings_frame(rows) if rows else _no_findings().copy()


def _statements(figures: pd.DataFrame) -> dict[tuple, dict[str, dict]]:
    """The preferred figure (:func:`kpi.analysis.series.preference`) of each indicator in each
    statement (key: :data:`_STATEMENT` values, a missing month as 0), in key order."""
    rows = records(figures, [*_STATEMENT, "indicator", "value", "qualifier", "source",
                             "locator"])
    ranked = sorted(range(len(rows)), key=preference(figures).tolist().__getitem__)
    seen: set[tuple] = set()
    by: dict[tuple, dict[str, dict]] = {}
    for i in ranked:
        r = rows[i]
        first = (*(r[c] for c in _STATEMENT), r["indicator"])
        if first in seen:
            continue
        seen.add(first)
        r["month"] = 0 if r["month"] is pd.NA else r["month"]
        by.setdefault(tuple(r[c] for c in _STATEMENT), {})[r["indicator"]] = r
    return dict(sorted(by.items(), key=lambda kv: kv[0]))


def _check(rule: Rule, statements: dict[tuple, dict[str, dict]], catalog: Catalog) -> list[dict]:
    found = []
    for key, figures in statements.items():
        total = figures.get(rule.total)
        parts = [figures[c] for c in rule.parts if c in figures]
        if total is None or not parts:
            continue
        t_lo, t_hi = bounds(total["value"], total["qualifier"], rule.tolerance)
        part_bounds = [bounds(p["value"], p["qualifier"], 0.0) for p in parts]
        s_lo, s_hi = sum(b[0] for b in part_bounds), sum(b[1] for b in part_bounds)
        complete = len(parts) == len(rule.parts)
        if rule.kind == "sum" and complete:
            broken = not overlap((t_lo, t_hi), (s_lo, s_hi))
        else:
            broken = s_lo > t_hi
        if broken:
            found.append(_finding(rule, dict(zip(_STATEMENT, key, strict=True)), total, parts,
                                  catalog))
    return found


def _finding(rule: Rule, where: dict, total: dict, parts: list[dict],
             catalog: Catalog) -> dict:
    unit = catalog[rule.total].unit
    period, month = where["period"], int(where["month"]) or None
    stated = {p["indicator"]: p for p in parts}
    texts = {}
    for lang in ("vi", "en"):
        def amount(row: dict, lang: str = lang) -> str:
            return labels.qualified(labels.format_value(row["value"], unit, lang),
                                    row["qualifier"], lang)
        cell = labels.cell_label(period, where["span"], lang, month=month, as_of=where["as_of"])
        terms = " + ".join(f"{catalog[p['indicator']].name(lang)} {amount(p)}" for p in parts)
        parts_sum = labels.format_value(sum(p["value"] for p in parts), unit, lang)
        described = (rule.description_en or rule.id) if lang == "en" else (
            rule.description_vi or rule.id)
        verb = "not met" if lang == "en" else "không khớp"
        texts[lang] = (f"{described}: {verb} ({cell}): {catalog[rule.total].name(lang)} "
                       f"{amount(total)}; {terms} = {parts_sum}.")
    involved = [total, *parts]
    return {
        "severity": "warning",
        "kind": "rule",
        "rule": rule.id,
        "source": join_text([r["source"] for r in involved]),
        "locator": join_text([r["locator"] for r in involved]),
        "area": where["area"],
        "period": str(period),
        "indicator": rule.total,
        "detail": texts["vi"],
        "detail_en": texts["en"],
        "values": (total["value"], *(stated[c]["value"] if c in stated else float("nan")
                                     for c in rule.parts)),
    }
