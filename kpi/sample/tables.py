"""The sample's indicator tables: wide CSVs as offices keep them, with mapping files.

Two shapes, both wide (one column per quarter, ``Quý I/2021`` ..) with a unit column
``Đơn vị tính`` and numbers as Vietnamese text (``4.884.100.000``), UTF-8 with BOM as
Excel saves a CSV:

- per area, ``tables/<area>_chi-tieu-chu-yeu.csv``: rows are indicators (revenue, public
  investment, roads, drains, trees, hedges); the mapping names the area;
- for the district, ``tables/cam-xuyen-district_tiem-vac-xin-covid.csv``: rows are the
  areas (COVID-19 doses given), then a ``Cộng`` row; the mapping gives each row its area
  and skips the total.

The mapping files follow :mod:`kpi.tables.mapping`. Cells of the town's 2022Q1 are
blank: that quarter belongs to the real seed report.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import yaml

from kpi.core.periods import quarter_label
from kpi.numbers.vietnamese import parse_number
from kpi.sample.series import QUARTERS, SEED_AREA, SEED_PERIOD, Series
from kpi.sample.text import digits

#: (label, unit text, indicator, factor from the stated unit to the base unit)
AREA_ROWS: Final = (
    ("Tổng thu ngân sách", "đồng", "budget_revenue", 1),
    ("Vốn đầu tư xây dựng cơ bản", "triệu đồng", "public_investment", 1_000_000),
    ("Đường giao thông làm mới", "m", "roads_built_m", 1),
    ("Rãnh thoát nước làm mới", "m", "drains_built_m", 1),
    # unit left blank, as offices often do; "cây" would be the word
    ("Cây xanh trồng mới", "", "trees_planted", 1),
    ("Hàng rào xanh trồng mới", "m", "green_fence_m", 1),
)
TABLE_DQ: Final = ("cam-thach-commune", "2021Q3", "budget_revenue")  # a ×10 slip in a cell
DISTRICT_TABLE: Final = "tables/cam-xuyen-district_tiem-vac-xin-covid.csv"
TOTAL_LABEL: Final = "Cộng"


@dataclass(frozen=True)
class Row:
    """One table row: its label and unit text, and the area and indicator it holds."""

    label: str
    unit_text: str
    area: str
    indicator: str
    factor: float = 1


def _cell(series: Series, row: Row, period: str) -> tuple[str, float | None, str]:
    """(cell text, value read from it or None, note) for one row and quarter."""
    if (row.area, period) == (SEED_AREA, SEED_PERIOD):
        return "", None, ""  # that quarter belongs to the real report
    i = QUARTERS.index(period)
    value = series.q(row.indicator, i)
    if row.indicator.startswith("covid_doses") and value == 0 and i == 0:
        return "-", None, ""  # before the campaign: not applicable
    note = ""
    if (row.area, period, row.indicator) == TABLE_DQ:
        value, note = value * 10, "dq: ×10 slip; the report states one tenth of it"
    return digits(value / row.factor), float(value), note


def _wide(name: str, first: str, rows: Sequence[tuple[Row, Series]], quarters: Sequence[str],
          units: dict[str, str], total: bool = False) -> tuple[bytes, list[dict[str, object]]]:
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\n")
    out.writerow([first, "Đơn vị tính", *map(quarter_label, quarters)])
    truth: list[dict[str, object]] = []
    column: dict[str, list[str]] = {p: [] for p in quarters}
    for r_no, (row, series) in enumerate(rows, start=2):
        texts = []
        for period in quarters:
            text, value, note = _cell(series, row, period)
            texts.append(text)
            column[period].append(text)
            if value is None:
                continue
            truth.append({"source": name,
                          "locator": f'row {r_no}, column "{quarter_label(period)}"',
                          "area": row.area, "period": period, "span": "quarter", "month": "",
                          "as_of": "", "indicator": row.indicator, "measure": "value",
                          "value": value, "unit": units.get(row.indicator, ""),
                          "qualifier": "exact", "text": text, "note": note})
        out.writerow([row.label, row.unit_text, *texts])
    if total:
        out.writerow([TOTAL_LABEL, rows[0][0].unit_text, *map(_total, column.values())])
    return buf.getvalue().encode("utf-8-sig"), truth


def _total(cells: list[str]) -> str:
    """A total row's cell: blank if a cell is blank, "-" if none has a number."""
    if "" in cells:
        return ""
    numbers = [parse_number(c) for c in cells if c != "-"]
    return digits(sum(numbers)) if numbers else "-"


def _mapping(comment: str, doc: dict[str, object]) -> bytes:
    return (f"# {comment}\n" + yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)).encode()


def area_table(series: Series, quarters: Sequence[str],
               units: dict[str, str]) -> tuple[dict[str, bytes], list[dict[str, object]]]:
    """The area's table and mapping file (path → bytes) and the truth rows of its cells."""
    area = series.area
    name = f"tables/{area.slug}_chi-tieu-chu-yeu.csv"
    rows = [(Row(label, unit, area.slug, code, factor), series)
            for label, unit, code, factor in AREA_ROWS]
    data, truth = _wide(name, "Chỉ tiêu", rows, quarters, units)
    mapping = _mapping(f"Một số chỉ tiêu chủ yếu của {area.full_name} theo quý (synthetic sample "
                       "data): the area, and row labels → indicator codes.",
                       {"area": area.slug, "rows": {r.label: r.indicator for r, _ in rows}})
    return {name: data, name.removesuffix(".csv") + ".mapping.yaml": mapping}, truth


def district_table(all_series: Sequence[Series], quarters: Sequence[str],
                   units: dict[str, str]) -> tuple[dict[str, bytes], list[dict[str, object]]]:
    """COVID-19 doses per area and quarter, as the district health centre tabulates them."""
    rows = [(Row(s.area.full_name[0].upper() + s.area.full_name[1:], "mũi", s.area.slug,
                 "covid_doses_total"), s) for s in all_series]
    data, truth = _wide(DISTRICT_TABLE, "Địa phương", rows, quarters, units, total=True)
    doc: dict[str, object] = {"rows": {r.label: {"indicator": r.indicator, "area": r.area}
                                       for r, _ in rows}}
    doc["rows"][TOTAL_LABEL] = "skip"  # type: ignore[index]
    mapping = _mapping("Số mũi tiêm vắc xin Covid-19 theo địa phương, huyện Cẩm Xuyên (synthetic "
                       "sample data): each row's area; the total row is not read.", doc)
    return {DISTRICT_TABLE: data, DISTRICT_TABLE.removesuffix(".csv") + ".mapping.yaml": mapping}, \
        truth
