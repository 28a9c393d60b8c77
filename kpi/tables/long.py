"""Tables with one record per row (``reader: long`` in the mapping file).

The mapping's ``long:`` section names the columns::

    long:
      area: vietnam                    # a slug, or {column: prov} (names → slugs)
      period: {column: year, span: year}
      #   span year     → a year (period = its Q4);
      #   span to_date  → dates; with at: quarter_end, the last row on or before each
      #                   quarter end (as_of = its date), for quarters the file covers
      #   other spans   → period labels read by kpi.core.periods.parse_span
      measure: plan                    # default value
      qualifier: exact
      unit: Triệu đồng                 # default unit of the value columns
      columns:                         # column → indicator, or {indicator, unit, measure}
        total.rev: budget_revenue
      derive:                          # quarterly flows from cumulative (to_date) columns
        - {column: total_vaccinations, indicator: covid_doses_total, kind: quarter_difference}

Rows are numbered by record from 1 (the header is row 1): locator ``row 5, column "x"``.
A derived flow is the difference of two quarter-end values; its evidence names both rows,
and a series whose first value is 0 also gives its first quarter (from that zero row).
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from decimal import Decimal

import pandas as pd

from kpi.core.catalog import Catalog
from kpi.core.periods import Span, parse_span
from kpi.errors import NumberParseError, PeriodError, TableError
from kpi.tables.areas import AREA_NAMES, area_slug
from kpi.tables.cells import read_cell
from kpi.tables.grid import Grid
from kpi.tables.mapping import SheetSpec
from kpi.tables.result import Collector, RejectedCell
from kpi.tables.units import Unit, parse_unit

_SPANS = ("quarter", "month", "ytd", "year", "to_date")


@dataclass(frozen=True)
class ValueColumn:
    """A configured value column: its index and name, indicator, unit and measure."""

    col: int
    name: str
    indicator: str
    unit: Unit | None
    measure: str


@dataclass(frozen=True)
class Point:
    """One read cell of a value column: where it is, its date (to_date) and value."""

    r: int
    text: str
    value: Decimal
    span: Span


def _fail(msg: str, grid: Grid, text: object = None) -> TableError:
    return TableError(f"long table: {msg}", text=None if text is None else str(text),
                      where=grid.source)


def _header(grid: Grid) -> dict[str, int]:
    names = {c: cell.text for c, cell in grid.row_cells(0)}
    grid.column_names.update(names)
    return {name: c for c, name in names.items()}


def _column(cols: dict[str, int], name: object, grid: Grid) -> int:
    if not isinstance(name, str) or name not in cols:
        raise _fail(f"no column {name!r} (columns: {sorted(cols)})", grid, name)
    return cols[name]


def _unit(text: object, grid: Grid) -> Unit | None:
    if text is None:
        return None
    unit = parse_unit(str(text), strict=False)
    if unit is None:
        raise _fail("not a unit", grid, text)
    return unit


def _value_columns(conf: dict, cols: dict[str, int], grid: Grid, catalog: Catalog,
                   unit: Unit | None, measure: str) -> list[ValueColumn]:
    out = []
    for name, target in (conf.get("columns") or {}).items():
        spec = {"indicator": target} if isinstance(target, str) else dict(target or {})
        code = spec.get("indicator")
        if code not in catalog:
            raise _fail(f"column {name!r}: unknown indicator code", grid, code)
        out.append(ValueColumn(_column(cols, name, grid), name, code,
                               _unit(spec["unit"], grid) if "unit" in spec else unit,
                               spec.get("measure", measure)))
    if not out:
        raise _fail("'columns' must name at least one value column", grid)
    return out


def _span(text: str, kind: str, grid: Grid, r: int) -> Span:
    """The span of one period cell (a year, an ISO date, or a period label)."""
    if kind == "year":
        if not text.strip().isdigit():
            raise PeriodError("not a year", text=text, where=grid.where(r))
        return Span("year", pd.Period(year=int(text), quarter=4, freq="Q-DEC"), None, 12)
    if kind == "to_date":
        try:
            day = dt.date.fromisoformat(text.strip())
        except ValueError:
            return parse_span(text)
        return Span("to_date", pd.Period(day, freq="Q-DEC"), None, 0, day)
    return parse_span(text)


def read_long(grid: Grid, conf: dict, spec: SheetSpec, out: Collector, catalog: Catalog) -> None:
    """Read a record-per-row table into ``out`` (see the module docstring)."""
    if grid.n_rows == 0:
        out.note(f"{grid.source}: empty table")
        return
    cols = _header(grid)
    period = conf.get("period")
    if not isinstance(period, dict) or "column" not in period:
        raise _fail("'period' must be {column: ..., span: ...}", grid, period)
    kind = period.get("span", "quarter")
    if kind not in _SPANS:
        raise _fail(f"period span must be one of {_SPANS}", grid, kind)
    pcol = _column(cols, period["column"], grid)
    area_conf = conf.get("area", spec.area or "vietnam")
    acol = _column(cols, area_conf["column"], grid) if isinstance(area_conf, dict) else None
    values = _value_columns(conf, cols, grid, catalog, _unit(conf.get("unit"), grid) or spec.unit,
                            conf.get("measure", spec.measure or "value"))
    qualifier = conf.get("qualifier", "exact")
    decimal = str(conf.get("decimal", spec.decimal))

    points: dict[tuple[str, int], list[Point]] = {}
    spans: dict[str, Span] = {}  # many rows share a period
    for r in range(1, grid.n_rows):
        if all(cell.empty for cell in grid.rows[r]):
            continue
        area = area_conf if acol is None else area_slug(grid.cell(r, acol).text)
        if area is None:
            out.reject(RejectedCell(grid.source, grid.locator(r, acol),
                                    grid.cell(r, acol).text, "not a known province or area",
                                    None, r + 1, grid.column_names.get(acol, "")))
            continue
        text = grid.cell(r, pcol).text
        try:
            span = spans[text] if text in spans else spans.setdefault(
                text, _span(text, kind, grid, r))
        except PeriodError as exc:
            out.reject(RejectedCell(grid.source, grid.locator(r, pcol), grid.cell(r, pcol).text,
                                    f"not a period ({exc.reason})", None, r + 1,
                                    grid.column_names.get(pcol, "")))
            continue
        out.areas.setdefault(area, AREA_NAMES.get(area, grid.cell(r, acol).text
                                                  if acol is not None else ""))
        for vc in values:
            cell = grid.cell(r, vc.col)
            try:
                reading = read_cell(cell.value, decimal=decimal, where=grid.where(r, vc.col))
            except NumberParseError as exc:
                out.reject(RejectedCell(grid.source, grid.locator(r, vc.col), cell.text,
                                        f"not a number where a number belongs ({exc.reason})",
                                        None, r + 1, vc.name))
                continue
            if reading is not None:
                points.setdefault((area, vc.col), []).append(Point(r, cell.text,
                                                                   reading.value, span))
    quarter_end = kind == "to_date" and period.get("at") == "quarter_end"
    keys = (pcol,) if acol is None else (acol, pcol)
    for vc in values:
        for (area, col), pts in sorted(points.items()):
            if col != vc.col:
                continue
            chosen = _quarter_ends(pts, grid) if quarter_end else pts
            for p in chosen:
                out.rows.append(_row(grid, vc, area, p, qualifier, catalog, keys))
    for item in conf.get("derive") or []:
        _derive(item, cols, values, points, grid, out, catalog, quarter_end)
    out.check_duplicates(grid.source)


def _quarter_ends(pts: list[Point], grid: Grid) -> list[Point]:
    """Per quarter the file covers to its end, the last point on or before the quarter end
    (as_of = that point's date)."""
    dated = sorted((p for p in pts if p.span.as_of), key=lambda p: (p.span.as_of, p.r))
    if not dated:
        return []
    last_day = max(p.span.as_of for p in dated)  # type: ignore[type-var]
    q, chosen = dated[0].span.period, []
    while (end := q.end_time.date()) <= last_day:
        before = [p for p in dated if p.span.as_of <= end]  # type: ignore[operator]
        if before:
            p = before[-1]
            chosen.append(Point(p.r, p.text, p.value, Span("to_date", q, None, 0, p.span.as_of)))
        q += 1
    return chosen


def _scaled(value: Decimal, vc: ValueColumn, catalog: Catalog, grid: Grid) -> tuple[float, str]:
    wanted = catalog[vc.indicator].unit
    if vc.measure not in ("value", "plan"):
        return float(value), "percent"
    if vc.unit is None:
        if wanted in ("VND", "USD"):
            raise _fail(f"no unit for money column {vc.name!r}: add 'unit:'", grid)
        return float(value), wanted
    if vc.unit.base != wanted:
        raise _fail(f"column {vc.name!r} is in {vc.unit.base!r}, indicator {vc.indicator!r} "
                    f"in {wanted!r}", grid)
    return float(value * vc.unit.factor), wanted


def _row(grid: Grid, vc: ValueColumn, area: str, p: Point, qualifier: str,
         catalog: Catalog, keys: tuple[int, ...]) -> dict:
    value, unit = _scaled(p.value, vc, catalog, grid)
    span = p.span
    return {
        "area": area, "period": span.period, "span": span.span,
        "month": span.month if span.span == "month" else None,
        "as_of": span.as_of.isoformat() if span.as_of else "", "indicator": vc.indicator,
        "measure": vc.measure, "value": value, "unit": unit, "qualifier": qualifier,
        "subject": vc.name, "source": grid.source, "locator": grid.locator(p.r, vc.col),
        "evidence": _evidence(grid, p, vc, keys),
    }


def _evidence(grid: Grid, p: Point, vc: ValueColumn, keys: tuple[int, ...]) -> str:
    key = ", ".join(grid.cell(p.r, c).text for c in keys if not grid.cell(p.r, c).empty)
    unit = f" ({vc.unit.text})" if vc.unit and vc.unit.text else ""
    return f"{key}: {vc.name} = {p.text}{unit}"


def _derive(item: object, cols: dict[str, int], values: list[ValueColumn],
            points: dict[tuple[str, int], list[Point]], grid: Grid, out: Collector,
            catalog: Catalog, quarter_end: bool) -> None:
    if not isinstance(item, dict) or item.get("kind") != "quarter_difference":
        raise _fail("derive entries need kind: quarter_difference", grid, item)
    if not quarter_end:
        raise _fail("quarter_difference needs period at: quarter_end", grid)
    col = _column(cols, item.get("column"), grid)
    code = item.get("indicator")
    if code not in catalog:
        raise _fail("derive: unknown indicator code", grid, code)
    name = grid.column_names.get(col, "")
    unit = next((v.unit for v in values if v.col == col), None)
    vc = ValueColumn(col, name, code, unit, "value")
    for (area, c), pts in sorted(points.items()):
        if c != col:
            continue
        ends = _quarter_ends(pts, grid)
        first = min(pts, key=lambda p: (p.span.as_of or dt.date.max, p.r))
        pairs = list(itertools.pairwise(ends))
        if ends and first.value == 0 and first.r != ends[0].r:
            pairs.insert(0, (first, ends[0]))
        for prev, cur in pairs:
            diff, unit = _scaled(cur.value - prev.value, vc, catalog, grid)
            out.rows.append({
                "area": area, "period": cur.span.period, "span": "quarter",
                "indicator": code, "measure": "value", "value": diff, "unit": unit,
                "qualifier": "exact", "subject": f"{name} (chênh lệch cuối quý)",
                "source": grid.source, "derived": True,
                "locator": f'rows {prev.r + 1}, {cur.r + 1}, column "{name}"',
                "evidence": f"{name} {cur.text} ({cur.span.as_of}, row {cur.r + 1}) − "
                            f"{prev.text} ({prev.span.as_of}, row {prev.r + 1})",
            })
