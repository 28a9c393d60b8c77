"""Indicator tables (CSV, XLSX) → observation rows (the contract of :mod:`kpi.core.schema`).

Public API:

- :func:`read_table` reads one table file: every sheet of a workbook (or the sheets a
  mapping names, or ``sheet``), with header detection (:mod:`kpi.tables.layout`) or, for
  ``reader: long`` mappings, by configured columns (:mod:`kpi.tables.long`).
- :func:`read_source` is what the ingest calls for every ``.csv``/``.xlsx`` under
  ``data/raw/``: it reads ``<stem>.mapping.yaml`` beside the file when there is one.
- Both return a :class:`TableResult`: ``observations`` (conformed and validated),
  ``rejected`` cells (``errors="report"``), ``rules`` the table's structure implies,
  ``notes`` on what was not read, ``areas`` seen.

Errors: a cell that is not a number where one belongs raises :class:`~kpi.errors.TableError`
naming file, sheet, row, column and text (``errors="raise"``, the default) or becomes a
:class:`RejectedCell` (``errors="report"``); ``-``, ``..``, ``x`` and blanks are "no value".
An empty file is a :class:`~kpi.errors.TableError`; a file that cannot be decoded or
opened a :class:`~kpi.errors.SourceError`; a header-only table gives no rows.

Locators: ``Sheet!C7`` for workbook cells; ``row 12, column "Quý I"`` for CSV cells
(records counted from 1, the header row is row 1); ``rows 98, 123, column "x"`` for a
value derived from two rows.
"""

from __future__ import annotations

from pathlib import Path

from kpi.core import schema
from kpi.core.catalog import Catalog, load_catalog
from kpi.errors import SourceError, TableError
from kpi.tables.grid import FORMULA_NOTE, read_csv_grid, read_xlsx_grids, uncached_formulas
from kpi.tables.long import read_long
from kpi.tables.mapping import Mapping, load_mapping, mapping_path, parse_mapping
from kpi.tables.result import Collector, Errors, RejectedCell, TableResult
from kpi.tables.wide import read_grid

__all__ = [
    "Mapping",
    "RejectedCell",
    "TableResult",
    "load_mapping",
    "mapping_path",
    "read_source",
    "read_table",
]

CSV_SUFFIXES = (".csv", ".tsv", ".txt")
XLSX_SUFFIXES = (".xlsx", ".xlsm")


def _mapping(mapping: dict | Mapping | None, source: str, catalog: Catalog) -> Mapping:
    if isinstance(mapping, Mapping):
        return mapping
    if mapping is None:
        return Mapping(where=source)
    return parse_mapping(mapping, f"{source} (mapping)", catalog)


def read_table(
    path: str | Path,
    *,
    mapping: dict | Mapping | None = None,
    sheet: str | None = None,
    source: str | None = None,
    errors: Errors = "raise",
    catalog: Catalog | None = None,
) -> TableResult:
    """Read a CSV or XLSX table into observations.

    ``mapping``: a mapping document (the YAML content as a dict) or a parsed
    :class:`Mapping`; ``sheet``: read only this sheet; ``source``: the name written to
    ``source`` and used in messages (the path relative to the raw folder; default the
    file name); ``errors``: ``"raise"`` or ``"report"``.
    """
    path = Path(path)
    source = source or path.name
    catalog = catalog or load_catalog()
    spec = _mapping(mapping, source, catalog)
    out = Collector(errors)
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        grid = read_csv_grid(path, source, encoding=spec.encoding, delimiter=spec.delimiter)
        if not any(not c.empty for row in grid.rows for c in row):
            raise TableError("empty table: the file holds no cells", where=source)
        grids = [grid]
    elif suffix in XLSX_SUFFIXES:
        names = [sheet] if sheet else (list(spec.sheets) if spec.sheets is not None else None)
        grids = read_xlsx_grids(path, source, names)
        for name, cells in uncached_formulas(path).items():
            if names is None or name in names:
                shown = ", ".join(cells[:20]) + (f" … ({len(cells)})" if len(cells) > 20 else "")
                out.note(f"{FORMULA_NOTE}: sheet {name!r} {shown}")
        if not any(g.n_rows for g in grids):
            raise TableError("empty workbook: no sheet holds cells", where=source)
    else:
        raise SourceError("not a table file (expected .csv or .xlsx)", text=path.suffix,
                          where=source)
    for grid in grids:
        sheet_spec = spec.sheet(grid.sheet)
        if spec.reader == "long":
            read_long(grid, spec.long or {}, sheet_spec, out, catalog)
        else:
            read_grid(grid, sheet_spec, out, catalog)
    result = out.result()
    result.observations = schema.validate(result.observations)
    return result


def read_source(
    path: str | Path,
    *,
    source: str | None = None,
    errors: Errors = "raise",
    catalog: Catalog | None = None,
) -> TableResult:
    """Read a raw table as the ingest does: with ``<stem>.mapping.yaml`` beside it if
    present, else with the general reader (header detection, rows ``unclassified``)."""
    path = Path(path)
    source = source or path.name
    catalog = catalog or load_catalog()
    beside = mapping_path(path)
    mapping = load_mapping(beside, str(Path(source).with_name(beside.name)), catalog) \
        if beside.exists() else None
    return read_table(path, mapping=mapping, source=source, errors=errors, catalog=catalog)
