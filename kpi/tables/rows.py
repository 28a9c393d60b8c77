"""The body of a table: each row's label, place in the hierarchy, area, unit and values.

Hierarchy comes from the label column (column B under A), the Excel indent or leading
spaces, and numbering or bullets (``I.`` > ``1.`` > ``1.1.`` > ``a)`` > ``-`` > ``+``). A
row's ``path`` is its ancestors' labels and its own, so "Số người chết" under "Tai nạn
giao thông" and under "Cháy, nổ" stay apart. Marker rows without values shape the
hierarchy and are not values themselves:

- ``Trong đó:`` — the rows below are parts of the row above it (relation ``of_which``);
- ``Chia ra:``, ``Phân theo ...`` — a breakdown of the row above it (``breakdown``, or
  ``some`` for "Phân theo một số tỉnh": a breakdown that lists only some parts).

A row without a label whose only text is a unit ("Cơ cấu - %", "Nghìn người") sets the
unit of the rows below it. A unit column ("Đơn vị tính", with ``"`` for "same as above")
gives each row its own unit. Labels that name a province, region or the country make the
row an area row; labels that are only a period ("Quý I năm 2022") make it a period row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Final

from kpi.core.periods import Span, parse_span
from kpi.core.text import label_key, one_line
from kpi.errors import PeriodError
from kpi.tables.areas import area_slug
from kpi.tables.cells import is_no_value, looks_numeric
from kpi.tables.grid import Cell, Grid
from kpi.tables.kinds import PERIOD_WORDS, Kind, header_kind
from kpi.tables.layout import Layout, is_ditto
from kpi.tables.units import Unit, parse_unit

_MARKER: Final = re.compile(
    r"^(?P<w>trong\s+số\s+đó|trong\s+đó|chia\s+ra|chia\s+theo|phân\s+theo|phân\s+ra|"
    r"bao\s+gồm|gồm\s+có)(?![^\W\d_])\s*:?\s*", re.IGNORECASE)
_NUMBERING: Final = re.compile(
    r"^(?:(?P<roman>[IVX]{1,4})[.)]\s+|(?P<arabic>\d{1,2}(?:\.\d{1,2})*)[.)]\s+|"
    r"(?P<letter>[a-zđ])\)\s+|(?P<bullet>[-–—•+*])\s*(?=\S))")
_TOTALS: Final = frozenset(label_key(t) for t in (
    "Tổng số", "Tổng cộng", "Tổng", "Cộng", "Toàn quốc", "Cả nước", "Tổng số chung",
    "Tổng cộng chung", "Toàn tỉnh", "Toàn huyện", "Toàn xã", "Total",
))


@dataclass
class BodyRow:
    """One row of the table body (see the module docstring)."""

    r: int
    label: str
    text: str
    level: tuple[int, int, int]
    path: tuple[str, ...] = ()
    parent: BodyRow | None = None
    relation: str = ""
    total: bool = False
    area: str | None = None
    unit: Unit | None = None
    section_unit: Unit | None = None
    label_unit: Unit | None = None
    span: Span | None = None
    kind: Kind | None = None
    values: dict[int, Cell] = field(default_factory=dict)
    marker: str = ""
    flat: bool = False

    @property
    def subject_path(self) -> tuple[str, ...]:
        """The path that names the indicator: without an area or period label."""
        return self.path[:-1] if (self.area or self.span) and self.path else self.path

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(label_key(p) for p in self.subject_path)


def split_numbering(label: str) -> tuple[str, int]:
    """A label without its numbering or bullet, and the depth the numbering gives."""
    m = _NUMBERING.match(label)
    if not m:
        return label, 0
    if m["roman"]:
        rank = 1
    elif m["arabic"]:
        rank = 1 + m["arabic"].count(".") + 1
    elif m["letter"]:
        rank = 5
    else:
        rank = {"+": 7, "*": 8}.get(m["bullet"], 6)
    return label[m.end():].strip(), rank


def marker_of(label: str) -> tuple[str, str] | None:
    """``(relation, rest)`` for "Trong đó: ..." / "Chia ra" / "Phân theo ..." labels."""
    m = _MARKER.match(label)
    if not m:
        return None
    word, rest = label_key(m["w"]), label[m.end():].strip()
    if word.startswith(label_key("trong")):
        return "of_which", rest
    return ("some" if "một số" in rest.casefold() else "breakdown"), rest


def period_of(label: str, year: int | None) -> tuple[Span, Kind] | None:
    """The span a label that is only a period names ("Ước tính 6 tháng năm 2022")."""
    kind = header_kind(label)
    if not kind.rest or PERIOD_WORDS.sub(" ", kind.rest).strip() or kind.skip:
        return None
    try:
        return parse_span(kind.rest, default_year=year), kind
    except PeriodError:
        return None


_TRAILING_PARENS: Final = re.compile(r"\(([^()]{1,30})\)\s*$")


def label_unit(label: str) -> Unit | None:
    """A unit at the end of a label: "Trứng (Triệu quả)", "Diện tích (Nghìn ha)"."""
    m = _TRAILING_PARENS.search(label)
    if not m:
        return None
    unit = parse_unit(m.group(1))
    if unit is None:
        loose = parse_unit(m.group(1), strict=False)
        unit = loose if loose is not None and loose.factor != 1 else None
    return unit


def section_unit(text: str) -> Unit | None:
    """A unit stated on a row of its own: a money, percent or multiplied unit, or one
    introduced by "Đơn vị tính:" (a bare noun such as "Doanh nghiệp" is a label)."""
    unit = parse_unit(text)
    if unit is None:
        return None
    explicit = unit.text.casefold().startswith(("đơn vị", "đvt"))
    return unit if explicit or unit.is_money or unit.base == "percent" or unit.factor != 1 \
        else None


def _unit_row(grid: Grid, r: int) -> Unit | None:
    texts = {cell.text for _, cell in grid.row_cells(r) if not cell.copy}
    return section_unit(texts.pop()) if len(texts) == 1 else None


def walk_rows(grid: Grid, layout: Layout, *, year: int | None = None,
              notes: list[str] | None = None) -> list[BodyRow]:
    """Every labelled (or valued) body row, with hierarchy, area, unit and period.

    ``unit`` is the row's own unit (unit column), ``section_unit`` the one a unit row above
    it set. Known limit: after a "Trong đó:" whose parts are not indented, the parts run
    to the next blank row or total row.
    """
    labelled = []
    # Section labels may sit between the header block and the first data row.
    start = max(layout.header_rows) + 1 if layout.header_rows else layout.first_row
    for r in range(min(start, layout.first_row), layout.end_row):
        if r < layout.first_row and any(
                not grid.cell(r, c).empty and not grid.cell(r, c).copy
                and looks_numeric(grid.cell(r, c)) for c in layout.value_cols):
            continue  # a row of column numbers, not a section
        own = [(c, grid.cell(r, c)) for c in layout.label_cols
               if not grid.cell(r, c).empty and not grid.cell(r, c).copy
               and isinstance(grid.cell(r, c).value, str)]
        labelled.append((r, own[0] if own else None))
    out: list[BodyRow] = []
    stack: list[BodyRow] = []
    current_unit: Unit | None = None
    last_unit: Unit | None = None
    blank_since_marker = False
    for i, (r, found) in enumerate(labelled):
        values = {c: grid.cell(r, c) for c in layout.value_cols
                  if not grid.cell(r, c).empty and not grid.cell(r, c).copy}
        if len(values) >= 2 and not any(looks_numeric(v) or is_no_value(v.value)
                                        for v in values.values()):
            if notes is not None:  # the header of a second table block, repeated
                notes.append(f"{grid.where(r)}: a row of header text inside the table, "
                             "not read")
            blank_since_marker = True
            continue
        if found is None:
            unit = _unit_row(grid, r) if values else None
            if unit is not None:
                current_unit = unit
                continue
            if not values:
                blank_since_marker = True
                continue
            label_cell = next((grid.cell(r, c) for c in layout.label_cols
                               if grid.cell(r, c).copy), None)  # a vertically merged label
            text = label_cell.text if label_cell else ""
            indent, col = (label_cell.indent if label_cell else 0), 0
        else:
            col, label_cell = found
            text, indent = label_cell.text, label_cell.indent
        label, rank = split_numbering(one_line(text))
        level = (layout.label_cols.index(col) if col in layout.label_cols else 0, indent, rank)
        if not values and section_unit(label) is not None:
            current_unit = section_unit(label)
            continue
        row = BodyRow(r, label, text, level, values=values)
        row.unit = _row_unit(grid, r, layout, last_unit)
        row.section_unit = current_unit
        if layout.unit_col is not None and not grid.cell(r, layout.unit_col).empty:
            last_unit = row.unit
        marker = marker_of(label)
        if marker and not values:
            row.marker = marker[0]
            _pop(stack, level, strict=True)
            while stack and stack[-1].marker and stack[-1].level == level:
                stack.pop()  # a marker never anchors the next marker
            anchor = stack[-1] if stack else None
            row.parent = anchor
            row.label_unit = anchor.label_unit if anchor else None
            row.path = (anchor.path if anchor else ()) + \
                ((label,) if row.marker != "of_which" else ())
            nxt = next((lv for _, f in labelled[i + 1:] if f for lv in [_level(f, layout)]),
                       None)
            row.flat = nxt is not None and nxt <= level
            blank_since_marker = False
            stack.append(row)
            out.append(row)
            continue
        if marker and values:  # "Trong đó: Thu thuế  50"
            label = marker[1] or label
            row.label = label
        flat = next((s for s in reversed(stack) if s.marker), None)
        if flat is not None and flat.flat and level == flat.level and not blank_since_marker \
                and label_key(label) not in _TOTALS:
            while stack[-1] is not flat:  # a flat list after "Trong đó:" goes on
                stack.pop()
        else:
            _pop(stack, level, strict=False)
        parent = stack[-1] if stack else None
        if parent is not None and parent.marker:
            row.parent, row.relation = parent.parent, parent.marker
            base = parent.path
        else:
            row.parent, row.relation = parent, ("child" if parent else "")
            base = parent.path if parent else ()
        row.path = (*base, label)
        row.label_unit = label_unit(label) or (row.parent.label_unit if row.parent else None)
        row.total = label_key(label) in _TOTALS
        row.area = area_slug(label)
        if row.area is None and values:
            found_period = period_of(label, year)
            if found_period:
                row.span, row.kind = found_period
        stack.append(row)
        out.append(row)
    return out


def _level(found: tuple[int, Cell], layout: Layout) -> tuple[int, int, int]:
    col, cell = found
    _, rank = split_numbering(one_line(cell.text))
    return (layout.label_cols.index(col) if col in layout.label_cols else 0, cell.indent, rank)


def _pop(stack: list[BodyRow], level: tuple[int, int, int], *, strict: bool) -> None:
    while stack and (stack[-1].level > level if strict else stack[-1].level >= level):
        stack.pop()


def _row_unit(grid: Grid, r: int, layout: Layout, last: Unit | None) -> Unit | None:
    if layout.unit_col is None:
        return None
    cell = grid.cell(r, layout.unit_col)
    if cell.empty:
        return None
    if is_ditto(cell.text):
        return last
    return parse_unit(cell.text, strict=False)
