"""Quarterly series from whatever spans the reports state.

:func:`quarterly` turns the observation table into one value per (area, indicator,
measure, quarter), following the catalogue's aggregation type:

* **flow** (sum over time): the quarter figure as reported; else the sum of its three
  months (only when all three exist); else a year-to-date difference (Q1 = the 3-month
  figure, Q2 = 6 months − Q1, Q3 = 9 months − 6 months, Q4 = year − 9 months, where the
  earlier cumulative is reported or the sum of the earlier quarters).
* **stock** (a level): the last value in the quarter: ``to_date`` rows with the latest
  ``as_of``; else the quarter figure; else the latest month; else a ytd/year figure.
* **rate**: recomputed as numerator / denominator (× 100 for percent) from the quarterly
  values of its catalogue parts when both exist; else read like a stock.

Other measures (``plan``, ``pct_of_plan``, ``pct_change_yoy`` ...) pass through as stated,
one per (area, indicator, measure, quarter, span). Flow figures that are not quarters
(single months, ``to_date`` running totals) also pass through with their span, so a
reader can still show them, labelled; only ``span == "quarter"`` rows are quarter values.

Values computed by arithmetic (sums, differences, ratios) have ``derived=True``; every
output row keeps the row positions of its inputs (``inputs``) and their joined
``source`` / ``locator`` / ``evidence``. The qualifier follows
:func:`kpi.analysis.qualifiers.combine`; ``synthetic`` is true when any input is.

**Disagreements are findings, not silent picks.** When figures for one cell disagree
beyond rounding (:mod:`kpi.analysis.agreement`), one is used and a ``conflict`` finding lists them
all. Which one: the first method in the order above (a stated quarter figure before one
computed from months, before a ytd difference); within a method, real data before sample
data, then exact before ước before gần/hơn/dưới, then a figure read (not derived upstream),
then the later report (the source whose latest period is later: revisions supersede),
then source name and locator for a stable result.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Final

import pandas as pd

from kpi.analysis.agreement import agree, findings_frame
from kpi.analysis.qualifiers import PREFERENCE, combine
from kpi.core import labels, schema
from kpi.core.catalog import Catalog, Indicator

#: How a quarterly value was obtained.
METHODS: Final = (
    "reported",  # a row of the asked span, as stated
    "ytd_q1",  # Q1 read from a 3-month cumulative figure
    "sum_of_months",
    "ytd_difference",
    "sum_of_quarters",  # cumulative = sum of the year's quarter values
    "last_as_of",  # stock: latest to_date figure
    "last_month",  # stock: latest monthly figure
    "ytd_level",  # stock: the cumulative-span figure read as a level
    "parts",  # rate: numerator / denominator
)

TABLE_COLUMNS: Final = (
    "area", "period", "indicator", "measure", "span", "month", "as_of", "value", "unit",
    "qualifier", "method", "derived", "synthetic", "source", "locator", "evidence", "inputs",
)


@dataclass(frozen=True, eq=False)
class Quarterly:
    """Result of :func:`quarterly`; unpacks as ``table, findings``.

    ``table``: quarter values (``span == "quarter"``, ``measure == "value"``) plus the
    pass-through rows described in the module docstring. ``cumulative``: year-to-date
    values per quarter (flows: reported or summed; stocks: the level; rates: from parts).
    ``findings``: conflicts (columns :data:`kpi.analysis.agreement.FINDING_COLUMNS`).
    ``observations``: the conformed input, whose row positions ``inputs`` refer to.
    """

    table: pd.DataFrame
    cumulative: pd.DataFrame
    findings: pd.DataFrame
    observations: pd.DataFrame

    def __iter__(self) -> Iterator[pd.DataFrame]:
        return iter((self.table, self.findings))


@dataclass(frozen=True)
class _Figure:
    value: float
    qualifier: str
    rows: tuple[int, ...]
    method: str = "reported"
    synthetic: bool = False
    derived: bool = False
    rank: tuple = field(default=(), compare=False)


@dataclass(frozen=True)
class _Cell:
    area: str
    period: pd.Period
    indicator: Indicator
    measure: str = "value"
    span: str = "quarter"
    month: int | None = None
    as_of: str = ""

    @property
    def unit(self) -> str:
        return self.indicator.unit if self.measure in ("value", "plan") else "percent"


def quarterly(observations: pd.DataFrame, catalog: Catalog) -> Quarterly:
    """Quarterly series, cumulative series and conflict findings (see module docstring).

    Rows whose indicator is not in ``catalog`` (including ``unclassified``) are skipped.
    The input is not modified.
    """
    return _Builder(schema.conform(observations), catalog).run()


def ensure_quarterly(data: pd.DataFrame | Quarterly, catalog: Catalog) -> Quarterly:
    """``data`` itself when it is already a :class:`Quarterly`, else ``quarterly(data)``."""
    return data if isinstance(data, Quarterly) else quarterly(data, catalog)


@lru_cache(maxsize=4096)
def _quarter(year: int, q: int) -> pd.Period:
    return pd.Period(year=year, quarter=q, freq="Q-DEC")


def preference(obs: pd.DataFrame) -> pd.Series:
    """Each row's place in the preference order of the module docstring (0 = preferred),
    among all rows: compare only rows of one cell. ``obs`` must be a conformed table."""
    if obs.empty:
        return pd.Series([], dtype="int64", index=obs.index)
    recency = obs.groupby("source")["period"].transform("max").map(lambda p: -p.ordinal)
    keys = pd.DataFrame({
        "synthetic": obs["synthetic"].astype(bool),
        "qualifier": obs["qualifier"].map(PREFERENCE).fillna(len(PREFERENCE)),
        "derived": obs["derived"].astype(bool),
        "recency": recency,
        "source": obs["source"],
        "locator": obs["locator"],
        "row": range(len(obs)),
    }, index=obs.index)
    order = keys.sort_values(list(keys.columns), kind="mergesort").index
    return pd.Series(range(len(obs)), index=order).reindex(obs.index)


def join_text(items: Sequence[str]) -> str:
    """Distinct non-empty strings joined with " | ", first-seen order."""
    return " | ".join(dict.fromkeys(i for i in items if i))


class _Builder:
    def __init__(self, obs: pd.DataFrame, catalog: Catalog):
        self.obs = obs
        self.catalog = catalog
        names = list(obs.columns)  # plain lists: much faster than to_dict("records")
        self.rec = [dict(zip(names, vals, strict=True))
                    for vals in zip(*(obs[c].tolist() for c in names), strict=True)]
        self.rank = preference(obs).tolist()
        self.quarter: dict[tuple[str, str, pd.Period], _Figure] = {}
        self.cumulative: dict[tuple[str, str, pd.Period], _Figure] = {}
        self.passthrough: list[dict] = []
        self.findings: list[dict] = []

    # -- figures ---------------------------------------------------------------------
    def _figure(self, i: int) -> _Figure:
        r = self.rec[i]
        return _Figure(float(r["value"]), r["qualifier"], (i,), "reported",
                       bool(r["synthetic"]), bool(r["derived"]), (self.rank[i],))

    def _compute(self, figures: Sequence[_Figure], signs: Sequence[int], value: float,
                 method: str) -> _Figure:
        rows = tuple(i for f in figures for i in f.rows)
        return _Figure(value, combine([f.qualifier for f in figures], signs), rows, method,
                       any(f.synthetic for f in figures), True)

    def _relabel(self, fig: _Figure, method: str) -> _Figure:
        return _Figure(fig.value, fig.qualifier, fig.rows, method, fig.synthetic, fig.derived,
                       fig.rank)

    def _choose(self, cell: _Cell, tiers: Sequence[Sequence[_Figure]]) -> _Figure | None:
        """The preferred figure of the first non-empty tier; a finding if any disagree."""
        first = next((t for t in tiers if t), None)
        if first is None:
            return None
        chosen = min(first, key=lambda f: f.rank)
        others = [f for t in tiers for f in t
                  if f is not chosen and not agree(f.value, f.qualifier, chosen.value,
                                                   chosen.qualifier)]
        if others:
            self._conflict(cell, chosen, others)
        return chosen

    def _pick(self, cell: _Cell, rows: Sequence[int]) -> _Figure | None:
        return self._choose(cell, [[self._figure(i) for i in rows]])

    # -- findings --------------------------------------------------------------------
    def _where(self, fig: _Figure, lang: str) -> str:
        places = "; ".join(
            dict.fromkeys(f"{self.rec[i]['source']} {self.rec[i]['locator']}".strip()
                          for i in fig.rows))
        if fig.method == "reported":
            return places
        return f"{labels.method_label(fig.method, lang)}: {places}"

    def _conflict(self, cell: _Cell, chosen: _Figure, others: list[_Figure]) -> None:
        figures = [chosen, *others]
        rows = [i for f in figures for i in f.rows]
        texts = {}
        for lang in ("vi", "en"):
            def show(f: _Figure, lang: str = lang) -> str:
                amount = labels.qualified(labels.format_value(f.value, cell.unit, lang),
                                          f.qualifier, lang)
                return f"{amount} ({self._where(f, lang)})"
            where = labels.cell_label(cell.period, cell.span, lang, month=cell.month,
                                      as_of=cell.as_of, measure=cell.measure)
            listed = ", ".join(show(f) for f in figures)
            if lang == "vi":
                texts[lang] = (f"{cell.indicator.name('vi')}, {where}: các số liệu không khớp: "
                               f"{listed}. Dùng {show(chosen)}.")
            else:
                texts[lang] = (f"{cell.indicator.name('en')}, {where}: figures disagree: "
                               f"{listed}. Using {show(chosen)}.")
        self.findings.append({
            "severity": "warning",
            "kind": "conflict",
            "source": join_text([self.rec[i]["source"] for i in rows]),
            "locator": join_text([self.rec[i]["locator"] for i in rows]),
            "area": cell.area,
            "period": str(cell.period),
            "indicator": cell.indicator.code,
            "detail": texts["vi"],
            "detail_en": texts["en"],
            "values": tuple(f.value for f in figures),
        })

    # -- the pass ----------------------------------------------------------------------
    def run(self) -> Quarterly:
        values: dict[tuple[str, str], list[int]] = defaultdict(list)
        others: dict[tuple, list[int]] = defaultdict(list)
        for i, r in enumerate(self.rec):
            if r["indicator"] not in self.catalog:
                continue
            if r["measure"] == "value":
                values[(r["area"], r["indicator"])].append(i)
            else:
                others[(r["area"], r["indicator"], r["measure"], r["period"], r["span"])].append(i)
        for (area, code), rows in values.items():
            ind = self.catalog[code]
            if ind.aggregation == "flow":
                self._flow(area, ind, rows)
            else:
                self._level(area, ind, rows)
        self._rates()
        for (area, code, measure, period, span), rows in others.items():
            self._stated(_Cell(area, period, self.catalog[code], measure, span), rows)
        return Quarterly(self._frame(), self._frame(cumulative=True),
                         findings_frame(self.findings), self.obs)

    def _spans(self, rows: list[int]) -> dict[tuple, list[int]]:
        """Rows keyed by (span, period[, month]); months keyed by the quarter they fall in,
        year figures by the year's fourth quarter (the quarter the span ends in)."""
        by: dict[tuple, list[int]] = defaultdict(list)
        for i in rows:
            r = self.rec[i]
            span, period = r["span"], r["period"]
            if span == "month":
                m = int(r["month"])
                by[("month", _quarter(period.qyear, (m - 1) // 3 + 1), m)].append(i)
            elif span in ("ytd", "year"):
                if span == "year":
                    period = _quarter(period.qyear, 4)
                by[("ytd", period)].append(i)
            else:
                by[(span, period)].append(i)
        return by

    def _latest(self, rows: list[int], key: str) -> list[int]:
        """The rows sharing the greatest ``key`` (as_of or month)."""
        if not rows:
            return []
        top = max(self.rec[i][key] for i in rows)
        return [i for i in rows if self.rec[i][key] == top]

    def _flow(self, area: str, ind: Indicator, rows: list[int]) -> None:
        by = self._spans(rows)
        months: dict[tuple[pd.Period, int], _Figure | None] = {}
        for key, idx in by.items():
            if key[0] == "month":
                cell = _Cell(area, key[1], ind, span="month", month=key[2])
                months[(key[1], key[2])] = fig = self._pick(cell, idx)
                self._pass(cell, fig)
            elif key[0] == "to_date":
                latest = self._latest(idx, "as_of")
                cell = _Cell(area, key[1], ind, span="to_date", as_of=self.rec[latest[0]]["as_of"])
                self._pass(cell, self._pick(cell, latest))
        for year in sorted({k[1].qyear for k in by}):
            previous: _Figure | None = None
            for q in range(1, 5):
                period = _quarter(year, q)
                cum_cell = _Cell(area, period, ind, span="ytd")
                stated = self._pick(cum_cell, by.get(("ytd", period), []))
                tiers: list[list[_Figure]] = [[self._figure(i)
                                               for i in by.get(("quarter", period), [])]]
                month_figs = [months.get((period, 3 * (q - 1) + m)) for m in (1, 2, 3)]
                if all(f is not None for f in month_figs):
                    figs = [f for f in month_figs if f is not None]
                    tiers.append([self._compute(figs, [1, 1, 1], sum(f.value for f in figs),
                                                "sum_of_months")])
                if stated is not None and q == 1:
                    tiers.append([self._relabel(stated, "ytd_q1")])
                elif stated is not None and previous is not None:
                    tiers.append([self._compute([stated, previous], [1, -1],
                                                stated.value - previous.value, "ytd_difference")])
                value = self._choose(_Cell(area, period, ind), tiers)
                if value is not None:
                    self.quarter[(area, ind.code, period)] = value
                if stated is not None:
                    cum = stated
                elif value is not None and q == 1:
                    cum = self._relabel(value, value.method)
                elif value is not None and previous is not None:
                    cum = self._compute([previous, value], [1, 1], previous.value + value.value,
                                        "sum_of_quarters")
                else:
                    cum = None
                if cum is not None:
                    self.cumulative[(area, ind.code, period)] = cum
                previous = cum

    def _level(self, area: str, ind: Indicator, rows: list[int]) -> None:
        by = self._spans(rows)
        for period in sorted({k[1] for k in by}):
            monthly = [i for k, idx in by.items() if k[0] == "month" and k[1] == period
                       for i in idx]
            tiers = [
                [self._relabel(self._figure(i), "last_as_of")
                 for i in self._latest(by.get(("to_date", period), []), "as_of")],
                [self._figure(i) for i in by.get(("quarter", period), [])],
                [self._relabel(self._figure(i), "last_month")
                 for i in self._latest(monthly, "month")],
                [self._relabel(self._figure(i), "ytd_level") for i in by.get(("ytd", period), [])],
            ]
            value = self._choose(_Cell(area, period, ind), tiers)
            if value is not None:
                self.quarter[(area, ind.code, period)] = value
                self.cumulative[(area, ind.code, period)] = value

    def _rates(self) -> None:
        for ind in self.catalog:
            if ind.aggregation != "rate" or not ind.parts:
                continue
            num, den = ind.parts["numerator"], ind.parts["denominator"]
            scale = 100.0 if ind.unit == "percent" else 1.0
            for store in (self.quarter, self.cumulative):
                keys = {(a, p) for (a, c, p) in store if c == num}
                for area, period in sorted(keys):
                    top, bottom = store.get((area, num, period)), store.get((area, den, period))
                    if top is None or bottom is None or bottom.value == 0:
                        continue
                    if store is self.cumulative and self._same_parts(area, ind, period):
                        store[(area, ind.code, period)] = self.quarter[(area, ind.code, period)]
                        continue  # levels: the cumulative ratio is the quarter's, checked once
                    ratio = self._compute([top, bottom], [1, -1],
                                          top.value / bottom.value * scale, "parts")
                    own = store.get((area, ind.code, period))
                    tiers = [[ratio], [own] if own is not None else []]
                    span = "quarter" if store is self.quarter else "ytd"
                    chosen = self._choose(_Cell(area, period, ind, span=span), tiers)
                    if chosen is not None:
                        store[(area, ind.code, period)] = chosen

    def _same_parts(self, area: str, ind: Indicator, period: pd.Period) -> bool:
        codes = (ind.parts["numerator"], ind.parts["denominator"])
        return (area, ind.code, period) in self.quarter and all(
            self.cumulative.get((area, c, period)) is self.quarter.get((area, c, period))
            for c in codes)

    def _stated(self, cell: _Cell, rows: list[int]) -> None:
        """A non-value measure (plan, pct_of_plan ...) as stated, latest within its span."""
        if cell.span == "to_date":
            rows = self._latest(rows, "as_of")
            cell = _Cell(cell.area, cell.period, cell.indicator, cell.measure, cell.span,
                         as_of=self.rec[rows[0]]["as_of"])
        elif cell.span == "month":
            rows = self._latest(rows, "month")
            cell = _Cell(cell.area, cell.period, cell.indicator, cell.measure, cell.span,
                         month=int(self.rec[rows[0]]["month"]))
        self._pass(cell, self._pick(cell, rows))

    # -- output ------------------------------------------------------------------------
    def _row(self, cell: _Cell, fig: _Figure) -> dict:
        inputs = [self.rec[i] for i in fig.rows]
        if len(inputs) == 1:
            source, locator, evidence = (inputs[0][k] for k in ("source", "locator", "evidence"))
        else:
            many = len({r["source"] for r in inputs}) > 1
            source = join_text([r["source"] for r in inputs])
            locator = join_text([f"{r['source']}:{r['locator']}" if many and r["locator"]
                                 else r["locator"] for r in inputs])
            evidence = join_text([r["evidence"] for r in inputs])
        return {
            "area": cell.area,
            "period": cell.period,
            "indicator": cell.indicator.code,
            "measure": cell.measure,
            "span": cell.span,
            "month": cell.month if cell.month is not None else pd.NA,
            "as_of": cell.as_of,
            "value": fig.value,
            "unit": cell.unit,
            "qualifier": fig.qualifier,
            "method": fig.method,
            "derived": fig.derived,
            "synthetic": fig.synthetic,
            "source": source,
            "locator": locator,
            "evidence": evidence,
            "inputs": fig.rows,
        }

    def _pass(self, cell: _Cell, fig: _Figure | None) -> None:
        if fig is not None:
            self.passthrough.append(self._row(cell, fig))

    def _frame(self, cumulative: bool = False) -> pd.DataFrame:
        store = self.cumulative if cumulative else self.quarter
        span = "ytd" if cumulative else "quarter"
        rows = [self._row(_Cell(a, p, self.catalog[c], span=span), f)
                for (a, c, p), f in store.items()]
        if not cumulative:
            rows += self.passthrough
        frame = pd.DataFrame(rows, columns=list(TABLE_COLUMNS))
        frame["period"] = pd.Series(pd.PeriodIndex(frame["period"].tolist(), freq="Q-DEC"),
                                    index=frame.index)
        frame["month"] = frame["month"].astype("Int64")
        frame["value"] = frame["value"].astype("float64")
        for col in ("derived", "synthetic"):
            frame[col] = frame[col].astype(bool)
        for col in ("area", "indicator", "measure", "span", "as_of", "unit", "qualifier",
                    "method", "source", "locator", "evidence"):
            frame[col] = frame[col].astype("str")
        frame["inputs"] = frame["inputs"].astype(object)
        return frame.sort_values(["area", "indicator", "measure", "span", "period", "month"],
                                 kind="mergesort", ignore_index=True)
