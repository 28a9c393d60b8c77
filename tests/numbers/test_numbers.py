"""kpi.numbers.vietnamese: reading and writing Vietnamese numbers, money and percentages."""

from __future__ import annotations

import math
import subprocess
import sys
import unicodedata
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpi.errors import KpiError, NumberParseError
from kpi.numbers.vietnamese import (
    AMOUNT_PATTERN,
    Amount,
    Rejection,
    format_number,
    format_percent,
    format_vnd,
    parse_amount,
    parse_number,
    parse_series,
    parse_series_report,
)

ROOT = Path(__file__).resolve().parents[2]
REPORT = ROOT / "data" / "raw" / "reports" / "cam-xuyen-town_2022Q1_52-BC-DU.txt"


def vi_digits(d: Decimal) -> str:
    """Vietnamese digits written independently of kpi.numbers.vietnamese (the test's own oracle)."""
    sign = "-" if d < 0 else ""
    int_part, _, frac = format(abs(d), "f").partition(".")
    grouped = f"{int(int_part):,}".replace(",", ".")
    return sign + (f"{grouped},{frac}" if frac else grouped)


# --------------------------------------------------------------------------------------
# parse_number: the documented readings
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("4.884.100.000đ", 4_884_100_000),
        ("4.884.100.000 đ", 4_884_100_000),
        ("458.000.000 đồng", 458_000_000),
        ("97.200.000đ.", 97_200_000),  # sentence full stop after the amount
        ("1.124", 1124),
        ("38,25%", 38.25),
        ("1,2 %", 1.2),
        ("60%", 60),
        ("100%KH", 100),
        ("3,2 tỷ đồng", 3_200_000_000),
        ("3,2 TỶ ĐỒNG", 3_200_000_000),
        ("65,1 tỷ", 65_100_000_000),
        ("45 tỉ", 45_000_000_000),
        ("38,60 triệu đồng", 38_600_000),
        ("350 nghìn đồng", 350_000),
        ("350 ngàn đồng", 350_000),
        ("1,5 nghìn tỷ", 1_500_000_000_000),
        ("147 triệu 700 nghìn đồng", 147_700_000),
        ("1 tỷ 200 triệu 500 nghìn đồng", 1_200_500_000),
        ("5 tỷđồng", 5_000_000_000),
        ("215.000.000 VNĐ", 215_000_000),
        ("215.000.000 VND", 215_000_000),
        ("215.000.000 vnđ", 215_000_000),
        ("215.000.000₫", 215_000_000),
        ("85mũi", 85),
        ("105.301con", 105_301),
        ("4.173 mũi", 4173),
        ("20 người/km2", 20),
        ("1.200m2", 1200),
        ("98.4%", 98.4),  # one dot before 1-2 digits and no comma: decimal mark
        ("1234.5678", 1234.5678),
        ("1.124,5", 1124.5),
        ("1,124", 1.124),  # one comma is always the decimal mark
        ("4,884,100,000", 4_884_100_000),  # English grouping: never 4.884
        ("03", 3),
        ("-5", -5),
        ("−1,2%", -1.2),
        ("+1,2%", 1.2),
        ("5 phần trăm", 5),
        ("17 đồng chí", 17),  # comrades, not money
        ("2022 tỷ lệ", 2022),  # "tỷ lệ" is "rate", not a multiplier
    ],
)
def test_parse_number_reads(text: str, expected: float) -> None:
    assert parse_number(text) == expected


def test_values_are_exact_not_float_products() -> None:
    assert parse_number("65,1 tỷ") == 65_100_000_000.0
    assert 65.1 * 1e9 != 65_100_000_000.0  # the trap the reader must avoid
    assert parse_number("0,1 triệu") == 100_000.0
    assert parse_number("1,15 tỷ") == 1_150_000_000.0


def test_real_numbers_pass_through() -> None:
    assert parse_number(4_884_100_000) == 4_884_100_000.0
    assert parse_number(38.25) == 38.25


def test_parse_amount_units_and_multiplier() -> None:
    assert parse_amount("3,2 tỷ đồng") == Amount(3_200_000_000.0, "VND", 10**9)
    assert parse_amount("38,25%") == Amount(38.25, "percent", 1)
    assert parse_amount("1.124") == Amount(1124.0, "", 1)
    assert parse_amount("50 tỷ") == Amount(50_000_000_000.0, "", 10**9)
    assert parse_amount("147 triệu 700 nghìn đồng").multiplier == 10**6
    assert parse_amount("17 đồng chí").unit == ""


# --------------------------------------------------------------------------------------
# Bad inputs, one test each
def _error(text: object) -> NumberParseError:
    with pytest.raises(NumberParseError) as info:
        parse_number(text)  # type: ignore[arg-type]
    assert isinstance(info.value, KpiError) and isinstance(info.value, ValueError)
    return info.value


def test_empty_string() -> None:
    err = _error("")
    assert "empty" in str(err)


def test_blank_with_no_break_spaces() -> None:
    assert "empty" in str(_error("\u00a0 \u2009"))


def test_not_available() -> None:
    err = _error("N/A")
    assert err.text == "N/A" and "no digits" in str(err)


def test_em_dash() -> None:
    assert _error("—").text == "—"


def test_letters() -> None:
    assert "no digits" in str(_error("abc"))


def test_none() -> None:
    assert "NoneType" in str(_error(None))


def test_nan() -> None:
    assert "finite" in str(_error(float("nan")))


def test_groups_of_wrong_width() -> None:
    err = _error("1.2.3")
    assert "3 digits" in str(err) and err.suggestion is None


def test_misplaced_group_suggests_reading() -> None:
    err = _error("1.23.456")
    assert err.suggestion == 123456
    assert "did you mean 123456" in str(err)


def test_dot_before_three_digits_after_a_long_head() -> None:
    assert _error("1234.567").suggestion == 1234.567
    assert _error("0.500").suggestion == 0.5


def test_english_decimal_point_after_groups() -> None:
    err = _error("1,234.5")
    assert "English" in str(err) and err.suggestion == 1234.5


def test_dangling_number_after_multiplier() -> None:
    assert "'500'" in str(_error("2 tỷ 500"))


def test_compound_parts_must_decrease() -> None:
    _error("1 nghìn 5 triệu")
    _error("1 triệu 2000 nghìn")


def test_percent_with_multiplier() -> None:
    assert "percentage" in str(_error("5 triệu %"))


def test_scientific_notation() -> None:
    assert _error("5e3").suggestion == 5000


def test_glued_code_is_not_a_unit() -> None:
    _error("0x1f")


def test_text_before_the_number() -> None:
    assert "start" in str(_error("hơn 3,2 tỷ"))


def test_where_is_quoted() -> None:
    with pytest.raises(NumberParseError, match=r"at budget\.csv row 4"):
        parse_number("abc", where="budget.csv row 4")


def test_nfd_decomposed_text() -> None:
    text = unicodedata.normalize("NFD", "3,2 tỷ đồng")
    assert text != "3,2 tỷ đồng"
    assert parse_number(text) == 3.2e9
    assert parse_amount(text).unit == "VND"


def test_no_break_space_inside_amount() -> None:
    assert parse_number("4.884.100.000\u00a0đ") == 4_884_100_000
    assert parse_number("4.884.100.000\u202fđ") == 4_884_100_000
    assert parse_number("\u20093,2\u00a0tỷ\u00a0đồng ") == 3.2e9


def test_english_grouping_is_never_a_small_decimal() -> None:
    try:
        value = parse_number("4,884,100,000")
    except NumberParseError:
        return
    assert value == 4_884_100_000


# --------------------------------------------------------------------------------------
# AMOUNT_PATTERN on the seed report
def test_amount_pattern_finds_mentions_in_prose() -> None:
    text = (
        "thu ngân sách đạt 4.884.100.000đ [4], hơn 3,2 tỷ đồng/665 đối tượng; "
        "hỗ trợ 147 triệu 700 nghìn đồng cho 17 đồng chí, giảm 1,2 % so với cùng kỳ"
    )
    found = [m.group() for m in AMOUNT_PATTERN.finditer(text)]
    assert found == [
        "4.884.100.000đ",
        "4",
        "3,2 tỷ đồng",
        "665",
        "147 triệu 700 nghìn đồng",
        "17",
        "1,2 %",
    ]
    m = next(AMOUNT_PATTERN.finditer("hơn 3,2 tỷ đồng"))
    assert (m["num"], m["mult"], m["cur"], m["pct"]) == ("3,2", "tỷ", "đồng", None)
    m = next(AMOUNT_PATTERN.finditer("đạt 38,25%KH"))
    assert (m["num"], m["pct"]) == ("38,25", "%")


def test_amount_pattern_signs_and_glued_numbers() -> None:
    found = [m.group() for m in AMOUNT_PATTERN.finditer("Covid-19, F0, tăng -2,5% (−3 tỷ)")]
    assert found == ["19", "-2,5%", "−3 tỷ"]


def test_every_mention_in_the_seed_report_is_read_or_rejected_with_a_typed_error() -> None:
    text = unicodedata.normalize("NFC", REPORT.read_text(encoding="utf-8"))
    amounts = []
    for m in AMOUNT_PATTERN.finditer(text):
        try:
            amounts.append(parse_amount(m.group()))
        except NumberParseError:
            continue
    money = {a.value for a in amounts if a.unit == "VND"}
    assert {4_884_100_000, 458_000_000, 97_200_000, 499_640_000, 3_200_000_000} <= money
    assert 1124 in {a.value for a in amounts if a.unit == ""}


# --------------------------------------------------------------------------------------
# Formatting
def test_format_vnd() -> None:
    assert format_vnd(4_884_100_000) == "4.884.100.000 đ"
    assert format_vnd(1234.5) == "1.234,5 đ"
    assert format_vnd(4_884_100_000, short=True) == "4,88 tỷ đồng"
    assert format_vnd(3.2e9, short=True) == "3,2 tỷ đồng"
    assert format_vnd(147_700_000, short=True) == "147,7 triệu đồng"
    assert format_vnd(350_000, short=True) == "350 nghìn đồng"
    assert format_vnd(1.5e12, short=True) == "1.500 tỷ đồng"
    assert format_vnd(999_996_000, short=True) == "1 tỷ đồng"  # rounds up into the next unit
    assert format_vnd(500, short=True) == "500 đồng"
    assert format_vnd(-3.2e9, short=True) == "-3,2 tỷ đồng"
    assert format_vnd(float("nan")) == "—"
    assert format_vnd(None, short=True) == "—"


def test_format_number() -> None:
    assert format_number(1124) == "1.124"
    assert format_number(38.25, decimals=2) == "38,25"
    assert format_number(38.2, decimals=2) == "38,20"
    assert format_number(1_000_000.0) == "1.000.000"
    assert format_number(-0.0) == "0"
    assert format_number(-1234.5) == "-1.234,5"
    assert format_number(0.125, decimals=2) == "0,13"  # half up
    assert format_number(np.int64(2**62 + 1)) == f"{2**62 + 1:,}".replace(",", ".")
    assert format_number(Decimal("1234.50")) == "1.234,50"
    assert format_number(float("nan")) == "—"
    assert format_number(pd.NA) == "—"
    assert format_number(np.float32("nan")) == "—"
    assert format_number(float("-inf")) == "-∞"


def test_format_percent() -> None:
    assert format_percent(60) == "60%"
    assert format_percent(38.25) == "38,25%"
    assert format_percent(33.333333) == "33,33%"
    assert format_percent(-1.2, signed=True) == "-1,2%"
    assert format_percent(1.2, signed=True) == "+1,2%"
    assert format_percent(0.001, signed=True) == "0%"
    assert format_percent(12.345, decimals=1) == "12,3%"
    assert format_percent(None) == "—"


# --------------------------------------------------------------------------------------
# Property tests
money_cents = st.integers(min_value=-(10**15), max_value=10**15)


@given(money_cents)
def test_format_vnd_integer_round_trip(x: int) -> None:
    assert parse_number(format_vnd(x)) == x


@given(money_cents)
def test_format_vnd_two_decimal_round_trip(cents: int) -> None:
    x = cents / 100
    assert parse_number(format_vnd(x)) == x


@given(
    st.integers(min_value=0, max_value=10**12),
    st.integers(min_value=0, max_value=3),
    st.sampled_from([("nghìn", 3), ("ngàn", 3), ("triệu", 6), ("tỷ", 9), ("tỉ", 9)]),
    st.sampled_from(["", " đồng", " đ", "đ", " VNĐ"]),
)
def test_multiplier_text_parses_exactly(digits: int, places: int, word, currency: str) -> None:
    name, exponent = word
    x = Decimal(digits).scaleb(-places)
    text = f"{vi_digits(x)} {name}{currency}"
    assert parse_number(text) == float(x * Decimal(10) ** exponent)


@given(st.text())
def test_arbitrary_text_gives_a_finite_float_or_a_kpi_error(text: str) -> None:
    try:
        value = parse_number(text)
    except KpiError:
        return
    assert math.isfinite(value)


amount_like = st.lists(
    st.sampled_from(
        ["1", "23", "456", "0", ".", ",", " ", "\u00a0", "-", "−", "%", "đ", "đồng", "tỷ",
         "triệu", "nghìn", "lệ", "chí", "e", "mũi", "/", "VNĐ", "TỶ"]
    ),
    max_size=8,
).map("".join)


@given(amount_like)
def test_amount_like_text_gives_a_finite_float_or_a_kpi_error(text: str) -> None:
    try:
        value = parse_number(text)
    except KpiError:
        return
    assert math.isfinite(value)


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_format_number_round_trip(x: float) -> None:
    assert parse_number(format_number(x)) == x


@given(st.integers(min_value=-(10**18), max_value=10**18), st.integers(0, 4))
def test_format_number_fixed_decimals_round_trip(units: int, decimals: int) -> None:
    x = Decimal(units).scaleb(-decimals)
    assert parse_number(format_number(x, decimals=decimals)) == float(x)  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------
# parse_series
def test_parse_series_matches_parse_number_and_keeps_index() -> None:
    cells = ["4.092.593.200đ", "458.000.000 đồng", "3,2 tỷ đồng", "38,60 triệu đồng",
             "350 nghìn đồng", "52,3%", "1.124", "147 triệu 700 nghìn đồng", "98.4%",
             "85 mũi", "−1,2%", "4.884.100.000\u00a0đ", "1,5 nghìn tỷ", "3,2 tỷ đồng"]  # fmt: skip
    series = pd.Series(cells, index=[f"r{i}" for i in range(len(cells))], name="amount")
    result = parse_series(series)
    assert result.dtype == np.float64
    assert list(result.index) == list(series.index) and result.name == "amount"
    assert list(result) == [parse_number(c) for c in cells]


def test_parse_series_object_column_with_real_numbers() -> None:
    series = pd.Series(["1.124", 2500, 3.5, None], dtype=object)
    result = parse_series(series, errors="coerce")
    assert result.iloc[:3].tolist() == [1124.0, 2500.0, 3.5]
    assert math.isnan(result.iloc[3])


def test_parse_series_numeric_column_passes_through() -> None:
    result = parse_series(pd.Series([1, 2, 3]))
    assert result.tolist() == [1.0, 2.0, 3.0] and result.dtype == np.float64


def test_parse_series_missing_cell_raises_naming_the_row() -> None:
    series = pd.Series(["1.124", None, "5"], index=[10, 11, 12])
    with pytest.raises(NumberParseError, match="row 11") as info:
        parse_series(series)
    assert info.value.where == "row 11"


def test_parse_series_nan_in_numeric_column_raises_naming_the_row() -> None:
    with pytest.raises(NumberParseError, match="row 1"):
        parse_series(pd.Series([1.0, np.nan]))


def test_parse_series_missing_cells_coerce_to_nan() -> None:
    series = pd.Series(["1.124", None, np.nan, "", "5"])
    values, rejected = parse_series_report(series, errors="coerce")
    assert values.iloc[0] == 1124 and values.iloc[4] == 5
    assert values.iloc[1:4].isna().all()
    assert rejected == []  # missing is not unreadable


def test_parse_series_raise_names_the_first_bad_row_and_where() -> None:
    series = pd.Series(["1.124", "5", "abc", "1.2.3"], index=list("abcd"))
    with pytest.raises(NumberParseError) as info:
        parse_series(series, where="budget.csv, column total")
    assert info.value.where == "budget.csv, column total, row c"
    assert info.value.text == "abc"


def test_parse_series_raise_keeps_the_suggestion() -> None:
    with pytest.raises(NumberParseError) as info:
        parse_series(pd.Series(["1.124", "1.23.456"]))
    assert info.value.suggestion == 123456 and info.value.where == "row 1"


def test_parse_series_coerce_reports_every_rejected_cell() -> None:
    series = pd.Series(
        ["abc", "1.124", "1.2.3", "abc", None, "N/A", "2 tỷ 500"], index=[5, 6, 7, 8, 9, 10, 11]
    )
    values, rejected = parse_series_report(series, errors="coerce")
    assert [(r.index, r.text) for r in rejected] == [
        (5, "abc"), (7, "1.2.3"), (8, "abc"), (10, "N/A"), (11, "2 tỷ 500")
    ]  # fmt: skip
    assert all(isinstance(r, Rejection) and r.reason for r in rejected)
    assert values.isna().tolist() == [True, False, True, True, True, True, True]
    assert parse_series(series, errors="coerce").equals(values)


def test_parse_series_english_grouping() -> None:
    assert parse_series(pd.Series(["4,884,100,000"])).iloc[0] == 4_884_100_000


def test_parse_series_other_column_types() -> None:
    cells = ["1.124", "3,2 tỷ", None, "1.124"]
    for dtype in ("str", "string", "object", "category"):
        values = parse_series(pd.Series(cells, dtype=dtype), errors="coerce")
        assert values.iloc[[0, 1, 3]].tolist() == [1124.0, 3.2e9, 1124.0], dtype
        assert math.isnan(values.iloc[2])
    assert parse_series(pd.Series([], dtype="str")).empty
    with pytest.raises(NumberParseError, match="boolean"):
        parse_series(pd.Series([True, False]))


def test_parse_series_rejects_unknown_errors_mode() -> None:
    with pytest.raises(ValueError, match="errors"):
        parse_series(pd.Series(["1"]), errors="ignore")  # type: ignore[arg-type]


cell_pieces = st.lists(
    st.sampled_from(
        ["1", "0", "12", "345", "9999999999999999", ".", ",", " ", "\u00a0", "\u200b", "-",
         "−", "+", "%", "đ", "Đ", "đồng", "ĐỒNG", "vnđ", "₫", "tỷ", "TỶ", "tỉ", "triệu",
         "nghìn", "ngàn", " lệ", " chí", "e", "mũi", "con", "/", "KH", "\u0301"]
    ),
    min_size=1,
    max_size=7,
).map("".join)


@settings(max_examples=60, deadline=None)
@given(st.lists(cell_pieces, min_size=1, max_size=40))
def test_parse_series_agrees_with_parse_number_cell_by_cell(cells: list[str]) -> None:
    values, rejected = parse_series_report(pd.Series(cells, dtype="str"), errors="coerce")
    rejected_rows = {r.index for r in rejected}
    for i, cell in enumerate(cells):
        try:
            expected = parse_number(cell)
        except NumberParseError as err:
            assert math.isnan(values.iloc[i])
            assert (i in rejected_rows) == (err.reason != "empty text")
            continue
        assert values.iloc[i] == expected, cell
        assert i not in rejected_rows


# --------------------------------------------------------------------------------------
def test_benchmark_smoke_run() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench_numbers.py"), "--rows", "20000"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "values differing from exact Decimal arithmetic: 0" in done.stdout
