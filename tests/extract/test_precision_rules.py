"""Numbers that are no KPI value, and measures read from the words around a number: the
general rules behind precision and measure agreement on real report passages."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpi.extract.extractor import extract_text
from kpi.extract.mentions import Scanner


def rows(body: str, title: str = "Kết quả thực hiện nhiệm vụ năm 2022") -> pd.DataFrame:
    return extract_text(f"UBND HUYỆN CẨM XUYÊN\nBÁO CÁO\n{title}\n{body}", source="t.txt")


def values(body: str) -> list[float]:
    return sorted(rows(body)["value"].abs().tolist())


def measure_of(df: pd.DataFrame, value: float) -> str:
    hit = df[(df["value"].abs() - value).abs() < 1e-9]
    assert len(hit) == 1, (value, df[["value", "measure", "evidence"]])
    return str(hit.iloc[0]["measure"])


def reasons(text: str) -> dict[str, str]:
    return {t.amount.strip(): t.reason for t in Scanner(["tấn", "hộ", "xã"]).scan(text)}


# --- not values ---------------------------------------------------------------------------
def test_the_whole_of_a_count_of_places_or_items_is_no_value():
    assert values("Năm 2022 toàn huyện có 13/14 xã đạt chuẩn nông thôn mới.") == [13]
    assert values("Xây mới nhà cho 53/53 hộ nghèo.") == [53]  # one 53: the part


def test_the_whole_of_a_measured_quantity_is_its_plan_and_of_people_the_population():
    df = rows("Sản lượng lương thực đạt 140/165 tấn.")
    assert measure_of(df, 165) == "plan" and measure_of(df, 140) == "value"
    df = rows("Tỷ lệ gia đình văn hóa đạt 480/662 hộ, chiếm 72%.")
    assert measure_of(df, 662) == "value" and measure_of(df, 480) == "value"


@pytest.mark.parametrize("body", [
    "Năm 2022, 10/10 chỉ tiêu trong lĩnh vực kinh tế của huyện đạt và vượt kế hoạch.",
    "Huyện đề ra 23 chỉ tiêu phát triển kinh tế - xã hội chủ yếu.",
    "Về kinh tế (11 chỉ tiêu).",
])
def test_counts_of_the_reports_own_indicators_are_no_values(body):
    assert values(body) == []


@pytest.mark.parametrize(("text", "count"), [
    ("Kỳ họp đã nghe 4 báo cáo và 1 tờ trình của UBND xã", "4"),
    ("Kỳ họp đã nghe 4 báo cáo và 1 tờ trình của UBND xã", "1"),
    ("Xã tập trung thực hiện tốt 5 nội dung trọng tâm", "5"),
    ("Kỳ họp đã chia 02 tổ thảo luận", "02"),
])
def test_counts_of_a_meetings_own_items_are_no_values(text, count):
    assert reasons(text)[count] == "agenda"


def test_other_counts_stay_values():
    assert reasons("Tiếp nhận 12 đơn thư, giải quyết 10 hộ")["12"] == ""


def test_tieu_chi_of_new_rural_areas_stay_values():
    assert values("Xã đạt 17/19 tiêu chí nông thôn mới.") == [17]


@pytest.mark.parametrize("body", [
    "Đảng ủy xã trao Huy hiệu 30, 40, 50, 55 năm tuổi đảng cho các đảng viên.",
    "Đảng ủy xã trao Huy hiệu 30, 40, 50 và 55 tuổi đảng.",
    "Tổ chức kỷ niệm 70 và 75 năm ngày thành lập.",
])
def test_numbers_listed_before_an_age_or_a_duration_are_no_values(body):
    assert values(body) == []


@pytest.mark.parametrize("body", ["Chiều nay 14.4, Huyện ủy tổ chức hội nghị lần thứ 9.",
                                  "Sáng 26.7, HĐND huyện tổ chức kỳ họp.",
                                  "Nhân dịp ngày 2.9, huyện thăm hỏi gia đình chính sách."])
def test_a_dotted_day_month_after_a_day_word_is_a_date(body):
    assert values(body) == []


def test_a_decimal_point_without_a_day_word_is_still_read():
    assert values("Tốc độ tăng trưởng đạt 14,4%.") == [14.4]


def test_ungrouped_digit_runs_are_page_furniture():
    assert values("67484690 1238992046280105 8135290017133101056 n") == []
    assert values("Thu ngân sách đạt 4.884.100.000 đồng.") == [4_884_100_000]


@pytest.mark.parametrize("body", ["HĐND xã khóa 20 tổ chức họp kỳ thứ 6.",
                                  "Phường 3 tổ chức kỳ họp thứ Ba HĐND.",
                                  "Phê duyệt quy hoạch chi tiết tỷ lệ 1/500 Cụm công nghiệp.",
                                  "Số bác sĩ trên 1 vạn dân tăng."])
def test_names_scales_and_rate_bases_are_no_values(body):
    assert values(body) == []


def test_to_chuc_is_a_verb_but_to_a_unit():
    assert values("Xã có 5 tổ dân phố và 12 tổ tự quản.") == [5, 12]


# --- measures ------------------------------------------------------------------------------
def test_both_ends_of_a_range_of_growth_rates_are_growth_rates():
    df = rows("Nông nghiệp - thủy sản tăng từ 0,45% đến 0,54%; dịch vụ tăng 5%.")
    assert [measure_of(df, v) for v in (0.45, 0.54, 5)] == ["pct_change_yoy"] * 3
    assert set(df["qualifier"].iloc[:2]) == {"range_low", "range_high"}


def test_both_ends_of_a_planned_range_are_the_plan():
    df = rows("Khu vực nông, lâm, thủy tăng 16,4% (KH tăng từ 12-13%); khu vực công nghiệp "
              "tăng 7,03% (KH tăng 8 - 9%).")
    assert [measure_of(df, v) for v in (16.4, 12, 13, 7.03, 8, 9)] == [
        "pct_change_yoy", "plan", "plan", "pct_change_yoy", "plan", "plan"]


def test_a_range_of_amounts_written_alike():
    df = rows("GRDP bình quân đầu người đạt từ 80,4 triệu đồng đến 80,8 triệu đồng.")
    assert list(df["qualifier"]) == ["range_low", "range_high"]


def test_an_amount_equivalent_to_a_change_is_a_change():
    df = rows("Thu nhập bình quân đạt 22,4 triệu đồng (tăng 7,7% tương đương 1,6 triệu đồng).")
    assert measure_of(df, 1_600_000) == "change"
    assert measure_of(df, 22_400_000) == "value"


def test_counts_listed_after_a_change_count_are_changes():
    df = rows("Năm 2022, toàn tỉnh có thêm 4 xã đạt chuẩn nông thôn mới, 6 xã đạt chuẩn nông "
              "thôn mới nâng cao.")
    assert measure_of(df, 4) == "change" and measure_of(df, 6) == "change"


def test_a_level_after_a_change_with_nothing_between_stays_a_level():
    df = rows("Đàn gia cầm có 900.000 con, tăng 52.000 con, trên 6.500 con lợn.")
    assert measure_of(df, 52_000) == "change" and measure_of(df, 6_500) == "value"


def test_bare_cells_under_an_index_caption_are_percentages_of_the_prior_year():
    body = ("Tốc độ phát triển GRDP năm 2019 so với cùng kỳ năm trước (%)\n\n"
            "Cả năm 2019\n\nTổng số\n\n107,52\n\n- Dịch vụ\n\n106,84\n")
    df = rows(body)
    assert [measure_of(df, v) for v in (107.52, 106.84)] == ["pct_of_prior_year"] * 2
    assert set(df["unit"]) == {"percent"}
    growth = rows(body.replace("Tốc độ phát triển", "Tốc độ tăng"))
    assert measure_of(growth, 107.52) == "pct_change_yoy"


def test_bare_cells_without_such_a_caption_stay_values():
    df = rows("Số hộ nghèo theo xã\n\nCẩm Bình\n\n107\n")
    assert measure_of(df, 107) == "value"


def test_percent_of_what_a_level_assigned():
    df = rows("Thu ngân sách nhà nước đạt 135,7% xã giao và đạt 317% kế hoạch tỉnh giao.")
    assert measure_of(df, 135.7) == "pct_of_plan" and measure_of(df, 317) == "pct_of_plan"


def test_the_natural_population_growth_rate_is_a_rate():
    df = rows("Tỷ lệ tăng dân số tự nhiên 1,27%; tốc độ tăng trưởng kinh tế 7,5%.")
    assert measure_of(df, 1.27) == "share_pct" and measure_of(df, 7.5) == "pct_change_yoy"


def test_a_change_against_the_previous_month_is_period_on_period():
    df = rows("Chỉ số sản xuất công nghiệp tháng 10 tăng 1,34% so với tháng trước.",
              title="Báo cáo tình hình kinh tế - xã hội tháng 10 năm 2022")
    assert measure_of(df, 1.34) == "pct_change_qoq"


def test_a_plan_named_earlier_in_the_sentence_makes_the_first_reached_percent_of_plan():
    df = rows("Các chỉ tiêu cơ bản đạt kế hoạch đề ra: sản lượng lương thực đạt 102,2%; thu "
              "ngân sách đạt 145%.")
    assert measure_of(df, 102.2) == "pct_of_plan" and measure_of(df, 145) == "pct_of_plan"


# --- properties ----------------------------------------------------------------------------
@settings(max_examples=60, deadline=None)
@given(st.integers(1, 31), st.integers(1, 12),
       st.sampled_from(["Chiều nay", "Sáng nay", "Ngày", "Tối"]))
def test_any_dotted_day_month_after_a_day_word_is_a_date(day, month, word):
    text = f"{word} {day}.{month}, huyện tổ chức hội nghị."
    assert reasons(text)[f"{day}.{month}"] == "date"


@settings(max_examples=60, deadline=None)
@given(st.integers(10_000_000, 10**15))
def test_any_ungrouped_run_of_eight_digits_or_more_is_no_value(n):
    assert reasons(f"Mã {n} trang")[str(n)] != ""


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 500), st.integers(1, 500), st.sampled_from(["xã", "thôn", "chỉ tiêu"]))
def test_a_count_fraction_keeps_its_part_only(part, whole, noun):
    whole = max(whole, part)
    assert values(f"Năm 2022 có {part}/{whole} {noun} được công nhận.") == (
        [] if noun == "chỉ tiêu" else [part])


def test_discipline_is_no_law_and_villages_are_counted():
    assert values("Thi hành kỷ luật 6 đảng viên vi phạm.") == [6]
    assert values("Theo Luật 6 đã ban hành.") == []
    assert values("Xây dựng làng văn hóa 6/7 làng.") == [6]


def test_parts_are_compared_with_what_their_total_was():
    df = rows("Chỉ số sản xuất công nghiệp tháng 10 tăng 1,34% so với tháng trước, trong đó "
              "ngành khai khoáng tăng 1,75%.",
              title="Báo cáo tình hình kinh tế - xã hội tháng 10 năm 2022")
    assert measure_of(df, 1.75) == "pct_change_qoq"
    df = rows("Thu ngân sách tăng 12% so với cùng kỳ, trong đó thu thuế tăng 5%.")
    assert measure_of(df, 5) == "pct_change_yoy"
