"""kpi.core.periods: quarter labels and reporting spans of real reports."""

from __future__ import annotations

import datetime as dt
import unicodedata
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kpi.core.periods import (
    Span,
    latest_quarter,
    parse_quarter,
    parse_span,
    previous_quarter,
    quarter_end,
    quarter_label,
)
from kpi.errors import KpiError, PeriodError

ROOT = Path(__file__).resolve().parents[2]
REPORT = ROOT / "data" / "raw" / "reports" / "cam-xuyen-town_2022Q1_52-BC-DU.txt"


def q(label: str) -> pd.Period:
    return pd.Period(label, freq="Q-DEC")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Quý I/2022", "2022Q1"),
        ("quý 1 năm 2022", "2022Q1"),
        ("QUÝ I NĂM 2022", "2022Q1"),
        ("QUÝ   II NĂM 2022", "2022Q2"),
        ("quí III/2021", "2021Q3"),
        ("Quý IV/2021", "2021Q4"),
        ("Q1-2022", "2022Q1"),
        ("Q4/2021", "2021Q4"),
        ("2022Q1", "2022Q1"),
        ("2022-Q3", "2022Q3"),
        ("I/2022", "2022Q1"),
        ("IV / 2022", "2022Q4"),
        ("Quý 2 - 2022", "2022Q2"),
        ("Năm 2022, quý III", "2022Q3"),  # a year written before the quarter
        ("tình hình quý I/2022 và quý IV/2021", "2022Q1"),  # the first quarter wins
    ],
)
def test_parse_quarter(text: str, expected: str) -> None:
    period = parse_quarter(text)
    assert period == q(expected)
    assert period.freqstr == "Q-DEC"


def test_first_quarter_wins_in_a_title() -> None:
    title = "QUÝ I VÀ TRIỂN KHAI NHIỆM VỤ TRỌNG TÂM QUÝ II NĂM 2022"
    assert parse_quarter(title) == q("2022Q1")


def test_seed_report_title() -> None:
    head = REPORT.read_text(encoding="utf-8").splitlines()[:20]
    title = " ".join(line.strip() for line in head if "QUÝ" in line)
    assert parse_quarter(title) == q("2022Q1")


def test_nfd_label() -> None:
    assert parse_quarter(unicodedata.normalize("NFD", "Quý II/2022")) == q("2022Q2")


def test_no_break_space_in_label() -> None:
    assert parse_quarter("Quý\u00a0III\u00a0năm\u00a02022") == q("2022Q3")


def test_default_year() -> None:
    assert parse_quarter("Quý IV", default_year=2021) == q("2021Q4")
    assert parse_quarter("quý 2 năm 2022", default_year=1999) == q("2022Q2")


def test_missing_year_without_default() -> None:
    with pytest.raises(PeriodError, match="no year") as info:
        parse_quarter("Quý IV")
    assert info.value.text == "Quý IV"


@pytest.mark.parametrize("text", ["", "abc", "tháng 3/2022", "2022", "quý V/2022", "quý 5/2022"])
def test_bad_labels(text: str) -> None:
    with pytest.raises(PeriodError) as info:
        parse_quarter(text)
    assert info.value.text == text
    assert isinstance(info.value, KpiError) and isinstance(info.value, ValueError)


def test_quarter_number_out_of_range_is_named() -> None:
    with pytest.raises(PeriodError, match="no quarter 5"):
        parse_quarter("quý 5/2022")


def test_none_is_a_period_error() -> None:
    with pytest.raises(PeriodError):
        parse_quarter(None)  # type: ignore[arg-type]


def test_period_passes_through() -> None:
    assert parse_quarter(pd.Period("2022-05", freq="M")) == q("2022Q2")


ALL_QUARTERS = list(pd.period_range("1990Q1", "2100Q4", freq="Q-DEC"))


def test_label_round_trip_every_quarter_1990_2100() -> None:
    for p in ALL_QUARTERS:
        assert parse_quarter(quarter_label(p)) == p
        assert parse_quarter(quarter_label(p, lang="en")) == p


@given(st.sampled_from(ALL_QUARTERS), st.sampled_from(["vi", "en"]))
def test_label_round_trip_property(p: pd.Period, lang: str) -> None:
    assert parse_quarter(quarter_label(p, lang=lang)) == p  # type: ignore[arg-type]


@given(st.text())
def test_arbitrary_text_gives_a_quarter_or_a_period_error(text: str) -> None:
    try:
        period = parse_quarter(text)
    except PeriodError:
        return
    assert isinstance(period, pd.Period) and period.freqstr == "Q-DEC"


def test_quarter_label() -> None:
    assert quarter_label(q("2022Q1")) == "Quý I/2022"
    assert quarter_label(q("2021Q4")) == "Quý IV/2021"
    assert quarter_label("2022Q3", lang="en") == "Q3 2022"
    with pytest.raises(PeriodError):
        quarter_label(q("2022Q1"), lang="fr")  # type: ignore[arg-type]


def test_quarter_end() -> None:
    assert quarter_end(q("2022Q1")) == dt.date(2022, 3, 31)
    assert quarter_end("2024Q4") == dt.date(2024, 12, 31)


def test_previous_quarter() -> None:
    assert previous_quarter(dt.date(2022, 4, 1)) == q("2022Q1")
    assert previous_quarter(dt.date(2022, 6, 30)) == q("2022Q1")
    assert previous_quarter(dt.date(2022, 3, 31)) == q("2021Q4")
    assert previous_quarter(dt.date(2022, 1, 1)) == q("2021Q4")
    assert previous_quarter() == pd.Period(dt.date.today(), freq="Q-DEC") - 1


def test_latest_quarter() -> None:
    obs = pd.DataFrame({"period": pd.PeriodIndex(["2021Q4", "2022Q2", "2022Q1"], freq="Q-DEC")})
    assert latest_quarter(obs) == q("2022Q2")
    assert latest_quarter(pd.DataFrame({"period": ["2021Q4", "Quý I/2022"]})) == q("2022Q1")


def test_latest_quarter_of_nothing() -> None:
    empty = pd.DataFrame({"period": pd.PeriodIndex([], freq="Q-DEC")})
    with pytest.raises(KpiError, match="no observations"):
        latest_quarter(empty)
    with pytest.raises(KpiError, match="period"):
        latest_quarter(pd.DataFrame({"value": [1.0]}))


# --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "default_year", "expected"),
    [
        ("6 tháng đầu năm 2022", None, Span("ytd", q("2022Q2"), None, 6)),
        ("9 tháng", 2022, Span("ytd", q("2022Q3"), None, 9)),
        ("9 tháng năm 2021", 2022, Span("ytd", q("2021Q3"), None, 9)),
        ("5 tháng đầu năm", 2022, Span("ytd", q("2022Q2"), None, 5)),
        ("tháng 3", 2022, Span("month", q("2022Q1"), 3, 1)),
        ("tháng 3/2022", None, Span("month", q("2022Q1"), 3, 1)),
        ("tháng 11 năm 2021", None, Span("month", q("2021Q4"), 11, 1)),
        ("năm 2022", None, Span("year", q("2022Q4"), None, 12)),
        ("cả năm 2021", None, Span("year", q("2021Q4"), None, 12)),
        ("quý I/2022", None, Span("quarter", q("2022Q1"), None, 3)),
        ("Quý III", 2022, Span("quarter", q("2022Q3"), None, 3)),
        ("2022Q2", None, Span("quarter", q("2022Q2"), None, 3)),
        (
            "tính đến ngày 31 tháng 3 năm 2022",
            None,
            Span("to_date", q("2022Q1"), None, 0, dt.date(2022, 3, 31)),
        ),
        (
            "Cẩm Xuyên, 22 tháng 3 năm 2022",
            None,
            Span("to_date", q("2022Q1"), None, 0, dt.date(2022, 3, 22)),
        ),
        ("lũy kế đến 15/5/2022", None, Span("to_date", q("2022Q2"), None, 0, dt.date(2022, 5, 15))),
    ],
)
def test_parse_span(text: str, default_year: int | None, expected: Span) -> None:
    assert parse_span(text, default_year=default_year) == expected


def test_span_first_phrase_wins() -> None:
    assert parse_span("quý I năm 2022 và 6 tháng đầu năm").span == "quarter"
    assert parse_span("6 tháng đầu năm 2022, riêng quý II").span == "ytd"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("6 tháng đầu năm", "no year"),
        ("tháng 3", "no year"),
        ("tháng 13/2022", "no month 13"),
        ("15 tháng", "no month 15"),
        ("6 tháng cuối năm 2022", "not year-to-date"),
        ("ngày 31 tháng 2 năm 2022", "not a date"),
        ("abc", "no quarter, month"),
        ("", "no quarter, month"),
    ],
)
def test_parse_span_errors(text: str, reason: str) -> None:
    with pytest.raises(PeriodError, match=reason) as info:
        parse_span(text)
    assert info.value.text == text
