"""A table as a rectangular grid of cells, read from CSV or from one sheet of a workbook.

Everything downstream (header detection, row hierarchy, values) works on a :class:`Grid`,
so CSV and XLSX share one reader. Strings are cleaned on the way in (NFC, no-break
spaces as spaces). Merged cells in a workbook are expanded: every cell of a merged range
carries the range's value with ``copy=True`` (headers use the copies; values never do).

CSV: the encoding is UTF-8 (with or without BOM), UTF-16 with BOM, or the Vietnamese
Windows code page cp1258; the delimiter is sniffed among ``, ; TAB |``. Rows of a CSV are
numbered by record from 1 (the header is row 1).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from posixpath import join, normpath
from typing import Final
from xml.etree import ElementTree

from openpyxl.utils import get_column_letter, range_boundaries

from kpi.core.text import clean
from kpi.errors import SourceError


@dataclass(frozen=True, slots=True)
class Cell:
    """One cell: its ``value`` (clean str, int, float, date or None), label indentation
    (Excel indent level, or leading spaces in CSV), bold font, and whether it is a
    ``copy`` of a merged range's top-left cell (at ``origin``)."""

    value: object = None
    indent: int = 0
    bold: bool = False
    copy: bool = False
    origin: tuple[int, int] | None = None  # (row, column) of the merged range's first cell

    @property
    def text(self) -> str:
        """The value as text ("" for an empty cell)."""
        if self.value is None:
            return ""
        if isinstance(self.value, float):  # 15 significant digits, as spreadsheets show
            return str(int(self.value)) if self.value.is_integer() \
                else format(self.value, ".15g")
        return str(self.value)

    @property
    def empty(self) -> bool:
        return self.value is None or (isinstance(self.value, str) and not self.value.strip())


EMPTY: Final = Cell()


@dataclass
class Grid:
    """Cells by (row, column), 0-based; ``source`` and ``sheet`` name it in messages."""

    source: str
    rows: list[list[Cell]]
    sheet: str | None = None
    column_names: dict[int, str] = field(default_factory=dict)
    offset: int = 0  # rows above this grid in its file (a later block of a sheet)

    @property
    def n_rows(self) -> int:
        return len(self.rows)

    @property
    def n_cols(self) -> int:
        return max((len(r) for r in self.rows), default=0)

    def cell(self, r: int, c: int) -> Cell:
        row = self.rows[r] if 0 <= r < len(self.rows) else ()
        return row[c] if 0 <= c < len(row) else EMPTY

    def row_cells(self, r: int) -> Iterator[tuple[int, Cell]]:
        """(column, cell) for the non-empty cells of row ``r``."""
        for c, cell in enumerate(self.rows[r]):
            if not cell.empty:
                yield c, cell

    def tail(self, start: int) -> Grid:
        """The rows from ``start`` on, as a grid that still locates cells in the file."""
        return Grid(self.source, self.rows[start:], self.sheet, dict(self.column_names),
                    self.offset + start)

    def locator(self, r: int, c: int | None = None) -> str:
        """``Sheet!C7`` for a workbook; ``row 12, column "Quý I"`` for a CSV."""
        r += self.offset
        if self.sheet is not None:
            return f"{self.sheet}!{get_column_letter(c + 1)}{r + 1}" if c is not None \
                else f"{self.sheet}!{r + 1}:{r + 1}"
        if c is None:
            return f"row {r + 1}"
        name = self.column_names.get(c) or get_column_letter(c + 1)
        return f'row {r + 1}, column "{name}"'

    def where(self, r: int, c: int | None = None) -> str:
        """File and locator, for error messages."""
        return f"{self.source} {self.locator(r, c)}"


# --- CSV -------------------------------------------------------------------------------

_DELIMITERS: Final = (",", ";", "\t", "|")


def decode(data: bytes, where: str, encoding: str | None = None) -> str:
    """Bytes of a text table → str: BOM first, then UTF-8, then cp1258 (or ``encoding``)."""
    try:
        if encoding:
            return data.decode(encoding)
        if data.startswith(codecs.BOM_UTF8):
            return data[len(codecs.BOM_UTF8):].decode("utf-8")
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return data.decode("utf-16")
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            return data.decode("cp1258")
    except (UnicodeDecodeError, LookupError) as exc:
        raise SourceError(f"cannot decode the file as text ({exc})", where=where) from exc


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the first records into the most consistent field count."""
    sample = text[:20_000]
    best, best_score = ",", (0, 0)
    for delim in _DELIMITERS:
        counts = [len(r) for r, _ in zip(csv.reader(io.StringIO(sample, newline=""),
                                                      delimiter=delim), range(30), strict=False)]
        split = [n for n in counts if n > 1]  # title and note lines are one field
        if not split:
            continue
        mode = max(sorted(set(split)), key=split.count)
        score = (split.count(mode), mode)
        if score > best_score:
            best, best_score = delim, score
    return best


_LEADING: Final = re.compile(r"^[ \t\u00a0\u2007\u202f]*")


def _csv_cell(raw: str) -> Cell:
    if not raw.strip():
        return EMPTY
    lead = _LEADING.match(raw)
    indent = len(lead.group(0).replace("\t", "    ")) if lead else 0
    return Cell(clean(raw), indent=indent)


def csv_grid(text: str, source: str, *, delimiter: str | None = None) -> Grid:
    """A grid from CSV text (already decoded). Leading spaces of a cell are its indent."""
    delim = delimiter or sniff_delimiter(text)
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delim))
    except csv.Error as exc:
        raise SourceError(f"malformed CSV ({exc})", where=source) from exc
    return Grid(source, [[_csv_cell(v) for v in rec] for rec in records])


def read_csv_grid(path: Path, source: str, *, encoding: str | None = None,
                  delimiter: str | None = None) -> Grid:
    """A grid from a CSV file; see :func:`decode` and :func:`sniff_delimiter`."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise SourceError(f"cannot read file ({exc.strerror})", where=source) from exc
    return csv_grid(decode(data, source, encoding), source, delimiter=delimiter)


# --- XLSX ------------------------------------------------------------------------------

_NS: Final = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
}
_MERGE: Final = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]+[0-9]+(?::[A-Z]+[0-9]+)?)"')


def _sheet_paths(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → XML part inside the workbook package."""
    book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target", "") for r in rels.findall("rel:Relationship", _NS)}
    paths = {}
    for sheet in book.iterfind("m:sheets/m:sheet", _NS):
        target = targets.get(sheet.get(f"{{{_NS['r']}}}id"), "")
        path = target.lstrip("/") if target.startswith("/") else normpath(join("xl", target))
        paths[clean(sheet.get("name", ""))] = path
    return paths


def merged_ranges(path: Path) -> dict[str, list[tuple[int, int, int, int]]]:
    """Sheet name → merged ranges as 0-based (min_row, min_col, max_row, max_col)."""
    out: dict[str, list[tuple[int, int, int, int]]] = {}
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        for sheet, part in _sheet_paths(archive).items():
            if part not in names:
                continue
            ranges = []
            for ref in _MERGE.findall(archive.read(part)):
                min_col, min_row, max_col, max_row = range_boundaries(ref.decode())
                ranges.append((min_row - 1, min_col - 1, max_row - 1, max_col - 1))
            out[sheet] = ranges
    return out


#: The start of the note on formula cells a workbook holds without their computed value
#: (saved by a program that does not calculate): they are read as empty cells.
FORMULA_NOTE: Final = "formula cells without a saved value (read as empty; open and save " \
    "the workbook in a spreadsheet program to compute them)"
_CELL: Final = re.compile(
    rb'<(?:\w+:)?c\s+r="([A-Z]+[0-9]+)"[^>]*?(?<!/)>(.*?)</(?:\w+:)?c>', re.DOTALL)
_FORMULA: Final = re.compile(rb"<(?:\w+:)?f[\s>/]")
_CACHED: Final = re.compile(rb"<(?:\w+:)?v(?:\s[^>]*)?>[^<]")  # a value, not <v></v>


def uncached_formulas(path: Path) -> dict[str, list[str]]:
    """Sheet name → cells holding a formula but no saved value (openpyxl's data-only
    reading gives ``None`` for them, like an empty cell)."""
    out: dict[str, list[str]] = {}
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        for sheet, part in _sheet_paths(archive).items():
            if part not in names:
                continue
            cells = [m.group(1).decode() for m in _CELL.finditer(archive.read(part))
                     if _FORMULA.search(m.group(2)) and not _CACHED.search(m.group(2))]
            if cells:
                out[sheet] = cells
    return out


def _xlsx_cell(cell: object) -> Cell:
    value = getattr(cell, "value", None)
    if value is None:
        return EMPTY
    if isinstance(value, str):
        value = clean(value)
        if not value:
            return EMPTY
    align = getattr(cell, "alignment", None)
    font = getattr(cell, "font", None)
    indent = int(getattr(align, "indent", 0) or 0)
    return Cell(value, indent=indent, bold=bool(getattr(font, "b", False)))


def sheet_grid(ws: object, source: str, merges: list[tuple[int, int, int, int]],
               title: str | None = None) -> Grid:
    """A grid from an openpyxl (read-only) worksheet, merged ranges expanded."""
    rows = [[_xlsx_cell(c) for c in row] for row in ws.iter_rows()]  # type: ignore[attr-defined]
    width = max((len(r) for r in rows), default=0)
    for row in rows:
        row.extend([EMPTY] * (width - len(row)))
    for r0, c0, r1, c1 in merges:
        if r0 >= len(rows) or c0 >= width:
            continue
        top = rows[r0][c0]
        for r in range(r0, min(r1, len(rows) - 1) + 1):
            for c in range(c0, min(c1, width - 1) + 1):
                if (r, c) != (r0, c0) and not top.empty:
                    rows[r][c] = Cell(top.value, top.indent, top.bold, copy=True,
                                      origin=(r0, c0))
    while rows and all(c.empty for c in rows[-1]):
        rows.pop()
    return Grid(source, rows, sheet=title or clean(str(getattr(ws, "title", ""))))


def read_xlsx_grids(path: Path, source: str, sheets: list[str] | None = None) -> list[Grid]:
    """Grids of the workbook's sheets (all, or those named, in workbook order)."""
    import openpyxl

    from kpi.core.limits import check_office

    check_office(path, source)
    try:
        merges = merged_ranges(path)
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (OSError, zipfile.BadZipFile, KeyError, ElementTree.ParseError) as exc:
        raise SourceError(f"not a readable .xlsx workbook ({exc})", where=source) from exc
    try:
        titles = [clean(t) for t in wb.sheetnames]
        if sheets is not None:
            missing = [s for s in sheets if clean(s) not in titles]
            if missing:
                raise SourceError(f"workbook has no sheet {missing[0]!r} (sheets: {titles})",
                                  text=missing[0], where=source)
        grids = []
        for ws, title in zip(wb.worksheets, titles, strict=True):
            if sheets is None or title in {clean(s) for s in sheets}:
                grids.append(sheet_grid(ws, source, merges.get(title, []), title))
        return grids
    finally:
        wb.close()
