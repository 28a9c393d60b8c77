"""The headline table of a domain notebook: one row per indicator, raw and display.

The same row feeds the table, the sentences of :mod:`kpi.analysis.narration` and the charts, so the
numbers a reader sees agree everywhere.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

import pandas as pd

from kpi.analysis.area_index import area_records
from kpi.analysis.comparisons import attainment_records, qoq_records, values_records, yoy_records
from kpi.analysis.records import records
from kpi.analysis.series import Quarterly, ensure_quarterly
from kpi.core import labels
from kpi.core.catalog import Catalog, Indicator
from kpi.errors import KpiError

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


def _first(rows: Iterable[dict]) -> dict[str, dict]:
    """The first row of each indicator, by indicator code."""
    found: dict[str, dict] = {}
    for row in rows:
        found.setdefault(row["indicator"], row)
    return found


@dataclass(frozen=True, eq=False)
class HeadlineInputs:
    """What the headline rows of one area, quarter and language read, for every
    indicator at once (so several domains share one computation): by indicator code, the
    quarter value, its QoQ and YoY comparisons, plan attainment and the partial figure
    (latest to-date total, else latest month) of a flow with no quarter value; and the
    indicators with a quarter value in the four quarters before. Build it with
    :func:`headline_inputs`."""

    area: str
    period: pd.Period
    lang: str
    values: dict[str, dict]
    qoq: dict[str, dict]
    yoy: dict[str, dict]
    attainment: dict[str, dict]
    partial: dict[str, dict]
    recent: frozenset[str]


def _partial_order(row: dict) -> tuple[int, float]:
    """To-date totals first, then months, the latest first."""
    if row["span"] == "to_date":
        return (0, 0.0)
    return (1, math.inf if _nan(row["month"]) else -row["month"])


def headline_inputs(data: pd.DataFrame | Quarterly, catalog: Catalog, area: str,
                    quarter: str | pd.Period, lang: str = "vi") -> HeadlineInputs:
    """The comparisons behind the headline rows of ``area`` in ``quarter`` (see
    :class:`HeadlineInputs`); pass the result to :func:`headline_raw` or
    :func:`headline` for each domain."""
    q = ensure_quarterly(data, catalog)
    period = pd.Period(quarter, freq="Q-DEC")
    now = period.ordinal  # quarters compared by ordinal: cheaper than Period comparisons
    quarters = values_records(q, catalog, area=area)
    parts = [r for r in area_records(q, area, "table") if r["measure"] == "value"
             and r["period"].ordinal == now and r["span"] in ("to_date", "month")]
    return HeadlineInputs(
        area, period, lang,
        values=_first(r for r in quarters if r["period"].ordinal == now),
        qoq=_first(qoq_records(q, catalog, area=area, quarter=period, lang=lang)),
        yoy=_first(yoy_records(q, catalog, area=area, quarter=period, lang=lang)),
        attainment=_first(attainment_records(q, catalog, area=area, quarter=period,
                                             lang=lang)),
        # a stable sort: equal ranks keep the table's order
        partial=_first(sorted(parts, key=_partial_order)),
        recent=frozenset(r["indicator"] for r in quarters
                         if now - 4 <= r["period"].ordinal <= now),
    )


def _row(ind: Indicator, got: HeadlineInputs) -> dict | None:
    code, period, lang = ind.code, got.period, got.lang
    cur = got.values.get(code, {})
    partial = {} if cur else got.partial.get(code, {})
    ch, yr, att = (table.get(code, {}) for table in (got.qoq, got.yoy, got.attainment))
    if not cur and not partial and not att and code not in got.recent:
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
                 quarter: str | pd.Period, domain: str, lang: str = "vi", *,
                 inputs: HeadlineInputs | None = None) -> pd.DataFrame:
    """The raw headline rows (see :func:`headline`). ``inputs``: the same area, quarter
    and language's :func:`headline_inputs` when the caller already has them."""
    period = pd.Period(quarter, freq="Q-DEC")
    if inputs is None:
        inputs = headline_inputs(data, catalog, area, period, lang)
    elif (inputs.area, inputs.period, inputs.lang) != (area, period, lang):
        raise KpiError("headline inputs are for another area, quarter or language",
                       text=f"{inputs.area} {inputs.period} {inputs.lang}",
                       where="kpi.analysis.headlines.headline_raw")
    rows = [r for ind in catalog.in_domain(domain) if (r := _row(ind, inputs)) is not None]
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
    for r in records(raw):
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
             quarter: str | pd.Period, domain: str, lang: str = "vi", *,
             inputs: HeadlineInputs | None = None) -> Headline:
    """The headline table of ``domain`` for ``area`` in ``quarter``.

    One row per catalogue indicator of the domain (catalogue order) that has a value this
    quarter, a partial figure (a month or a to-date total: shown, with a note), a plan
    figure, or a value in the four quarters before (shown as "no data", so a gap is
    visible). Columns of ``raw``: :data:`RAW_COLUMNS`: value and qualifier, QoQ % and
    YoY % recomputed (NaN on a gap, with the note), YoY % as reported, year-to-date,
    plan, % of plan (computed and reported), % of pace, ``flags`` (gần / hơn / ước and
    "dữ liệu mẫu" when any input is sample data) and ``notes``. ``inputs``: see
    :func:`headline_raw`.
    """
    raw = headline_raw(data, catalog, area, quarter, domain, lang, inputs=inputs)
    return Headline(raw, display(raw, lang))
