"""Words for readers: units, qualifiers, domains, spans and methods, in Vietnamese and English.

Number and period formatting itself lives in :mod:`kpi.numbers` and
:mod:`kpi.core.periods`; this module only puts those strings next to the right words.
``lang`` is ``"vi"`` (default) or ``"en"``; anything else reads as Vietnamese.
"""

from __future__ import annotations

import math
from typing import Final

import pandas as pd

from kpi import numbers
from kpi.core import periods
from kpi.core.domains import DOMAIN_NAMES

#: Display word for each base unit: (Vietnamese, English).
UNIT_WORDS: Final[dict[str, tuple[str, str]]] = {
    "dose": ("mũi", "doses"),
    "person": ("người", "people"),
    "household": ("hộ", "households"),
    "gift": ("suất quà", "gifts"),
    "tree": ("cây", "trees"),
    "dossier": ("hồ sơ", "dossiers"),
    "document": ("văn bản", "documents"),
    "head": ("con", "head"),
    "m": ("m", "m"),
    "ha": ("ha", "ha"),
}

#: How a qualifier is said before a number: (Vietnamese, English).
QUALIFIER_WORDS: Final[dict[str, tuple[str, str]]] = {
    "approx": ("gần", "nearly"),
    "more_than": ("hơn", "more than"),
    "less_than": ("dưới", "less than"),
    "estimate": ("ước", "an estimated"),
}

METHOD_NAMES: Final[dict[str, tuple[str, str]]] = {
    "reported": ("số báo cáo", "as reported"),
    "ytd_q1": ("số lũy kế 3 tháng", "3-month cumulative figure"),
    "sum_of_months": ("tổng 3 tháng", "sum of the three months"),
    "ytd_difference": ("lũy kế trừ lũy kế quý trước", "year-to-date minus the previous one"),
    "sum_of_quarters": ("cộng dồn các quý", "sum of the quarters"),
    "last_as_of": ("số đến thời điểm gần nhất", "latest to-date figure"),
    "last_month": ("số tháng gần nhất", "latest monthly figure"),
    "ytd_level": ("số lũy kế", "cumulative figure"),
    "parts": ("tính từ tử số và mẫu số", "computed from its parts"),
}

MEASURE_NAMES: Final[dict[str, tuple[str, str]]] = {
    "value": ("", ""),
    "plan": ("kế hoạch", "plan"),
    "pct_of_plan": ("% kế hoạch", "% of plan"),
    "pct_change_yoy": ("% so với cùng kỳ", "% change on a year before"),
    "pct_change_qoq": ("% so với quý trước", "% change on the previous quarter"),
    "pct_of_prior_year": ("% so với cùng kỳ năm trước", "% of the same period last year"),
    "share_pct": ("tỷ trọng", "share"),
}

_MONTHS_EN: Final = ("January", "February", "March", "April", "May", "June", "July",
                     "August", "September", "October", "November", "December")


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if lang == "en" else pair[0]


def unit_word(unit: str, lang: str = "vi") -> str:
    """The word written after a count ("mũi", "hộ"); the unit code itself when unknown."""
    return _pick(UNIT_WORDS[unit], lang) if unit in UNIT_WORDS else unit


def domain_name(domain: str, lang: str = "vi") -> str:
    return _pick(DOMAIN_NAMES[domain], lang) if domain in DOMAIN_NAMES else domain


def method_label(method: str, lang: str = "vi") -> str:
    return _pick(METHOD_NAMES[method], lang) if method in METHOD_NAMES else method


def quarter_label(period: pd.Period | str, lang: str = "vi") -> str:
    """"Quý I/2022" or "Q1 2022"."""
    return periods.quarter_label(pd.Period(period, freq="Q-DEC"),
                                 lang="en" if lang == "en" else "vi")


def in_sentence(label: str, lang: str = "vi") -> str:
    """A label as it reads mid-sentence ("Quý I/2022" → "quý I/2022")."""
    return label[:1].lower() + label[1:] if lang != "en" and label else label


#: Vietnamese money words and their English equivalents (longest first).
_MONEY_EN: Final = (("tỷ đồng", "billion VND"), ("triệu đồng", "million VND"),
                    ("nghìn đồng", "thousand VND"), ("đồng", "VND"), ("đ", "VND"))


def english(text: str) -> str:
    """A string from :mod:`kpi.numbers.vietnamese` in English style: separators swapped
    ("4,88 tỷ đồng" → "4.88 billion VND", "1.124" → "1,124")."""
    text = text.translate(str.maketrans({".": ",", ",": "."}))
    for vi, en in _MONEY_EN:
        if text.endswith(" " + vi):
            return text[: -len(vi)] + en
    return text


def _styled(text: str, lang: str) -> str:
    return english(text) if lang == "en" else text


def _missing(x: object) -> bool:
    return x is None or x is pd.NA or (isinstance(x, float) and math.isnan(x))


def format_value(value: float, unit: str, lang: str = "vi", *, short: bool = True) -> str:
    """A value with its unit: "4,88 tỷ đồng" (money, short), "4.173 mũi", "38,25%";
    "—" when missing."""
    if _missing(value):
        return "—"
    if unit == "VND":
        return _styled(numbers.format_vnd(value, short=short), lang)
    if unit == "percent":
        return _styled(numbers.format_percent(value), lang)
    word = unit_word(unit, lang)
    # counts are whole; a derived count (a difference of rounded figures) keeps 2 decimals
    text = _styled(numbers.format_number(round(float(value), 2)), lang)
    return f"{text} {word}" if word else text


def format_change(pct: float, lang: str = "vi") -> str:
    """A signed percentage change, one decimal ("+12,3%", "-3,1%"); "—" when unknown."""
    if _missing(pct):
        return "—"
    return _styled(numbers.format_percent(pct, decimals=1, signed=True), lang)


def format_pct(pct: float, lang: str = "vi") -> str:
    """An unsigned percentage, one decimal ("30%", "12,3%"); "—" when unknown."""
    if _missing(pct):
        return "—"
    return _styled(numbers.format_percent(pct, decimals=1), lang)


def qualified(text: str, qualifier: str, lang: str = "vi") -> str:
    """A formatted amount with its qualifier word in front ("gần 4,88 tỷ đồng")."""
    if qualifier in QUALIFIER_WORDS:
        return f"{_pick(QUALIFIER_WORDS[qualifier], lang)} {text}"
    return text


def cell_label(period: pd.Period, span: str, lang: str = "vi", *, month: int | None = None,
               as_of: str = "", measure: str = "value") -> str:
    """What a figure covers, for a sentence: "quý I/2022", "tháng 3/2022",
    "lũy kế đến quý II/2022", "năm 2022", "tính đến 31/03/2022" (and the English)."""
    period = pd.Period(period, freq="Q-DEC")
    year = period.qyear
    en = lang == "en"
    if span == "month" and month is not None:
        text = f"{_MONTHS_EN[month - 1]} {year}" if en else f"tháng {month}/{year}"
    elif span == "ytd":
        q = quarter_label(period, lang)
        text = f"year to date, {q}" if en else f"lũy kế đến {in_sentence(q)}"
    elif span == "year":
        text = f"year {year}" if en else f"năm {year}"
    elif span == "to_date":
        if as_of:
            day = pd.Timestamp(as_of)
            text = (f"to {day.day} {_MONTHS_EN[day.month - 1]} {day.year}" if en
                    else f"tính đến {day:%d/%m/%Y}")
        else:
            q = quarter_label(period, lang)
            text = f"to date ({q})" if en else f"tính đến thời điểm báo cáo ({in_sentence(q)})"
    else:
        text = in_sentence(quarter_label(period, lang), lang)
    extra = _pick(MEASURE_NAMES.get(measure, (measure, measure)), lang)
    return f"{extra}, {text}" if extra else text
