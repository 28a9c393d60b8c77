"""Vietnamese numbers, money and percentages: read them exactly, write them for readers.

Reading rules (:func:`parse_number`, :func:`parse_amount`, :func:`parse_series`):

* Text is NFC-normalised; no-break, narrow no-break, thin and other Unicode spaces are
  spaces; case does not matter (``TỶ ĐỒNG``).
* ``.`` groups thousands and ``,`` is the decimal mark: ``4.884.100.000`` = 4884100000,
  ``38,25`` = 38.25, ``1.124,5`` = 1124.5. One comma is always the decimal mark
  (``1,124`` = 1.124).
* A single dot before exactly 3 digits groups thousands (``1.124`` = 1124). A single dot
  before 1, 2 or 4+ digits, with no comma, is read as a decimal mark (``98.4%`` = 98.4),
  as some sources write it. ``0.500`` or ``1234.567`` fit neither reading: error, with
  the decimal reading as suggestion.
* Several commas and no dot, every group after the first of exactly 3 digits, is English
  grouping: ``4,884,100,000`` = 4884100000 (never 4.884). ``1.2.3``, ``1.23.456`` and
  ``1,234.5`` are errors (``suggestion`` = 123456 and 1234.5 where a reading is plausible).
* Multiplier words ``nghìn``/``ngàn`` (10^3), ``triệu`` (10^6), ``tỷ``/``tỉ`` (10^9) scale the
  number, combine (``1,5 nghìn tỷ`` = 1.5e12) and chain with decreasing size
  (``147 triệu 700 nghìn đồng`` = 147700000; ``2 tỷ 500`` is an error). ``tỷ lệ`` is a word
  ("rate"), not a multiplier.
* Currency marks ``đ``, ``đồng``, ``VNĐ``, ``VND``, ``₫`` are dropped (``đồng chí``,
  ``đồng thời`` ... are words, not money). ``%`` (or ``phần trăm``) keeps the percent
  number: ``38,25%`` = 38.25. A percentage with a multiplier is an error.
* Unit words after the number are ignored: ``85mũi``, ``105.301 con``, ``100%KH``,
  ``20 người/km2``, and so is closing punctuation. Anything else after the number
  (``2 tỷ 500``, ``5/2022``, ``[4]``, ``5e3``) is an error. Text must start with the number
  (an optional ``-``, ``−`` or ``+`` sign glued to it).
* Values are exact: scaling is done in integer arithmetic and the float returned is the
  correctly rounded value (``65,1 tỷ`` = 65100000000.0).

Columns (:func:`parse_series`, :func:`parse_series_report`) follow the same rules; each
distinct cell is read once, common shapes in bulk with ``pyarrow.compute``, and the values
are identical to :func:`parse_number` cell for cell. Missing cells (None, NaN, blank) are
NaN; unreadable cells raise, or with ``errors="coerce"`` become NaN and are listed as
``Rejection(index, text, reason)`` by :func:`parse_series_report`.

Writing (:func:`format_number`, :func:`format_vnd`, :func:`format_percent`): ``.`` groups
thousands, ``,`` marks decimals, the minus sign is ASCII ``-``, NaN/None is ``—``.
Short forms trim trailing zeros (``4,88 tỷ đồng``, ``3,2 tỷ đồng``, ``60%``).
"""

from __future__ import annotations

import math
import re
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Final, Literal

import numpy as np
import pandas as pd

from kpi.errors import NumberParseError
from kpi.numbers.columns import ParsedSeries, parse_column
from kpi.numbers.grammar import (
    NUMERAL,
    SPACE_CHARS,
    Amount,
    Unreadable,
    compound_fragment,
    currency_fragment,
    percent_fragment,
    read_amount,
)

_SP: Final = "[" + SPACE_CHARS + "]"

#: Finds number mentions in prose (apply it to NFC text, e.g. after :func:`clean_text`;
#: case-insensitive). Groups: ``num`` the numeral with its sign, ``mult`` the multiplier
#: words and any further compound parts (``triệu 700 nghìn``), ``cur`` a currency mark,
#: ``pct`` a percent mark. Pass ``match.group()`` to :func:`parse_number` or
#: :func:`parse_amount`. A number glued to a preceding word or number (``F0``) is not a
#: mention; a sign counts only after a space or an opening bracket (``Covid-19`` is 19).
AMOUNT_PATTERN: Final[re.Pattern[str]] = re.compile(
    rf"(?<![\w.,])(?P<num>(?:(?<![^{SPACE_CHARS}(\[])[-−+](?=[0-9]))?{NUMERAL})"
    rf"(?:{_SP}*(?P<mult>{compound_fragment(_SP)}))?"
    rf"(?:{_SP}*(?:(?P<cur>{currency_fragment(_SP)})|(?P<pct>{percent_fragment(_SP)})))?",
    re.IGNORECASE,
)


def _reject(err: Unreadable, text: object, where: str | None) -> NumberParseError:
    shown = text if isinstance(text, str) else repr(text)
    return NumberParseError(err.reason, text=shown, where=where, suggestion=err.suggestion)


def parse_amount(text: str, *, where: str | None = None) -> Amount:
    """Read ``text`` as an :class:`Amount`: value in base units, unit and multiplier.

    ``unit`` is ``"VND"`` only when a currency mark is attached: ``3,2 tỷ`` alone is a
    plain number (unit ``""``) and the caller decides from context. Raises
    :class:`NumberParseError` (quoting ``text`` and ``where``) when it is not a number.
    """
    if not isinstance(text, str):
        raise NumberParseError(f"expected text, got {type(text).__name__}", text=repr(text),
                               where=where)  # fmt: skip
    try:
        return read_amount(text)
    except Unreadable as err:
        raise _reject(err, text, where) from None


def parse_number(text: str | float, *, where: str | None = None) -> float:
    """Read a Vietnamese number, amount or percentage as a float in base units.

    See the module docstring for the rules. A finite int or float passes through (cells
    of spreadsheets often hold real numbers). ``None``, NaN, empty text, ``N/A``, ``—``
    and any text that is not a number raise :class:`NumberParseError`, which quotes the
    text, says why, names ``where`` and carries a ``suggestion`` when a reading is
    plausible (``1.23.456`` -> 123456).
    """
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        if math.isfinite(text):
            return float(text)
        raise NumberParseError("not a finite number", text=repr(text), where=where)
    return parse_amount(text, where=where).value  # type: ignore[arg-type]


def parse_series_report(
    series: pd.Series,
    *,
    errors: Literal["raise", "coerce"] = "coerce",
    where: str | None = None,
) -> ParsedSeries:
    """Read a column: ``(values, rejected)``, a :class:`ParsedSeries` named tuple.

    ``values`` is float64 with the index and name of ``series``. Missing cells (None,
    NaN, NA, blank text) are NaN and are not listed. With ``errors="coerce"`` unreadable
    cells are NaN too and ``rejected`` lists every one, in row order, as
    ``Rejection(index, text, reason)``. With ``errors="raise"`` the first missing or
    unreadable cell raises :class:`NumberParseError` with ``where="row <index>"``
    (prefixed by ``where`` when given, e.g. ``"budget.csv, column total.rev"``).
    Numeric columns pass through (±inf rejected). Each distinct text is read once.
    """
    return parse_column(series, errors=errors, where=where)


def parse_series(
    series: pd.Series,
    errors: Literal["raise", "coerce"] = "raise",
    *,
    where: str | None = None,
) -> pd.Series:
    """:func:`parse_number` for a whole column, fast; float64 with the same index.

    ``errors="raise"``: the first missing or unreadable cell raises
    :class:`NumberParseError` naming its row. ``errors="coerce"``: those cells become
    NaN; call :func:`parse_series_report` to get the list of rejected cells.
    """
    return parse_column(series, errors=errors, where=where).values


# ---------------------------------------------------------------------------------------
# Formatting for readers
Number = float | int | Decimal
_DASH: Final = "—"
_SHORT_UNITS: Final = ((9, "tỷ"), (6, "triệu"), (3, "nghìn"))


def _is_missing(x: object) -> bool:
    """None, NaN, pd.NA, NaT or a NaN Decimal."""
    return x is None or (pd.api.types.is_scalar(x) and bool(pd.isna(x)))


def _infinity(x: Number) -> str | None:
    """``∞``/``-∞`` for an infinite ``x``, else ``None``."""
    f = float(x)
    return None if math.isfinite(f) else ("∞" if f > 0 else "-∞")


def _exact(x: Number) -> Decimal:
    """The exact value of ``x``; for a float, the shortest decimal that reads back to it."""
    if isinstance(x, Decimal):
        return x
    if isinstance(x, (int, np.integer)):
        return Decimal(int(x))
    f = float(x)
    # repr: the shortest digits that read back to ``f``; never the binary expansion's
    # noise (1e27 is 1000000000000000013287555072 in binary, but was written 10^27)
    d = Decimal(repr(f))
    return d.to_integral_value() if f.is_integer() else d


def _vi_digits(d: Decimal, *, trim: bool) -> str:
    """``Decimal`` -> ``1.234,56`` (``-`` sign; trailing decimal zeros dropped if ``trim``)."""
    int_part, _, frac = format(d.copy_abs(), "f").partition(".")  # abs() rounds to 28 digits
    if trim:
        frac = frac.rstrip("0")
    grouped = f"{int(int_part):,}".replace(",", ".")
    out = f"{grouped},{frac}" if frac else grouped
    return "-" + out if d < 0 else out  # Decimal("-0.00") < 0 is False: no "-0"


def _rounded(d: Decimal, decimals: int) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = max(400, len(d.as_tuple().digits) + decimals + 2)
        return d.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def _render(x: Number, decimals: int | None, *, trim: bool) -> str | None:
    """Shared core: ``None`` for a missing value, else the Vietnamese digits."""
    if _is_missing(x):
        return None
    infinity = _infinity(x)
    if infinity is not None:
        return infinity
    d = _exact(x)
    if decimals is not None:
        d = _rounded(d, decimals)
    return _vi_digits(d, trim=trim)


def format_number(x: Number | None, decimals: int | None = None) -> str:
    """``1124`` -> ``1.124``; ``format_number(38.25, decimals=2)`` -> ``38,25``.

    ``decimals=None`` writes the shortest digits that read back to the same float
    (``parse_number(format_number(x)) == x``); an int gives exactly that many decimals
    (rounded half up). NaN/None -> ``—``.
    """
    out = _render(x, decimals, trim=False)
    return _DASH if out is None else out


def format_percent(x: Number | None, decimals: int = 2, *, signed: bool = False) -> str:
    """``60`` -> ``60%``, ``38.25`` -> ``38,25%``; at most ``decimals`` decimals, trailing
    zeros trimmed, no space before ``%``. ``signed=True`` writes ``+1,2%`` / ``-1,2%``
    (zero has no sign). NaN/None -> ``—``."""
    out = _render(x, decimals, trim=True)
    if out is None:
        return _DASH
    if signed and not out.startswith("-") and out != "0":
        out = "+" + out
    return out + "%"


def format_vnd(x: Number | None, short: bool = False, decimals: int = 2) -> str:
    """Money for readers: ``4884100000`` -> ``4.884.100.000 đ``.

    ``short=True`` picks tỷ, triệu or nghìn (the largest not above the amount), rounds to
    at most ``decimals`` decimals and trims trailing zeros: ``4,88 tỷ đồng``,
    ``3,2 tỷ đồng``, ``350 nghìn đồng``, ``1.500 tỷ đồng``, ``500 đồng``. The long form
    keeps every digit, so it reads back exactly. NaN/None -> ``—``.
    """
    if not short:
        out = _render(x, None, trim=False)
        return _DASH if out is None else f"{out} đ"
    if _is_missing(x):
        return _DASH
    assert x is not None
    infinity = _infinity(x)
    if infinity is not None:
        return f"{infinity} đồng"
    d = _exact(x)
    # The largest unit not above the amount; rounding up to 1000 of it moves one unit up.
    level = next((i for i, (exp, _) in enumerate(_SHORT_UNITS) if abs(d) >= 10**exp), None)
    scaled, words = _rounded(d, decimals), "đồng"
    if level is None and abs(scaled) >= 1000:
        level = len(_SHORT_UNITS) - 1
    if level is not None:
        exp, word = _SHORT_UNITS[level]
        scaled = _rounded(d.scaleb(-exp), decimals)
        if level > 0 and abs(scaled) >= 1000:
            exp, word = _SHORT_UNITS[level - 1]
            scaled = _rounded(d.scaleb(-exp), decimals)
        words = f"{word} đồng"
    return f"{_vi_digits(scaled, trim=True)} {words}"
