"""The catalogue's consistency rules, checked on what the reports state.

A rule relates indicators of one area, period and span (and month / as_of): ``sum``
says the total equals the sum of its parts, ``parts_le_total`` that the parts do not
exceed it. Figures are compared as intervals (:mod:`kpi.agreement`): the total ± the
rule's tolerance (relative), an exact part as itself, gần/ước ± 5 %, hơn/dưới as
one-sided bounds; so a "hơn 4.000" total with parts summing to 4.173 is consistent.
With only some parts of a ``sum`` stated, the rule is broken only when those parts
already exceed the total.

When one statement has several figures for an indicator, the preferred one is used
(:func:`kpi.quarterly.preference`); their disagreement is a conflict, reported by
:func:`kpi.quarterly.quarterly`, not here.
"""

from __future__ import annotations

import pandas as pd

from kpi import labels, schema
from kpi.agreement import bounds, findings_frame, overlap
from kpi.catalog import Catalog, Rule
from kpi.quarterly import join_text, preference

_STATEMENT = ["area", "period", "span", "month", "as_of"]


def consistency(observations: pd.DataFrame, catalog: Catalog, *, area: str | None = None,
                quarter: str | pd.Period | None = None) -> pd.DataFrame:
    """One finding (kind ``"rule"``) per rule violation, with the numbers and the rule's
    description, for ``measure == "value"`` rows; optionally for one area / quarter.

    Columns: :data:`kpi.agreement.FINDING_COLUMNS`; ``values`` holds
    (total, part 1, part 2, ...) with NaN for a part not stated.
    """
    obs = schema.conform(observations)
    obs = obs[obs["measure"] == "value"]
    if area is not None:
        obs = obs[obs["area"] == area]
    if quarter is not None:
        obs = obs[obs["period"] == pd.Period(quarter, freq="Q-DEC")]
    obs = obs.assign(_rank=preference(obs)).sort_values("_rank", kind="mergesort")
    best = obs.drop_duplicates([*_STATEMENT, "indicator"])
    best = best.assign(month=best["month"].fillna(0))
    rows = []
    for rule in catalog.rules:
        rows += _check(rule, best, catalog)
    return findings_frame(rows)


def _check(rule: Rule, best: pd.DataFrame, catalog: Catalog) -> list[dict]:
    codes = [rule.total, *rule.parts]
    relevant = best[best["indicator"].isin(codes)]
    found = []
    for key, group in relevant.groupby(_STATEMENT, sort=True):
        figures = {r["indicator"]: r for r in group.to_dict("records")}
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
