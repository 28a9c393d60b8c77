"""Reading one value cell: a number, "no value", or an error that says why.

Cells hold real numbers (spreadsheets) or text (CSV, or numbers typed as text). Text is
read as Vietnamese (``.`` groups thousands, ``,`` marks decimals, via
:func:`kpi.numbers.parse_amount`) unless the source declares ``decimal: "."`` (machine
CSVs written by R or Python, where ``755768.814`` and ``3.00E+05`` are plain decimals).
``-``, ``–``, ``..``, ``…``, ``x``, ``n/a`` and blanks mean "no value": skipped, not errors.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Final

from kpi.core.text import one_line
from kpi.errors import NumberParseError
from kpi.numbers.vietnamese import parse_amount
from kpi.tables.grid import Cell
from kpi.tables.units import to_decimal

NO_VALUE: Final = frozenset({
    "", "-", "–", "—", "−", "--", "..", "...", "…", "x", "n/a", "na", "kxđ", "k.x.đ", "-/-",
})
_NUMERIC_TEXT: Final = re.compile(
    r"^[-+−]?\(?\d[\d.,  ]*\)?\s*%?$|^[-+−]?\d+(\.\d+)?[eE][-+]?\d+$"
)
_MACHINE: Final = re.compile(r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")


def is_no_value(value: object) -> bool:
    """True for an empty cell or a "no value" mark (``-``, ``..``, ``x`` ...)."""
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and one_line(value).casefold() in NO_VALUE


def looks_numeric(cell: Cell) -> bool:
    """A real number, or text shaped like one (used to find data rows and value columns)."""
    v = cell.value
    if isinstance(v, bool):
        return False
    if isinstance(v, (int, float, Decimal)):
        return not (isinstance(v, float) and not math.isfinite(v))
    return isinstance(v, str) and bool(_NUMERIC_TEXT.match(v.strip()))


def year_like(cell: Cell) -> bool:
    """An integer that reads as a year (1900–2100): header rows hold these."""
    v = cell.value
    if isinstance(v, str) and v.strip().isdigit():
        v = int(v.strip())
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return isinstance(v, int) and not isinstance(v, bool) and 1900 <= v <= 2100


@dataclass(frozen=True)
class Reading:
    """A cell's number: ``value`` (Decimal, as written) and whether the text carried its
    own multiplier or currency (``self_scaled``: "1,2 tỷ" is already in đồng) or a
    percent sign (``percent``)."""

    value: Decimal
    self_scaled: bool = False
    percent: bool = False


def read_cell(value: object, *, decimal: str = ",", where: str | None = None) -> Reading | None:
    """The number in a cell, None for "no value"; raises :class:`NumberParseError`."""
    if is_no_value(value):
        return None
    if isinstance(value, (bool, datetime, date)):
        raise NumberParseError(f"a {type(value).__name__} where a number belongs",
                               text=str(value), where=where)
    if isinstance(value, (int, float, Decimal)):
        if isinstance(value, float) and not math.isfinite(value):
            raise NumberParseError("not a finite number", text=repr(value), where=where)
        return Reading(to_decimal(value))
    text = one_line(str(value))
    if text.startswith("#"):
        raise NumberParseError("a spreadsheet error value", text=text, where=where)
    if decimal == ".":
        if not _MACHINE.match(text):
            raise NumberParseError("not a plain decimal number", text=text, where=where)
        try:
            return Reading(Decimal(text))
        except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
            raise NumberParseError("not a number", text=text, where=where) from None
    amount = parse_amount(text, where=where)
    return Reading(to_decimal(amount.value), self_scaled=amount.multiplier != 1
                   or amount.unit == "VND", percent=amount.unit == "percent")
