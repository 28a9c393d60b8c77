"""The small parts of the table reader: header kinds, units, area names, cells, labels."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kpi.core.text import label_key, slugify
from kpi.errors import NumberParseError
from kpi.tables.areas import PROVINCE_SLUGS, area_slug
from kpi.tables.cells import read_cell
from kpi.tables.kinds import header_kind
from kpi.tables.rows import marker_of, split_numbering
from kpi.tables.units import parse_unit, scale
from kpi.tables.wide import read_column


@pytest.mark.parametrize(("header", "measure", "qualifier", "span", "period"), [
    ("Thực hiện quý I năm 2022", "value", "exact", "quarter", "2022Q1"),
    ("Ước tính  quý II năm 2022", "value", "estimate", "quarter", "2022Q2"),
    ("Sơ bộ quý I năm 2022", "value", "estimate", "quarter", "2022Q1"),
    ("Cộng dồn  6 tháng năm 2022", "value", None, "ytd", "2022Q2"),
    ("So với cùng kỳ năm trước (%) Quý I năm 2022", "pct_of_prior_year", None, "quarter",
     "2022Q1"),
    ("Tăng/giảm so với cùng kỳ (%) Quý I năm 2022", "pct_change_yoy", None, "quarter",
     "2022Q1"),
    ("6 tháng năm 2022 so với kế hoạch năm 2022 (%)", "pct_of_plan", None, "ytd", "2022Q2"),
    ("Kế hoạch năm 2022", "plan", None, "year", "2022Q4"),
    ("Dự toán năm 2022", "plan", None, "year", "2022Q4"),
    ("Thực hiện tháng 5 năm 2022", "value", "exact", "month", "2022Q2"),
    ("Quý II năm 2022 so với: Quý II năm 2021", "pct_of_prior_year", None, "quarter",
     "2022Q2"),
    ("Cơ cấu (%) Quý I năm 2022", "share_pct", None, "quarter", "2022Q1"),
])
def test_column_kinds(header, measure, qualifier, span, period) -> None:
    col = read_column(0, header, None)
    assert (col.kind.measure, col.qualifier, col.span.span, str(col.span.period)) == \
        (measure, qualifier, span, period)
    assert col.skip == ""


@pytest.mark.parametrize("header", [
    "Tháng 6 năm 2022 so với tháng trước (%)",
    "Quý II năm 2022 so với: Quý I năm 2022",
    "Tháng 6 năm 2022 so với: Kỳ gốc (2019)",
    "Chỉ số sử dụng lao động thời điểm 1/6/2022 so với cùng thời điểm tháng trước",
])
def test_indexes_against_other_periods_are_skipped_not_misread(header) -> None:
    assert read_column(0, header, 2022).skip


def test_header_without_year_takes_the_default_and_leftover_words_are_a_label() -> None:
    col = read_column(0, "Ước tính quý II Thành thị", 2021)
    assert (str(col.span.period), col.label, col.qualifier) == ("2021Q2", "Thành thị", "estimate")
    assert read_column(0, "Quý I năm 2022 Hà Tĩnh", None).area == "ha-tinh-province"
    assert header_kind("Kỳ này").rest == "Kỳ này"


@pytest.mark.parametrize(("text", "base", "factor"), [
    ("Tỷ đồng", "VND", 10**9),
    ("Đơn vị tính: Triệu đồng", "VND", 10**6),
    ("ĐVT: nghìn tỷ đồng", "VND", 10**12),
    ("(Nghìn tấn)", "tonne", 10**3),
    ("Nghìn người", "person", 10**3),
    ("Triệu USD", "USD", 10**6),
    ("%", "percent", 1),
    ("Vụ", "case", 1),
])
def test_units(text, base, factor) -> None:
    unit = parse_unit(text)
    assert (unit.base, unit.factor) == (base, Decimal(factor))


def test_share_unit_and_labels_that_are_not_units() -> None:
    assert parse_unit("Cơ cấu - %").share
    assert parse_unit("Số người chết") is None
    assert parse_unit("Tổng số") is None


def test_scaling_is_exact_in_decimal() -> None:
    assert scale(0.1, Decimal(10) ** 9) == 100_000_000
    assert scale(12234.810000000001, Decimal(10) ** 9) == 12_234_810_000_000
    assert 12234.810000000001 * 1e9 != 12_234_810_000_000  # what float arithmetic gives
    assert scale(Decimal("8199037.4"), Decimal(10) ** 6) == 8_199_037_400_000


@pytest.mark.parametrize(("name", "slug"), [
    ("Hà Tĩnh", "ha-tinh-province"), ("Ha Tinh", "ha-tinh-province"),
    ("Tỉnh Hà Tĩnh", "ha-tinh-province"), ("Hà Nội", "ha-noi-city"),
    ("TP. Hồ Chí Minh", "ho-chi-minh-city"), ("Ho Chi Minh City", "ho-chi-minh-city"),
    ("Thừa Thiên-Huế", "thua-thien-hue-province"), ("Thua Thien - Hue", "thua-thien-hue-province"),
    ("Bà Rịa - Vũng Tàu", "ba-ria-vung-tau-province"), ("Hoà Bình", "hoa-binh-province"),
    ("Đắk Lắk", "dak-lak-province"), ("Đà Nẵng ", "da-nang-city"),
    ("CẢ NƯỚC", "vietnam"), ("Đồng bằng sông Hồng", "dong-bang-song-hong-region"),
])
def test_area_names(name, slug) -> None:
    assert area_slug(name) == slug


def test_not_areas_and_the_63_provinces() -> None:
    assert area_slug("Trung ương") is None
    assert area_slug("Nam") is None and area_slug("Thành thị") is None
    assert len(PROVINCE_SLUGS) == 63 and all(s == slugify(s) for s in PROVINCE_SLUGS)


@pytest.mark.parametrize(("value", "expected"), [
    ("1.234,5", Decimal("1234.5")), (76095.25, Decimal("76095.25")), (12, Decimal(12)),
    ("105,3%", Decimal("105.3")), ("-", None), ("..", None), ("x", None), ("", None),
    (None, None), ("…", None),
])
def test_cells(value, expected) -> None:
    got = read_cell(value)
    assert (got.value if got else None) == expected


@pytest.mark.parametrize("value", ["abc", "1.2.3", "#DIV/0!", True])
def test_bad_cells(value) -> None:
    with pytest.raises(NumberParseError):
        read_cell(value, where="x.csv row 2")


def test_machine_decimals() -> None:
    assert read_cell("3.00E+05", decimal=".").value == 300000
    assert read_cell("755768.814", decimal=".").value == Decimal("755768.814")
    with pytest.raises(NumberParseError):
        read_cell("1.234,5", decimal=".")


def test_labels_numbering_and_markers() -> None:
    assert split_numbering("1. Thu thuế") == ("Thu thuế", 2)
    assert split_numbering("- Thuế nhà ở")[0] == "Thuế nhà ở"
    assert split_numbering("I. Tổng thu")[1] < split_numbering("1. Thu thuế")[1] \
        < split_numbering("a) Thu phí")[1] < split_numbering("- Phí")[1]
    assert marker_of("Trong đó:") == ("of_which", "")
    assert marker_of("Phân theo một số tỉnh, thành phố")[0] == "some"
    assert marker_of("Chia ra:")[0] == "breakdown"
    assert marker_of("Trong tháng") is None
    assert label_key("Hòa  Bình:") == label_key("HOÀ BÌNH") != label_key("Hoa Binh")
