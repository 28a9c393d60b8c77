"""Whole-column number parsing (private to :mod:`kpi.numbers.vietnamese`).

Columns repeat values, so each distinct cell is read once. Distinct texts in the common
shapes (``4.092.593.200đ``, ``3,2 tỷ đồng``, ``52,3%``) are read in bulk with
``pyarrow.compute``; every other distinct text goes through the scalar reader
:func:`kpi.numbers.grammar.read_amount`. The bulk path only accepts texts the scalar reader reads
to the very same float, so both paths agree cell for cell.
"""

from __future__ import annotations

import math
from typing import Any, Final, Literal, NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from kpi.errors import NumberParseError
from kpi.numbers.grammar import EMPTY, Unreadable, read_amount


class Rejection(NamedTuple):
    """One cell that could not be read: its index label, its text and why."""

    index: Any
    text: str
    reason: str


class ParsedSeries(NamedTuple):
    """Values (float64, NaN where missing or rejected) and the rejected cells."""

    values: pd.Series
    rejected: list[Rejection]


# A numeral at the start, then a rest with no digit. The numeral ends where the scalar
# reader's numeral ends (the rest starts with neither digit nor separator), so the scalar
# reader reads the rest the same whatever the digits: its scale is read once per distinct
# rest, as the scalar reading of "1" + rest.
_SPLIT: Final = (
    r"^(?P<sign>[-−+]?)(?P<int>[0-9.]+)(?:,(?P<frac>[0-9]+))?(?P<rest>[^0-9.,][^0-9]*)?$"
)
_GROUPED: Final = r"^(?:[1-9][0-9]{0,2}(?:\.[0-9]{3})+|[0-9]+)$"  # 1.124 / 1124
_DOT_DECIMAL: Final = r"^[0-9]+\.(?:[0-9]{1,2}|[0-9]{4,})$"  # 98.4 (only when no comma)
_POW10: Final = 10.0 ** np.arange(23)  # exact doubles up to 1e22
_MAX_BULK_DIGITS: Final = 15  # mantissas below 2**53 convert to float exactly
_NOT_READ: Final = -1000


def _rest_exponents(rests: pa.Array) -> np.ndarray:
    """Power of ten each distinct rest applies (``_NOT_READ`` if the scalar reader objects)."""
    out = np.full(len(rests), _NOT_READ, dtype=np.int64)
    for i, rest in enumerate(rests.to_pylist()):
        try:
            out[i] = len(str(read_amount("1" + (rest or "")).multiplier)) - 1
        except Unreadable:
            continue  # the scalar reader will say why, text by text
    return out


def _bulk_read(texts: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Read numeral-then-words texts in bulk: ``(values, done)``; ``done`` False: not read.

    A mantissa below 2**53 and a power of ten up to 1e22 are exact doubles, so one
    multiplication or division gives the correctly rounded value, the same float the
    scalar reader's integer arithmetic gives.
    """
    n = len(texts)
    values = np.full(n, np.nan)
    found = pc.extract_regex(texts, _SPLIT)
    numeral, frac = pc.struct_field(found, "int"), pc.struct_field(found, "frac")
    rest = pc.dictionary_encode(pc.struct_field(found, "rest"))
    rest_exp = _rest_exponents(rest.dictionary)
    grouped = pc.match_substring_regex(numeral, _GROUPED)
    dot_decimal = pc.and_(pc.equal(frac, ""), pc.match_substring_regex(numeral, _DOT_DECIMAL))
    mantissa = pc.binary_join_element_wise(
        pc.replace_substring(numeral, ".", ""), frac, pa.scalar("", frac.type)
    )
    short = pc.less_equal(pc.utf8_length(mantissa), _MAX_BULK_DIGITS)
    ok = pc.fill_null(pc.and_(pc.or_(grouped, dot_decimal), short), False).to_numpy(
        zero_copy_only=False
    )
    # a text the split did not match has no rest: it looks up the trailing _NOT_READ
    rest_exp = np.append(rest_exp, _NOT_READ)
    scale = rest_exp[pc.fill_null(rest.indices, len(rest.dictionary)).to_numpy()]
    dec_np = pc.fill_null(dot_decimal, False).to_numpy(zero_copy_only=False)
    idx = np.flatnonzero(ok & (scale != _NOT_READ))
    if not len(idx):
        return values, np.zeros(n, dtype=bool)
    sel = pa.array(idx)
    frac_len = pc.utf8_length(pc.take(frac, sel)).to_numpy()
    taken = pc.take(numeral, sel)
    dot_len = pc.subtract(pc.subtract(pc.utf8_length(taken), pc.find_substring(taken, ".")), 1)
    frac_len = np.where(dec_np[idx], dot_len.to_numpy(), frac_len)
    exp = scale[idx] - frac_len
    fits = np.abs(exp) <= 22
    idx, exp, sel = idx[fits], exp[fits], pa.array(idx[fits])
    m = pc.cast(pc.take(mantissa, sel), pa.int64()).to_numpy().astype(np.float64)
    positive = exp >= 0
    v = np.where(positive, m * _POW10[np.where(positive, exp, 0)], 0.0)
    v = np.where(positive, v, m / _POW10[np.where(positive, 0, -exp)])
    sign = pc.take(pc.struct_field(found, "sign"), sel)
    negative = pc.is_in(sign, pa.array(["-", "−"])).to_numpy(zero_copy_only=False)
    values[idx] = np.where(negative, -v, v)
    done = np.zeros(n, dtype=bool)
    done[idx] = True
    return values, done


def _read_distinct(uniques: pd.Index) -> tuple[np.ndarray, dict[int, Unreadable], np.ndarray]:
    """Read each distinct cell: ``(values, failures by position, blank mask)``."""
    n = len(uniques)
    values = np.full(n, np.nan)
    failures: dict[int, Unreadable] = {}
    blank = np.zeros(n, dtype=bool)
    if uniques.dtype == object:
        is_text = np.fromiter((isinstance(t, str) for t in uniques), dtype=bool, count=n)
        for i in np.flatnonzero(~is_text):
            values[i] = _read_cell_number(uniques[i], failures, int(i))
        text_pos = np.flatnonzero(is_text)
        texts = pa.array(uniques[text_pos], type=pa.large_string())
    else:  # a string dtype: every distinct value is text
        text_pos = np.arange(n)
        texts = pa.array(uniques.array)
        if isinstance(texts, pa.ChunkedArray):
            texts = texts.combine_chunks()
    bulk, done = _bulk_read(texts)
    values[text_pos[done]] = bulk[done]
    others = text_pos[~done]
    for i, text in zip(others, uniques[others], strict=True):
        try:
            values[i] = read_amount(text).value
        except Unreadable as err:
            if err.reason == EMPTY:
                blank[i] = True  # a blank cell is a missing cell
            else:
                failures[int(i)] = err
    return values, failures, blank


def _read_cell_number(cell: object, failures: dict[int, Unreadable], i: int) -> float:
    """A non-text cell: a real number passes through; anything else is a failure."""
    if isinstance(cell, (int, float, np.integer, np.floating)) and not isinstance(
        cell, (bool, np.bool_)
    ):
        value = float(cell)
        if math.isfinite(value):
            return value
        failures[i] = Unreadable("not a finite number")
    else:
        failures[i] = Unreadable(f"not text or a number ({type(cell).__name__})")
    return math.nan


def _locate(where: str | None, index: Any) -> str:
    return f"{where}, row {index}" if where else f"row {index}"


def parse_column(
    series: pd.Series,
    *,
    errors: Literal["raise", "coerce"] = "raise",
    where: str | None = None,
) -> ParsedSeries:
    """Implementation of :func:`kpi.numbers.parse_series_report` (see there)."""
    if errors not in ("raise", "coerce"):
        raise ValueError(f"errors must be 'raise' or 'coerce', not {errors!r}")
    if isinstance(series.dtype, pd.CategoricalDtype):
        series = series.astype(object)
    if pd.api.types.is_bool_dtype(series.dtype):
        raise NumberParseError("a boolean column holds no numbers", where=where)
    if pd.api.types.is_numeric_dtype(series.dtype):
        return _numeric_column(series, errors=errors, where=where)
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    values_u, failures, blank = _read_distinct(pd.Index(uniques))
    missing_codes = np.flatnonzero(blank)
    values_u[missing_codes] = np.nan
    values = np.append(values_u, np.nan)[codes]  # code -1 (missing) picks the NaN
    result = pd.Series(values, index=series.index, name=series.name, dtype="float64")
    if errors == "raise":
        _raise_first(series, codes, missing_codes, failures, where)
        return ParsedSeries(result, [])
    rejected: list[Rejection] = []
    if failures:
        bad = np.fromiter(failures, dtype=np.int64)
        positions = np.flatnonzero(np.isin(codes, bad))
        labels = series.index[positions]
        for pos, label in zip(positions, labels, strict=True):
            code = int(codes[pos])
            rejected.append(Rejection(label, str(uniques[code]), failures[code].reason))
    return ParsedSeries(result, rejected)


def _raise_first(
    series: pd.Series,
    codes: np.ndarray,
    missing_codes: np.ndarray,
    failures: dict[int, Unreadable],
    where: str | None,
) -> None:
    """Raise for the first row that is missing or unreadable (if any)."""
    missing = (codes == -1) | np.isin(codes, missing_codes)
    first_missing = int(np.argmax(missing)) if missing.any() else len(codes)
    # Distinct values are numbered in order of first appearance: the smallest failing
    # code is the earliest failing row.
    first_bad = int(np.argmax(codes == min(failures))) if failures else len(codes)
    if first_missing == first_bad == len(codes):
        return
    if first_missing < first_bad:
        cell = series.iloc[first_missing]
        raise NumberParseError(
            "missing value",
            text=None if not isinstance(cell, str) else cell,
            where=_locate(where, series.index[first_missing]),
        )
    err = failures[int(codes[first_bad])]
    cell = series.iloc[first_bad]
    raise NumberParseError(
        err.reason,
        text=cell if isinstance(cell, str) else repr(cell),
        where=_locate(where, series.index[first_bad]),
        suggestion=err.suggestion,
    )


def _numeric_column(
    series: pd.Series, *, errors: Literal["raise", "coerce"], where: str | None
) -> ParsedSeries:
    values = series.astype("float64")
    arr = values.to_numpy()
    missing = np.isnan(arr)
    infinite = np.isinf(arr)
    if errors == "raise":
        bad = missing | infinite
        if bad.any():
            pos = int(np.argmax(bad))
            reason = "missing value" if missing[pos] else "not a finite number"
            raise NumberParseError(
                reason,
                text=None if missing[pos] else repr(arr[pos]),
                where=_locate(where, series.index[pos]),
            )
        return ParsedSeries(values, [])
    positions = np.flatnonzero(infinite)
    rejected = [Rejection(series.index[p], repr(arr[p]), "not a finite number") for p in positions]
    values = values.where(~infinite)
    return ParsedSeries(values, rejected)
