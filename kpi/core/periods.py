"""Quarter labels and reporting spans of real Vietnamese reports.

:func:`parse_quarter` reads ``Quý I/2022``, ``quý 1 năm 2022``, ``quí III/2021``,
``QUÝ I ... NĂM 2022``, ``Q1-2022``, ``2022Q1``, ``2022-Q1``, ``I/2022``, ``Quý 2 - 2022``.
:func:`parse_span` also reads ``6 tháng đầu năm 2022``, ``tháng 3/2022``, ``năm 2022`` and
dates (``ngày 31 tháng 3 năm 2022``, ``31/3/2022``). Text is NFC-normalised, spaces
normalised and case ignored. When a text names several periods the first one wins; its
year is the first year written after it (``QUÝ I VÀ ... QUÝ II NĂM 2022`` -> 2022Q1), else
the last year before it, else ``default_year``, else :class:`PeriodError`.
Quarters are ``pd.Period`` with freq ``Q-DEC``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Final, Literal

import pandas as pd

from kpi.errors import KpiError, PeriodError
from kpi.numbers.grammar import clean_text

__all__ = [
    "FREQ",
    "Span",
    "latest_quarter",
    "parse_quarter",
    "parse_span",
    "previous_quarter",
    "quarter_end",
    "quarter_label",
]

FREQ: Final = "Q-DEC"
SpanKind = Literal["quarter", "month", "ytd", "year", "to_date"]

_ROMAN: Final = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
_ROMAN_OUT: Final = {v: k.upper() for k, v in _ROMAN.items()}
_Q: Final = r"(?P<q>iv|iii|ii|i|[1-4])(?![\w])"
_YEAR: Final = r"(?:1[89]|2[01])[0-9]{2}"
_NOT_LETTER_BEFORE: Final = r"(?<![^\W\d_])"

# Quarter mentions, each with a group ``q`` and maybe ``y``.
_QUARTER_PATTERNS: Final = (
    re.compile(rf"(?<![0-9])(?P<y>{_YEAR}) ?[-/]? ?q(?P<q>[1-4])(?![\w])"),  # 2022Q1 2022-Q1
    re.compile(rf"{_NOT_LETTER_BEFORE}(?:quý|quí|quy|q)\.? *{_Q}"),  # Quý I, quí III, Q1
    re.compile(rf"(?<![\w/])(?P<q>iv|iii|ii|i) */ *(?P<y>{_YEAR})(?![0-9])"),  # I/2022
)
_BAD_QUARTER: Final = re.compile(rf"{_NOT_LETTER_BEFORE}(?:quý|quí|q) *([0-9]+|[ivx]+)(?![\w])")
# A year written right after a period: "/2022", "-2022", " năm 2022", "-Q1 2022".
_YEAR_NEXT: Final = re.compile(rf" *(?:[/,–-]|năm)? *(?P<y>{_YEAR})(?![0-9])")
_YEAR_ANY: Final = re.compile(rf"(?<![0-9.,])(?P<y>{_YEAR})(?![0-9]|[.,][0-9])")

_YTD: Final = re.compile(
    r"(?<![0-9.,])(?P<n>[0-9]{1,2}) *tháng(?! *[0-9])(?P<rest> *(?:đầu|cuối) *năm)?(?![^\W\d_])"
)
_MONTH: Final = re.compile(rf"{_NOT_LETTER_BEFORE}tháng *(?P<m>[0-9]{{1,2}})(?![0-9])")
_DATE: Final = re.compile(
    r"(?:(?:ngày *)?(?P<d1>[0-9]{1,2}) *tháng *(?P<m1>[0-9]{1,2}) *năm *(?P<y1>[0-9]{4}))"
    r"|(?<![0-9/])(?P<d2>[0-9]{1,2})/(?P<m2>[0-9]{1,2})/(?P<y2>[0-9]{4})(?![0-9])"
)
_YEAR_SPAN: Final = re.compile(rf"{_NOT_LETTER_BEFORE}năm *(?P<y>{_YEAR})(?![0-9])")


@dataclass(frozen=True, slots=True)
class Span:
    """What a reported number covers.

    ``span``: one of ``kpi.core.schema.SPANS``; ``period``: the quarter the span ends in;
    ``month``: 1..12 for a month span, else ``None``; ``months``: months covered (3 for a
    quarter, 6 for ``6 tháng đầu năm``, 12 for a year; 0 for ``to_date``, whose start is
    not said); ``as_of``: the date of a ``to_date`` span.
    """

    span: SpanKind
    period: pd.Period
    month: int | None
    months: int
    as_of: dt.date | None = None


def _normalised(text: object) -> str:
    if not isinstance(text, str):
        raise PeriodError(f"expected text, got {type(text).__name__}", text=repr(text))
    return clean_text(text).lower()


def _quarter(year: int, q: int) -> pd.Period:
    return pd.Period(year=year, quarter=q, freq=FREQ)


def _year_for(s: str, start: int, end: int, default_year: int | None, text: str) -> int:
    """The year of the period mentioned at ``s[start:end]`` (see the module docstring)."""
    nxt = _YEAR_NEXT.match(s, end)
    if nxt:
        return int(nxt["y"])
    after = _YEAR_ANY.search(s, end)
    if after:
        return int(after["y"])
    before = [m for m in _YEAR_ANY.finditer(s, 0, start)]
    if before:
        return int(before[-1]["y"])
    if default_year is not None:
        return int(default_year)
    raise PeriodError("no year in the label and no default_year given", text=text)


def _find_quarter(s: str) -> tuple[int, int, int, int | None] | None:
    """The first quarter mention: ``(start, end, quarter, year or None)``."""
    found = [m for p in _QUARTER_PATTERNS if (m := p.search(s))]
    if not found:
        return None
    m = min(found, key=lambda m: m.start())
    q = m["q"]
    quarter = _ROMAN[q] if q in _ROMAN else int(q)
    year = m.groupdict().get("y")
    return m.start(), m.end(), quarter, int(year) if year else None


def parse_quarter(text: str | pd.Period, default_year: int | None = None) -> pd.Period:
    """Read a quarter label as ``pd.Period`` (freq ``Q-DEC``).

    A ``pd.Period`` passes through (converted to its quarter). A label without a year
    takes ``default_year``; without one, or with no quarter in it, :class:`PeriodError`
    naming the text. The first quarter in the text wins.
    """
    if isinstance(text, pd.Period):
        return text.asfreq(FREQ)
    s = _normalised(text)
    hit = _find_quarter(s)
    if hit is None:
        bad = _BAD_QUARTER.search(s)
        reason = f"no quarter {bad[1].upper()}" if bad else "no quarter label"
        raise PeriodError(reason, text=text)
    start, end, q, year = hit
    if year is None:
        year = _year_for(s, start, end, default_year, text)
    return _quarter(year, q)


def _date_span(m: re.Match[str], text: str) -> Span:
    d, mo, y = (m["d1"], m["m1"], m["y1"]) if m["d1"] else (m["d2"], m["m2"], m["y2"])
    try:
        day = dt.date(int(y), int(mo), int(d))
    except ValueError as err:
        raise PeriodError(f"not a date ({err})", text=text) from None
    return Span("to_date", pd.Period(day, freq=FREQ), None, 0, day)


def parse_span(text: str, default_year: int | None = None) -> Span:
    """Read what a period phrase covers: quarter, month, year-to-date, year or to-date.

    ``quý I/2022`` -> quarter 2022Q1; ``6 tháng đầu năm 2022`` -> ytd ending 2022Q2
    (months=6); ``9 tháng`` -> ytd ending in Q3 of ``default_year``; ``tháng 3/2022`` ->
    month 3 of 2022Q1; ``năm 2022`` -> year, period 2022Q4; ``ngày 31 tháng 3 năm 2022`` or
    ``31/3/2022`` -> to_date 2022Q1 with ``as_of``. The first phrase in the text wins.
    Raises :class:`PeriodError` for no phrase, no year, a month outside 1-12 or a span
    that does not start with the year (``6 tháng cuối năm``).
    """
    s = _normalised(text)
    candidates: list[tuple[int, str, re.Match[str] | None]] = []
    hit = _find_quarter(s)
    if hit is not None:
        candidates.append((hit[0], "quarter", None))
    for kind, pattern in (("to_date", _DATE), ("ytd", _YTD), ("month", _MONTH),
                          ("year", _YEAR_SPAN)):  # fmt: skip
        m = pattern.search(s)
        if m:
            candidates.append((m.start(), kind, m))
    if not candidates:
        raise PeriodError("no quarter, month, year or date in the text", text=text)
    _, kind, m = min(candidates, key=lambda c: c[0])
    if kind == "quarter":
        p = parse_quarter(text, default_year)
        return Span("quarter", p, None, 3)
    assert m is not None
    if kind == "to_date":
        return _date_span(m, text)
    if kind == "year":
        return Span("year", _quarter(int(m["y"]), 4), None, 12)
    number = int(m["n"] if kind == "ytd" else m["m"])
    if not 1 <= number <= 12:
        raise PeriodError(f"no month {number}", text=text)
    if kind == "ytd" and m["rest"] and "cuối" in m["rest"]:
        raise PeriodError("a span ending the year is not year-to-date", text=text)
    year = _year_for(s, m.start(), m.end(), default_year, text)
    period = _quarter(year, (number - 1) // 3 + 1)
    if kind == "ytd":
        return Span("ytd", period, None, number)
    return Span("month", period, number, 1)


def previous_quarter(today: dt.date | None = None) -> pd.Period:
    """The last finished quarter: on 2022-04-01 (and on 2022-06-30) it is 2022Q1."""
    today = today or dt.date.today()
    return pd.Period(today, freq=FREQ) - 1


def latest_quarter(observations: pd.DataFrame) -> pd.Period:
    """The latest quarter in the ``period`` column; :class:`KpiError` if there is none."""
    if "period" not in observations.columns:
        raise KpiError("observations have no 'period' column")
    periods = observations["period"].dropna()
    if periods.empty:
        raise KpiError("no observations, so no latest quarter")
    if not isinstance(periods.dtype, pd.PeriodDtype):
        labels = periods.unique()
        periods = pd.Series([parse_quarter(p) for p in labels], dtype=pd.PeriodDtype(FREQ))
    return periods.max().asfreq(FREQ)


def quarter_label(p: pd.Period | str, lang: Literal["vi", "en"] = "vi") -> str:
    """``Quý I/2022`` (``lang="vi"``) or ``Q1 2022`` (``lang="en"``)."""
    period = parse_quarter(p)
    if lang == "vi":
        return f"Quý {_ROMAN_OUT[period.quarter]}/{period.year}"
    if lang == "en":
        return f"Q{period.quarter} {period.year}"
    raise PeriodError("label language must be 'vi' or 'en'", text=str(lang))


def quarter_end(p: pd.Period | str) -> dt.date:
    """The last day of the quarter: 2022Q1 -> 2022-03-31."""
    return parse_quarter(p).end_time.date()
