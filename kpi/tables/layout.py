"""Where things are in a table grid: title, unit cell, header block, labels, values.

:func:`detect_layout` finds the first data row (a row with its own label and a number
to the right of it that is not just a year or a column number), the value columns (those
holding numbers below), the label columns (text to their left), a unit column
("Đơn vị tính"), and the header block: the rows above the first data row with text over
value columns. Each value column's header is the text of its header cells top to bottom
(merged cells contribute to every column they span). A cell above the data that states a
unit ("Tỷ đồng", "Đơn vị tính: Triệu đồng", "%") and nothing else in its row is the
table's unit. Everything here can be overridden by a mapping file.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Final

from kpi.core.text import one_line
from kpi.errors import TableError
from kpi.tables.cells import is_no_value, looks_numeric, year_like
from kpi.tables.grid import Grid
from kpi.tables.kinds import NOTE_HEADER, UNIT_HEADER, YEAR, is_comparison
from kpi.tables.units import Unit, parse_unit

FOOTNOTE: Final = re.compile(
    r"^(ghi\s*chú|chú\s*thích|chú\s*giải|nguồn(\s*số\s*liệu)?\s*:|note\s*:|notes\s*:|"
    r"source\s*:|\(\*+\)|\*+\s)", re.IGNORECASE)
# The label of a column-number row: "A", "B", "(C)" over the label columns.
COLUMN_MARKER: Final = re.compile(r"^\(?[A-Z]\)?$", re.IGNORECASE)


@dataclass
class Layout:
    """The parts of a table grid (rows and columns 0-based; ``end_row`` exclusive)."""

    title: str
    unit: Unit | None
    unit_where: str
    header_rows: tuple[int, ...]
    first_row: int
    end_row: int
    label_cols: tuple[int, ...]
    unit_col: int | None
    value_cols: tuple[int, ...]
    headers: dict[int, str]
    year: int | None
    footnotes: list[str] = field(default_factory=list)


def _own_text(grid: Grid, r: int) -> list[tuple[int, str]]:
    return [(c, cell.text) for c, cell in grid.row_cells(r)
            if not cell.copy and isinstance(cell.value, str) and not looks_numeric(cell)
            and not is_no_value(cell.value)]


def _numbering(values: list[object]) -> bool:
    """1, 2, 3 ... or (1), (2) ...: the column-number row under a header."""
    nums = []
    for v in values:
        text = str(v).strip().strip("()")
        if not text.isdigit():
            return False
        nums.append(int(text))
    return len(nums) >= 2 and nums == list(range(nums[0], nums[0] + len(nums)))


def _column_numbers(texts: list[tuple[int, str]], values: list[object]) -> bool:
    """"A | B | 1 | 2 | 3": markers for labels, then consecutive numbers. A row with a
    real label ("Chỉ tiêu 1 | 0 | 1") is data, whatever its numbers."""
    return all(COLUMN_MARKER.match(t.strip()) for _, t in texts) and _numbering(values)


def is_data_row(grid: Grid, r: int) -> bool:
    """Own label text, then a number to its right that is not a year or column number."""
    texts = _own_text(grid, r)
    if not texts:
        return False
    label_col = texts[0][0]
    nums = [cell for c, cell in grid.row_cells(r)
            if c > label_col and not cell.copy and looks_numeric(cell)]
    if not nums:
        return False
    if all(year_like(c) for c in nums) or _column_numbers(texts, [c.value for c in nums]):
        return False
    return not FOOTNOTE.match(texts[0][1])


def _footnote_row(grid: Grid, r: int) -> bool:
    """A row starting "Ghi chú", "Nguồn:", "(*)" ...: the table ends above it (a number
    in a footnote is not a value)."""
    texts = _own_text(grid, r)
    return bool(texts) and bool(FOOTNOTE.match(texts[0][1]))


def detect_layout(
    grid: Grid,
    *,
    first_row: int | None = None,
    header_rows: tuple[int, ...] | None = None,
    skip_cols: frozenset[int] = frozenset(),
) -> Layout | None:
    """The layout of ``grid``; None when it has no data row (empty or header-only).

    ``first_row`` and ``header_rows`` (0-based) override detection; ``skip_cols`` are
    columns the caller excludes from the values.
    """
    if first_row is None:
        first_row = next((r for r in range(grid.n_rows) if is_data_row(grid, r)), None)
        if first_row is None:
            return None
    end_row = next((r for r in range(first_row, grid.n_rows) if _footnote_row(grid, r)),
                   grid.n_rows)
    footnotes = [one_line(t) for r in range(end_row, grid.n_rows) for _, t in _own_text(grid, r)]

    value_cols: set[int] = set()
    label_cols: set[int] = set()
    for r in range(first_row, end_row):
        texts = _own_text(grid, r)
        label_col = texts[0][0] if texts else -1
        for c, cell in grid.row_cells(r):
            if c > label_col and not cell.copy and looks_numeric(cell) and c not in skip_cols:
                value_cols.add(c)
    if not value_cols:
        return None
    first_value = min(value_cols)
    for r in range(first_row, end_row):
        for c, _ in _own_text(grid, r):
            if c < first_value:
                label_cols.add(c)

    table_unit, unit_where, unit_cells = _table_unit(grid, first_row, value_cols)
    if header_rows is None:
        header_rows = _header_rows(grid, first_row, value_cols, unit_cells)
    headers = {c: _header_text(grid, header_rows, c, unit_cells)
               for c in range(grid.n_cols) if c not in skip_cols}
    _spread_comparisons(grid, header_rows, headers, value_cols, unit_cells)

    unit_col = next((c for c in sorted(headers) if c not in value_cols
                     and UNIT_HEADER.match(headers[c])), None)
    if unit_col is None:
        unit_col = _unit_column(grid, first_row, end_row, value_cols, label_cols)
    label_cols.discard(unit_col if unit_col is not None else -1)
    # A column of notes ("Ghi chú") is not a value column even if a note holds a number.
    value_cols = {c for c in value_cols if not NOTE_HEADER.match(headers.get(c, ""))}
    title_rows = range(0, min(header_rows) if header_rows else first_row)
    title = " ".join(t for r in title_rows for _, t in _own_text(grid, r)
                     if (r, _) not in unit_cells)
    year = _default_year([headers[c] for c in value_cols], title)
    return Layout(
        title=one_line(title), unit=table_unit, unit_where=unit_where,
        header_rows=tuple(header_rows), first_row=first_row, end_row=end_row,
        label_cols=tuple(sorted(label_cols)), unit_col=unit_col,
        value_cols=tuple(sorted(value_cols)), headers=headers, year=year, footnotes=footnotes,
    )


def _table_unit(grid: Grid, first_row: int, value_cols: set[int]
                ) -> tuple[Unit | None, str, set[tuple[int, int]]]:
    """The unit cell nearest above the data: a unit text alone in its row (or a title
    cell saying "Đơn vị tính: ..."). Returns the unit, its locator and every unit cell."""
    found: list[tuple[int, int, Unit]] = []
    for r in range(first_row):
        cells = [(c, cell) for c, cell in grid.row_cells(r) if isinstance(cell.value, str)]
        own = [(c, cell) for c, cell in cells if not cell.copy]
        for c, cell in own:
            unit = parse_unit(cell.text)
            if unit is None:
                continue
            explicit = unit.text.casefold().startswith(("đơn vị", "đvt", "unit"))
            others = [x for x, o in cells if o.text != cell.text]
            if explicit or not others:
                found.append((r, c, unit))
    if not found:
        return None, "", set()
    r, c, unit = found[-1]
    cells = {(r0, c0) for r0, c0, _ in found}
    return unit, grid.locator(r, c), cells


def _header_rows(grid: Grid, first_row: int, cols: set[int],
                 unit_cells: set[tuple[int, int]]) -> tuple[int, ...]:
    """Rows above the data with header text over the value columns (not a title merged
    across the whole table, not the unit cell, not a row of column numbers)."""
    rows = []
    for r in range(first_row):
        texts = []
        for c, cell in grid.row_cells(r):
            if c not in cols or (r, c) in unit_cells:
                continue
            origin = cell.origin if cell.copy else (r, c)
            if origin in unit_cells:
                continue
            if cell.copy and origin is not None and origin[1] < min(cols) and \
                    _spans_all(grid, r, origin, cols):
                continue  # a title merged across the whole table
            texts.append(cell.value)
        if not texts:
            continue
        if _numbering(texts) or all(str(t).strip() in "ABCDEFGH" for t in texts):
            continue
        rows.append(r)
    # A lone text cell above a gap is the title, not a header (even over value columns).
    while len(rows) > 1 and rows[1] > rows[0] + 1 and len(list(grid.row_cells(rows[0]))) == 1:
        rows.pop(0)
    return tuple(rows)


def _spans_all(grid: Grid, r: int, origin: tuple[int, int], cols: set[int]) -> bool:
    return all(grid.cell(r, c).origin == origin or (r, c) == origin for c in cols)


def _header_text(grid: Grid, header_rows: tuple[int, ...], c: int,
                 unit_cells: set[tuple[int, int]]) -> str:
    parts: list[str] = []
    for r in header_rows:
        cell = grid.cell(r, c)
        origin = cell.origin if cell.copy else (r, c)
        if cell.empty or (r, c) in unit_cells or origin in unit_cells:
            continue
        text = one_line(cell.text)
        if not parts or parts[-1] != text:
            parts.append(text)
    return one_line(" ".join(parts))


def _spread_comparisons(grid: Grid, header_rows: tuple[int, ...], headers: dict[int, str],
                        value_cols: set[int], unit_cells: set[tuple[int, int]]) -> None:
    """An unmerged "So với cùng kỳ (%)" over a group of columns covers the empty header
    cells to its right whose lower header rows go on (the period sub-headers)."""
    for i, r in enumerate(header_rows):
        below = header_rows[i + 1:]
        for c in sorted(value_cols):
            left = grid.cell(r, c - 1)
            if c - 1 not in value_cols or left.empty or not grid.cell(r, c).empty:
                continue
            if not is_comparison(left.text) or not any(not grid.cell(b, c).empty for b in below):
                continue
            spread = _header_text(grid, (r,), c - 1, unit_cells)
            if spread and spread not in headers[c]:
                headers[c] = one_line(f"{spread} {headers[c]}")
                grid.rows[r][c] = type(left)(left.value, left.indent, left.bold, copy=True,
                                             origin=(r, c - 1) if not left.copy else left.origin)


def _unit_column(grid: Grid, first_row: int, end_row: int, value_cols: set[int],
                 label_cols: set[int]) -> int | None:
    """A text column right of the labels whose cells are units or ditto marks."""
    if len(label_cols) < 2:
        return None
    candidate = max(label_cols)
    texts = [grid.cell(r, candidate).text for r in range(first_row, end_row)
             if not grid.cell(r, candidate).empty]
    if not texts:
        return None
    units = sum(1 for t in texts if is_ditto(t) or parse_unit(t) is not None)
    return candidate if units == len(texts) and units >= 2 else None


def is_ditto(text: str) -> bool:
    """A "same as above" mark in a unit column: ``"``, ``”``, ``〃``, ``nt``, ``-nt-``."""
    return one_line(text).casefold().strip("-") in ('"', "”", "“", "〃", "''", "nt", "như trên")


def _default_year(headers: list[str], title: str) -> int | None:
    years = Counter(int(y) for h in headers for y in YEAR.findall(h))
    if years:
        return years.most_common(1)[0][0]
    found = YEAR.findall(title)
    return int(found[-1]) if found else None


def require_layout(grid: Grid, layout: Layout | None) -> Layout:
    """``layout`` or a :class:`TableError` saying the grid has no data rows."""
    if layout is None:
        raise TableError("no data rows: no row has a label and a number", where=grid.where(0))
    return layout
