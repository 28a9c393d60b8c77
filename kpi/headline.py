"""The headline table of a domain notebook: one row per indicator, raw and display.

The same row feeds the table, the sentences of :mod:`kpi.narrate` and the charts, so the
numbers a reader sees agree everywhere.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

import pandas as pd

from kpi import labels
from kpi.catalog import Catalog, Indicator
from kpi.compare import attainment, qoq, values, yoy
from kpi.quarterly import Quarterly, ensure_quarterly

RAW_COLUMNS: Final = (
    "indicator", "name", "unit", "period", "span", "month", "as_of", "value", "qualifier",
    "method", "derived", "previous", "qoq_pct", "year_ago", "yoy_pct", "yoy_reported_pct",
    "cumulative", "plan", "pct_of_plan", "pct_of_plan_reported", "pct_of_pace", "synthetic",
    "flags", "notes",
)

HEADINGS: Final[dict[str, tuple[str, ...]]] = {
    "vi": ("Chỉ tiêu", "Giá trị", "So với quý trước", "So với cùng kỳ",
           "So với cùng kỳ (báo cáo)", "% kế hoạch năm", "% tiến độ", "Ghi chú"),
    "en": ("Indicator", "Value", "QoQ", "YoY", "YoY (reported)", "% of annual plan",
           "% of pace", "Notes"),
}

_WORDS: Final = {
    "sample": ("dữ liệu mẫu", "sample data"),
    "derived": ("số suy ra", "derived"),
    "partial": ("không có số liệu cả quý", "no figure for the whole quarter"),
    "none": ("không có số liệu quý này", "no data for this quarter"),
}


@dataclass(frozen=True, eq=False)
class Headline:
    """``raw``: numbers (columns :data:`RAW_COLUMNS`); ``display``: the same rows as
    Vietnamese-formatted strings (or English) under :data:`HEADINGS`. Shows as ``display``
    in a notebook."""

    raw: pd.DataFrame
    display: pd.DataFrame

    def _repr_html_(self) -> str:
        return self.display.to_html(index=False, escape=True)


def _word(key: str, lang: str) -> str:
    return _WORDS[key][1 if lang == "en" else 0]


def _nan(x: object) -> bool:
    return x is None or x is pd.NA or (isinstance(x, float) and math.isnan(x))


def _one(frame: pd.DataFrame, code: str) -> dict:
    hit = frame[frame["indicator"] == code]
    return hit.iloc[0].to_dict() if len(hit) else {}


def _partial(q: Quarterly, area: str, period: pd.Period, code: str) -> dict:
    """A flow's figure for part of the quarter (latest month, or a to_date total)."""
    t = q.table
    hit = t[(t["area"] == area) & (t["period"] == period) & (t["indicator"] == code)
            & (t["measure"] == "value") & t["span"].isin(["to_date", "month"])]
    if hit.empty:
        return {}
    hit = hit.assign(_o=hit["span"].map({"to_date": 0, "month": 1}))
    return hit.sort_values(["_o", "month"], ascending=[True, False]).iloc[0].to_dict()


def _row(ind: Indicator, q: Quarterly, catalog: Catalog, period: pd.Period, area: str,
         tables: dict[str, pd.DataFrame], lang: str) -> dict | None:
    cur = _one(tables["values"], ind.code)
    partial = {} if cur else _partial(q, area, period, ind.code)
    ch, yr, att = (_one(tables[k], ind.code) for k in ("qoq", "yoy", "attainment"))
    recent = tables["recent"]
    if not cur and not partial and not att and ind.code not in set(recent["indicator"]):
        return None
    shown = cur or partial
    qualifier = shown.get("qualifier", "exact")
    flags = [labels.QUALIFIER_WORDS[qualifier][1 if lang == "en" else 0]] if (
        qualifier in labels.QUALIFIER_WORDS) else []
    synthetic = bool(shown.get("synthetic", False) or ch.get("synthetic", False)
                     or yr.get("synthetic", False) or att.get("synthetic", False))
    if synthetic:
        flags.append(_word("sample", lang))
    notes = []
    if shown.get("derived"):
        notes.append(f"{_word('derived', lang)}: {labels.method_label(shown['method'], lang)}")
    if partial:
        cell = labels.cell_label(period, partial["span"], lang, month=_int(partial["month"]),
                                 as_of=partial["as_of"])
        notes.append(f"{cell}; {_word('partial', lang)}")
    elif not cur:
        notes.append(_word("none", lang))
    notes += [n for n in (ch.get("note"), yr.get("note")) if n and cur]
    return {
        "indicator": ind.code,
        "name": ind.name(lang),
        "unit": ind.unit,
        "period": period,
        "span": shown.get("span", "quarter"),
        "month": shown.get("month", pd.NA),
        "as_of": shown.get("as_of", ""),
        "value": shown.get("value", math.nan),
        "qualifier": qualifier,
        "method": shown.get("method", ""),
        "derived": bool(shown.get("derived", False)),
        "previous": ch.get("previous", math.nan),
        "qoq_pct": ch.get("pct_change", math.nan),
        "year_ago": yr.get("previous", math.nan),
        "yoy_pct": yr.get("pct_change", math.nan),
        "yoy_reported_pct": yr.get("reported_pct", math.nan),
        "cumulative": att.get("cumulative", math.nan),
        "plan": att.get("plan", math.nan),
        "pct_of_plan": att.get("pct_of_plan", math.nan),
        "pct_of_plan_reported": att.get("reported_pct_of_plan", math.nan),
        "pct_of_pace": att.get("pct_of_pace", math.nan),
        "synthetic": synthetic,
        "flags": "; ".join(flags),
        "notes": "; ".join(dict.fromkeys(notes)),
    }


def _int(x: object) -> int | None:
    return None if _nan(x) else int(x)  # type: ignore[call-overload]


def headline_raw(data: pd.DataFrame | Quarterly, catalog: Catalog, area: str,
                 quarter: str | pd.Period, domain: str, lang: str = "vi") -> pd.DataFrame:
    """The raw headline rows (see :func:`headline`)."""
    q = ensure_quarterly(data, catalog)
    period = pd.Period(quarter, freq="Q-DEC")
    recent = values(q, catalog, area=area)
    recent = recent[(recent["period"] >= period - 4) & (recent["period"] <= period)]
    tables = {
        "values": values(q, catalog, area=area, quarter=period),
        "qoq": qoq(q, catalog, area=area, quarter=period, lang=lang),
        "yoy": yoy(q, catalog, area=area, quarter=period, lang=lang),
        "attainment": attainment(q, catalog, area=area, quarter=period, lang=lang),
        "recent": recent,
    }
    rows = [r for ind in catalog.in_domain(domain)
            if (r := _row(ind, q, catalog, period, area, tables, lang)) is not None]
    frame = pd.DataFrame(rows, columns=list(RAW_COLUMNS))
    frame["month"] = frame["month"].astype("Int64")
    for col in ("value", "previous", "qoq_pct", "year_ago", "yoy_pct", "yoy_reported_pct",
                "cumulative", "plan", "pct_of_plan", "pct_of_plan_reported", "pct_of_pace"):
        frame[col] = frame[col].astype("float64")
    return frame


def display(raw: pd.DataFrame, lang: str = "vi") -> pd.DataFrame:
    """Headline rows as display strings (Vietnamese number format unless ``lang="en"``)."""
    heads = HEADINGS["en" if lang == "en" else "vi"]
    rows = []
    for r in raw.to_dict("records"):
        value = labels.format_value(r["value"], r["unit"], lang)
        pct_plan = r["pct_of_plan"] if not _nan(r["pct_of_plan"]) else r["pct_of_plan_reported"]
        # the qualifier word is already in front of the value; other flags go to the notes
        said = labels.QUALIFIER_WORDS.get(r["qualifier"], ("", ""))[1 if lang == "en" else 0]
        flags = [f for f in r["flags"].split("; ") if f and f != said]
        notes = "; ".join([*flags, r["notes"]] if r["notes"] else flags)
        rows.append((
            r["name"],
            labels.qualified(value, r["qualifier"], lang) if value != "—" else value,
            labels.format_change(r["qoq_pct"], lang),
            labels.format_change(r["yoy_pct"], lang),
            labels.format_change(r["yoy_reported_pct"], lang),
            labels.format_pct(pct_plan, lang),
            labels.format_pct(r["pct_of_pace"], lang),
            notes,
        ))
    return pd.DataFrame(rows, columns=list(heads))


def headline(data: pd.DataFrame | Quarterly, catalog: Catalog, area: str,
             quarter: str | pd.Period, domain: str, lang: str = "vi") -> Headline:
    """The headline table of ``domain`` for ``area`` in ``quarter``.

    One row per catalogue indicator of the domain (catalogue order) that has a value this
    quarter, a partial figure (a month or a to-date total: shown, with a note), a plan
    figure, or a value in the four quarters before (shown as "no data", so a gap is
    visible). Columns of ``raw``: :data:`RAW_COLUMNS`: value and qualifier, QoQ % and
    YoY % recomputed (NaN on a gap, with the note), YoY % as reported, year-to-date,
    plan, % of plan (computed and reported), % of pace, ``flags`` (gần / hơn / ước and
    "dữ liệu mẫu" when any input is sample data) and ``notes``.
    """
    raw = headline_raw(data, catalog, area, quarter, domain, lang)
    return Headline(raw, display(raw, lang))
