"""Mapping files: what a table's headers do not say, as data beside the table.

A source ``x.csv`` or ``x.xlsx`` may have ``x.mapping.yaml`` next to it (an input, part of
the raw data; code never writes it). Keys (all optional)::

    reader: grid            # grid (default: header detection) | long (one row per record)
    encoding: cp1258        # CSV text encoding when not UTF-8
    delimiter: ";"          # CSV delimiter when sniffing should not decide
    decimal: ","            # "," Vietnamese numbers as text (default) | "." machine CSVs
    area: vietnam           # area of rows that do not name one (default vietnam)
    unit: Tỷ đồng           # unit when the table does not state one
    year: 2022              # year of headers that do not say it ("Quý I")
    period: 2022Q2          # period of a table whose headers name none
    indicator: code         # indicator of rows that name an area (provinces as rows)
    measure: plan           # measure of plain value columns (when headers do not say)
    unmapped: unclassified  # rows no mapping names: unclassified (default) | skip
    rows:                   # row label, or path "Section > Label" (matched at the end)
      TỔNG SỐ: public_investment                 # → indicator
      Bộ Y tế: {indicator: ..., area: ...}       # → indicator with overrides
      Phân theo một số tỉnh, thành phố: public_investment  # rows below it: areas
      Ghi chú: skip                              # → not read
    skip_columns: [G, H]    # column letters (or CSV header names) not read
    first_row: 8            # 1-based first data row, when detection should not decide
    header_rows: [4, 5, 6]  # 1-based header rows
    sheets:                 # workbooks: only these sheets are read, each with the keys
      3.VonNSNNquy: {...}   # above (top-level keys are their defaults)

``reader: long`` tables (one record per row) instead say which column holds the area,
the period and each indicator; see :mod:`kpi.tables.long`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import yaml

from kpi.core.catalog import Catalog, load_yaml
from kpi.core.text import label_key, one_line
from kpi.errors import TableError
from kpi.tables.units import Unit, parse_unit

PATH_SEP: Final = ">"
SKIP: Final = "skip"
_SHEET_KEYS: Final = frozenset({
    "area", "unit", "year", "period", "indicator", "unmapped", "rows", "skip_columns",
    "first_row", "header_rows", "decimal", "measure",
})
_FILE_KEYS: Final = _SHEET_KEYS | {"reader", "encoding", "delimiter", "sheets", "long"}
_LONG_KEYS: Final = frozenset({"area", "period", "columns", "derive", "unit", "measure",
                               "qualifier", "decimal"})


@dataclass(frozen=True)
class RowRule:
    """One ``rows:`` entry: a label path (label keys, matched at the end of a row's path)
    and what rows matching it become (``indicator`` None: skipped)."""

    path: tuple[str, ...]
    indicator: str | None
    area: str | None = None
    measure: str | None = None
    unit: Unit | None = None
    text: str = ""

    def matches(self, path: tuple[str, ...]) -> bool:
        n = len(self.path)
        return n <= len(path) and path[-n:] == self.path


@dataclass(frozen=True)
class SheetSpec:
    """The mapping of one table (a CSV, or a sheet of a workbook)."""

    area: str | None = None
    unit: Unit | None = None
    year: int | None = None
    period: str | None = None
    indicator: str | None = None
    measure: str | None = None
    unmapped: str = "unclassified"
    rows: tuple[RowRule, ...] = ()
    skip_columns: frozenset[str] = frozenset()
    first_row: int | None = None
    header_rows: tuple[int, ...] | None = None
    decimal: str = ","

    def rule_for(self, path: tuple[str, ...]) -> RowRule | None:
        """The most specific rule whose label path ends ``path`` (keys), if any."""
        hits = [r for r in self.rows if r.matches(path)]
        return max(hits, key=lambda r: len(r.path)) if hits else None


@dataclass(frozen=True)
class Mapping:
    """A parsed mapping file. ``sheets`` None means every sheet with ``default``."""

    where: str
    reader: str = "grid"
    encoding: str | None = None
    delimiter: str | None = None
    default: SheetSpec = field(default_factory=SheetSpec)
    sheets: dict[str, SheetSpec] | None = None
    long: dict | None = None

    def sheet(self, name: str | None) -> SheetSpec:
        if name is None or self.sheets is None:
            return self.default
        return self.sheets.get(one_line(name), self.default)


def mapping_path(table: Path) -> Path:
    """``x.csv`` → ``x.mapping.yaml`` beside it."""
    return table.with_name(f"{table.stem}.mapping.yaml")


def _fail(msg: str, where: str, text: object = None) -> TableError:
    return TableError(f"mapping: {msg}", text=None if text is None else str(text), where=where)


def _code(value: object, where: str, catalog: Catalog | None) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _fail("an indicator must be a code", where, value)
    if catalog is not None and value not in catalog and value != "unclassified":
        raise _fail("unknown indicator code", where, value)
    return value


def _unit(value: object, where: str) -> Unit:
    unit = parse_unit(str(value), strict=False)
    if unit is None:
        raise _fail("not a unit", where, value)
    return unit


def _row_rule(key: object, value: object, where: str, catalog: Catalog | None) -> RowRule:
    if not isinstance(key, str) or not key.strip():
        raise _fail("a row key must be a label", where, key)
    path = tuple(label_key(p) for p in key.split(PATH_SEP) if p.strip())
    if value == SKIP:
        return RowRule(path, None, text=key)
    if isinstance(value, str):
        return RowRule(path, _code(value, where, catalog), text=key)
    if isinstance(value, dict):
        unknown = set(value) - {"indicator", "area", "measure", "unit"}
        if unknown:
            raise _fail(f"row {key!r} has unknown keys {sorted(unknown)}", where)
        return RowRule(
            path, _code(value.get("indicator"), where, catalog),
            area=value.get("area"), measure=value.get("measure"),
            unit=_unit(value["unit"], where) if "unit" in value else None, text=key,
        )
    raise _fail(f"row {key!r} must map to a code, 'skip' or a mapping", where, value)


def _rows_1based(value: object, key: str, where: str) -> tuple[int, ...]:
    items = value if isinstance(value, list) else [value]
    if not all(isinstance(v, int) and v >= 1 for v in items):
        raise _fail(f"{key} must be row numbers counted from 1", where, value)
    return tuple(v - 1 for v in items)


def _sheet_spec(raw: dict, where: str, catalog: Catalog | None,
                base: SheetSpec | None = None) -> SheetSpec:
    unknown = set(raw) - _SHEET_KEYS
    if unknown:
        raise _fail(f"unknown keys {sorted(unknown)}", where)
    base = base or SheetSpec()
    unmapped = raw.get("unmapped", base.unmapped)
    if unmapped not in ("unclassified", SKIP):
        raise _fail("unmapped must be 'unclassified' or 'skip'", where, unmapped)
    decimal = str(raw.get("decimal", base.decimal))
    if decimal not in (",", "."):
        raise _fail("decimal must be ',' or '.'", where, decimal)
    rows = raw.get("rows") or {}
    if not isinstance(rows, dict):
        raise _fail("rows must map labels to indicators", where, rows)
    skip = raw.get("skip_columns", sorted(base.skip_columns))
    if not isinstance(skip, list):
        raise _fail("skip_columns must be a list", where, skip)
    return SheetSpec(
        area=raw.get("area", base.area),
        unit=_unit(raw["unit"], where) if "unit" in raw else base.unit,
        year=int(raw["year"]) if "year" in raw else base.year,
        period=str(raw["period"]) if "period" in raw else base.period,
        indicator=_code(raw["indicator"], where, catalog) if "indicator" in raw
        else base.indicator,
        measure=raw.get("measure", base.measure),
        unmapped=unmapped,
        rows=tuple(_row_rule(k, v, where, catalog) for k, v in rows.items()) or base.rows,
        skip_columns=frozenset(str(s) for s in skip),
        first_row=_rows_1based(raw["first_row"], "first_row", where)[0]
        if "first_row" in raw else base.first_row,
        header_rows=_rows_1based(raw["header_rows"], "header_rows", where)
        if "header_rows" in raw else base.header_rows,
        decimal=decimal,
    )


def parse_mapping(doc: object, where: str, catalog: Catalog | None = None) -> Mapping:
    """Validate a mapping document (already YAML-loaded); :class:`TableError` if bad."""
    if doc is None:
        doc = {}
    if not isinstance(doc, dict):
        raise _fail("a mapping file must be a YAML mapping", where)
    unknown = set(doc) - _FILE_KEYS
    if unknown:
        raise _fail(f"unknown keys {sorted(unknown)}", where)
    reader = doc.get("reader", "long" if "long" in doc else "grid")
    if reader not in ("grid", "long"):
        raise _fail("reader must be 'grid' or 'long'", where, reader)
    top = {k: v for k, v in doc.items() if k in _SHEET_KEYS}
    default = _sheet_spec(top, where, catalog)
    sheets = None
    if "sheets" in doc:
        if not isinstance(doc["sheets"], dict) or not doc["sheets"]:
            raise _fail("sheets must map sheet names to their mappings", where)
        sheets = {one_line(str(name)): _sheet_spec(spec or {}, f"{where} sheet {name!r}",
                                                   catalog, default)
                  for name, spec in doc["sheets"].items()}
    long = doc.get("long")
    if reader == "long":
        if not isinstance(long, dict):
            raise _fail("reader 'long' needs a 'long:' section", where)
        unknown = set(long) - _LONG_KEYS
        if unknown:
            raise _fail(f"long: unknown keys {sorted(unknown)}", where)
    return Mapping(where, reader, doc.get("encoding"), doc.get("delimiter"), default,
                   sheets, long)


def load_mapping(path: Path, where: str, catalog: Catalog | None = None) -> Mapping:
    """Read and validate a mapping file."""
    try:
        doc = load_yaml(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise _fail(f"cannot read ({exc.strerror})", where) from exc
    except UnicodeDecodeError as exc:
        raise _fail(f"not UTF-8 text (byte {exc.start})", where) from exc
    except yaml.YAMLError as exc:
        raise _fail(f"not valid YAML ({exc})", where) from exc
    return parse_mapping(doc, where, catalog)
