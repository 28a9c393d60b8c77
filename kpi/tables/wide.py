"""The general table reader: a grid (CSV or sheet) → observation rows.

Works on any table of the statistical-office genre: title, unit cell, multi-row merged
headers naming kind and period per value column, rows of indicators (or of areas, or of
periods) with hierarchy. Each value cell becomes one observation:

- period, span, month from the column header (or from a row label that is a period);
- measure and qualifier from the header's kind (:mod:`kpi.tables.kinds`); a column with
  no stated qualifier that reports on an estimated figure (the % of "Ước tính quý II",
  "Cộng dồn 6 tháng" including an estimated month) is an ``estimate`` too;
- area from a row or column that names one, else the mapping's, else ``vietnam``;
- indicator from the mapping's ``rows`` (matched on the row's label path), else
  ``unclassified`` with the label path as ``subject``;
- value scaled exactly to the catalogue unit, the unit coming from (first found) the
  mapping row, the row's unit column, the column header "(Tỷ đồng)", a unit row above,
  the table's unit cell, the mapping. Percent measures are kept in percent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Final

from kpi.core.catalog import UNCLASSIFIED, Catalog
from kpi.core.periods import Span, parse_span
from kpi.core.text import one_line
from kpi.errors import NumberParseError, PeriodError, TableError
from kpi.tables.areas import AREA_NAMES, COUNTRY, area_slug
from kpi.tables.cells import is_no_value, looks_numeric, read_cell
from kpi.tables.grid import Grid
from kpi.tables.kinds import PERIOD_WORDS, YEAR, Kind, header_kind
from kpi.tables.layout import Layout, detect_layout
from kpi.tables.mapping import SheetSpec
from kpi.tables.result import Collector, RejectedCell
from kpi.tables.rows import BodyRow, walk_rows
from kpi.tables.structure import structure_rules
from kpi.tables.units import PERCENT, Unit, parse_unit

#: Units of measure (not counts): a generic counter ("cái") never stands for them.
MEASURED: Final = frozenset({"VND", "USD", "percent", "ha", "m", "km", "m2", "m3", "tonne",
                             "kg", "litre"})
_PARENS: Final = re.compile(r"\(([^()]*)\)")
_SUB_YEAR: Final = re.compile(r"quý|quí|tháng|kỳ\s*gốc|gốc", re.IGNORECASE)
_MARKERS: Final = re.compile(r"^\s*(chia\s*ra|trong\s*đó|trong\s*số\s*đó)\s*:?|(?<=\s)(chia\s*ra|"
                             r"trong\s*đó)\s*:?", re.IGNORECASE)


@dataclass(frozen=True)
class Column:
    """What a value column's header says: kind, span, a breakdown ``label`` left over
    ("Thành thị", "Lượng"), an ``area`` it names, a ``unit`` in parentheses, and ``skip``
    (why it is not read)."""

    col: int
    header: str
    kind: Kind
    span: Span | None = None
    label: str = ""
    area: str | None = None
    unit: Unit | None = None
    skip: str = ""
    qualifier: str | None = None


def read_column(col: int, header: str, year: int | None) -> Column:
    """Classify one value column from its combined header text."""
    kind = header_kind(header)
    rest, unit = kind.rest, None
    for m in _PARENS.finditer(rest):
        found = parse_unit(m.group(1))
        if found is not None:
            unit = found
    rest = one_line(_PARENS.sub(lambda m: " " if parse_unit(m.group(1)) else m.group(0), rest))
    span = None
    if rest:
        try:
            span = parse_span(rest, default_year=year)
        except PeriodError:
            span = None
    label = _MARKERS.sub(" ", PERIOD_WORDS.sub(" ", rest) if span else rest)
    label = one_line(label)
    if span is not None and kind.ytd and span.span in ("month", "quarter"):
        months = span.month if span.span == "month" else span.period.quarter * 3
        span = Span("ytd", span.period, None, int(months or 0))
    skip = kind.skip
    if kind.ref and span is not None and not _year_earlier(span, kind.ref):
        skip = f"an index against {kind.ref!r}, not the same period a year earlier"
    return Column(col, header, kind, span, label, area_slug(label) if label else None, unit,
                  skip, kind.qualifier)


def _year_earlier(span: Span, ref: str) -> bool:
    """True when ``ref`` names the same span one year before ``span``."""
    try:
        other = parse_span(ref)
    except PeriodError:
        years = [int(y) for y in YEAR.findall(ref)]
        return years == [span.period.year - 1] and not _SUB_YEAR.search(ref)
    return (other.span, other.month, other.months) == (span.span, span.month, span.months) \
        and other.period == span.period - 4


def _inherit_estimates(columns: dict[int, Column]) -> dict[int, Column]:
    """A column with no qualifier of its own is an estimate when it reports on (or
    cumulates) an estimated value column of the same table."""
    estimated = [c for c in columns.values() if c.qualifier == "estimate" and c.span]
    out = {}
    for i, c in columns.items():
        if c.qualifier is None and c.span is not None:
            for e in estimated:
                same = e.span.period == c.span.period and e.span.span == c.span.span \
                    and e.span.month == c.span.month
                inside = c.span.span == "ytd" and e.span.span in ("month", "quarter") and \
                    e.span.period.year == c.span.period.year and e.span.period <= c.span.period
                if (same and c.kind.measure != "value") or inside:
                    c = replace(c, qualifier="estimate")
                    break
        out[i] = c
    return out


def _column_ids(grid: Grid) -> dict[int, str]:
    from openpyxl.utils import get_column_letter

    return {c: get_column_letter(c + 1) for c in range(grid.n_cols)}


def _skipped(grid: Grid, spec: SheetSpec, layout_headers: dict[int, str] | None) -> frozenset[int]:
    letters = _column_ids(grid)
    wanted = {s.casefold() for s in spec.skip_columns}
    out = {c for c, letter in letters.items() if letter.casefold() in wanted}
    if layout_headers:
        out |= {c for c, h in layout_headers.items() if h.casefold() in wanted}
    return frozenset(out)


def read_grid(grid: Grid, spec: SheetSpec, out: Collector, catalog: Catalog) -> None:
    """Read one grid into ``out`` (observations, rejected cells, rules, notes)."""
    skip = _skipped(grid, spec, None)
    layout = detect_layout(grid, first_row=spec.first_row, header_rows=spec.header_rows,
                           skip_cols=skip)
    if layout is None:
        out.note(f"{grid.where(0)}: no data rows")
        return
    if grid.sheet is None:
        grid.column_names.update({c: h for c, h in layout.headers.items() if h})
        extra = _skipped(grid, spec, layout.headers) - skip
        if extra:
            layout = detect_layout(grid, first_row=spec.first_row,
                                   header_rows=spec.header_rows, skip_cols=skip | extra)
            assert layout is not None
    block_end = _block_end(grid, layout)
    if block_end is not None:  # a second table block with its own header follows
        read_grid(grid.tail(block_end), replace(spec, first_row=None, header_rows=None),
                  out, catalog)
        layout.end_row = block_end
    year = spec.year or layout.year
    columns = _inherit_estimates({c: read_column(c, layout.headers.get(c, ""), year)
                                  for c in layout.value_cols})
    notes: list[str] = []
    rows = walk_rows(grid, layout, year=year, notes=notes)
    for n in notes:
        out.note(n)
    default_span = _spec_span(spec, year, grid)
    decided: dict[int, str] = {}
    for row in rows:
        if not row.values:
            continue
        indicator, rule = _indicator(row, spec)
        if indicator is None:
            continue
        for c in row.values:
            col = columns[c]
            found = _cell(grid, layout, spec, out, catalog, row, col, indicator, rule, c,
                          default_span)
            if found is None:
                continue
            if isinstance(found, str):
                decided.setdefault(c, found)
                continue
            out.rows.append(found)
            area = found["area"]
            out.areas.setdefault(area, AREA_NAMES.get(area, ""))
    top = layout.header_rows[0] if layout.header_rows else layout.first_row
    for c, reason in decided.items():
        out.note(f"{grid.where(top, c)}: column {layout.headers.get(c, '')!r} not read: "
                 f"{reason}")
    out.check_duplicates(grid.source, f"{grid.sheet}!" if grid.sheet is not None else "")
    out.rules.extend(structure_rules(rows, lambda r: _indicator(r, spec)[0], grid))


def _block_end(grid: Grid, layout: Layout) -> int | None:
    """Where the first block ends when a row of header text (two or more text cells over
    the value columns, no number) comes after data rows: the row after the last data row
    before it. None when the table is one block."""
    last_data = None
    for r in range(layout.first_row, layout.end_row):
        cells = [grid.cell(r, c) for c in layout.value_cols]
        own = [x for x in cells if not x.empty and not x.copy]
        if any(looks_numeric(x) for x in own):
            last_data = r
        elif len(own) >= 2 and last_data is not None and all(
                isinstance(x.value, str) and not is_no_value(x.value) for x in own):
            return last_data + 1
    return None


def _spec_span(spec: SheetSpec, year: int | None, grid: Grid) -> Span | None:
    if not spec.period:
        return None
    try:
        return parse_span(spec.period, default_year=year)
    except PeriodError as exc:
        raise TableError("mapping: 'period' is not a period", text=spec.period,
                         where=grid.source) from exc


def _indicator(row: BodyRow, spec: SheetSpec) -> tuple[str | None, object]:
    """The indicator of a row (None: skip it) and the mapping rule that named it."""
    rule = spec.rule_for(row.keys)
    if rule is not None:
        return rule.indicator, rule
    if (row.area or row.span) and spec.indicator:
        return spec.indicator, None
    return (UNCLASSIFIED if spec.unmapped != "skip" else None), None


def _cell(grid: Grid, layout: Layout, spec: SheetSpec, out: Collector, catalog: Catalog,
          row: BodyRow, col: Column, indicator: str, rule: object, c: int,
          default_span: Span | None) -> dict | str | None:
    """One observation dict, a reason string (column not read) or None (no value)."""
    if col.skip:
        return col.skip
    span = col.span or row.span or default_span
    if span is None:
        return f"no period in the header {col.header!r}"
    cell = grid.cell(row.r, c)
    where = f"{grid.source} {grid.locator(row.r, c)}"
    try:
        reading = read_cell(cell.value, decimal=spec.decimal, where=where)
    except NumberParseError as exc:
        out.reject(RejectedCell(grid.source, grid.locator(row.r, c), cell.text,
                                f"not a number where a number belongs ({exc.reason})",
                                grid.sheet, row.r + 1, _column_ids(grid)[c]
                                if grid.sheet is not None else layout.headers.get(c, "")))
        return None
    if reading is None:
        return None
    rule_measure = getattr(rule, "measure", None)
    measure = rule_measure or (col.kind.measure if col.kind.measure != "value" else None) \
        or (row.kind.measure if row.kind and row.kind.measure != "value" else None)
    unit = getattr(rule, "unit", None) or row.unit or row.label_unit or col.unit \
        or row.section_unit or layout.unit or spec.unit
    if measure is None and unit is not None and unit.share:
        measure = "share_pct"
    measure = measure or spec.measure or "value"
    qualifier = col.qualifier or (row.kind.qualifier if row.kind else None) or "exact"
    if row.kind and row.kind.ytd and span.span in ("month", "quarter"):
        span = Span("ytd", span.period, None, span.month or span.period.quarter * 3)
    value, base = _scale(reading, measure, unit, indicator, catalog, where)
    month = span.month if span.span == "month" else (
        span.months if span.span == "ytd" and span.months % 3 else None)
    area = getattr(rule, "area", None) or row.area or col.area or spec.area or COUNTRY
    subject = " > ".join((*row.subject_path, col.label) if col.label else row.subject_path)
    header = f" — {col.header}" if col.header else ""
    return {
        "area": area, "period": span.period, "span": span.span, "month": month,
        "as_of": span.as_of.isoformat() if span.as_of else "", "indicator": indicator,
        "measure": measure, "value": value, "unit": base, "qualifier": qualifier,
        "subject": subject, "source": grid.source, "locator": grid.locator(row.r, c),
        "evidence": f"{one_line(row.text)}{header}: {cell.text}",
    }


def _scale(reading, measure: str, unit: Unit | None, indicator: str, catalog: Catalog,
           where: str) -> tuple[float, str]:
    """The value in the contract's unit for ``indicator``; TableError on a unit clash."""
    percent = measure != "value" and measure != "plan"
    if percent:
        unit = PERCENT
    if reading.self_scaled or unit is None:
        value, base = reading.value, (unit.base if unit and not reading.self_scaled else "")
    else:
        value, base = reading.value * unit.factor, unit.base
    if reading.percent and not percent:
        base = "percent"
    wanted = catalog[indicator].unit if indicator in catalog else None
    if wanted is not None and not percent:
        if not base:
            if wanted in ("VND", "USD"):
                raise TableError(f"no unit stated for the money indicator {indicator!r}: "
                                 "add 'unit:' to the mapping", where=where)
            base = wanted
        elif base == "piece" and wanted not in MEASURED:
            base = wanted  # "cái", "chiếc": the generic counter counts houses, boats ...
        elif base != wanted:
            raise TableError(f"the table's unit {base!r} is not the unit {wanted!r} of "
                             f"indicator {indicator!r}", where=where)
    return float(Decimal(value)), base
