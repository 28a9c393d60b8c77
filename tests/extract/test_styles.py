"""Sentences written the ways commune, district and provincial reports write numbers."""

from __future__ import annotations

import pandas as pd
import pytest

from kpi.errors import SourceError
from kpi.extract.extractor import extract_text, paired_locator
from kpi.extract.heading import detect_heading

HEAD = "UBND XÃ CẨM BÌNH\nBÁO CÁO\nKết quả thực hiện nhiệm vụ quí III năm 2022\n"
FIRST = HEAD.count("\n") + 1  # line number of the first body line
Q3 = pd.Period("2022Q3", freq="Q-DEC")


def rows(body: str, head: str = HEAD) -> pd.DataFrame:
    return extract_text(head + body, source="t.txt")


def at(df: pd.DataFrame, body: str, needle: str, line: int = 0) -> pd.Series:
    """The row whose mention starts where ``needle`` starts in body line ``line``."""
    start = body.split("\n")[line].index(needle)
    loc = f"L{FIRST + line}:{start}-"
    hit = df[df["locator"].str.startswith(loc)]
    assert len(hit) == 1, f"no single row at {loc} for {needle!r}:\n{df[['locator', 'value']]}"
    return hit.iloc[0]


def check(row: pd.Series, **want: object) -> None:
    got = {k: row[k] for k in want}
    assert got == pytest.approx(want) if all(isinstance(v, float) for v in want.values()) \
        else got == want, got


# --- amounts and counts as written -----------------------------------------------------
@pytest.mark.parametrize(("body", "needle", "value", "indicator", "unit"), [
    ("Tổng thu ngân sách đạt 147 triệu 700 nghìn đồng.", "147", 147_700_000, "budget_revenue",
     "VND"),
    ("Tổng đàn gia cầm 105.301con.", "105.301", 105_301, "livestock_head", "head"),
    ("Tổng thu ngân sách đạt 4.884.100.000\u00a0đồng.", "4.884", 4_884_100_000,
     "budget_revenue", "VND"),
    ("Thu ngân sách nhà nước được 2,5 tỷ đồng.", "2,5", 2_500_000_000, "budget_revenue", "VND"),
    ("Làm mới 1,25 km đường giao thông nông thôn.", "1,25", 1250, "roads_built_m", "m"),
    ("Nạo vét 820 mét rãnh thoát nước.", "820", 820, "drains_built_m", "m"),
    ("Gieo cấy 320 ha lúa, diện tích lúa vụ Hè Thu đạt kế hoạch.", "320", 320, "rice_area_ha",
     "ha"),
    ("Trồng mới 1.200 cây xanh trên các tuyến đường.", "1.200", 1200, "trees_planted", "tree"),
    ("Tổng số mũi tiêm vắc xin Covid-19: 12.345 liều.", "12.345", 12345, "covid_doses_total",
     "dose"),
])
def test_amounts_and_counts(body, needle, value, indicator, unit):
    df = rows(body)
    row = at(df, body, needle)
    assert row["value"] == pytest.approx(value, rel=1e-12)
    assert (row["indicator"], row["unit"], row["measure"]) == (indicator, unit, "value")


# --- measures ----------------------------------------------------------------------------
@pytest.mark.parametrize(("body", "needle", "measure", "value", "indicator"), [
    ("Thu ngân sách đạt 101,2% KH.", "101,2", "pct_of_plan", 101.2, "budget_revenue"),
    ("Chuyển đổi cơ cấu cây trồng vụ Đông xuân đạt 100%KH.", "100", "pct_of_plan", 100,
     "crop_restructuring"),
    ("Thu ngân sách đạt 4,1 tỷ đồng, đạt 38,25% dự toán.", "38,25", "pct_of_plan", 38.25,
     "budget_revenue"),
    ("Thu ngân sách đạt 4,1 tỷ đồng, bằng 92,6% so với cùng kỳ.", "92,6", "pct_of_prior_year",
     92.6, "budget_revenue"),
    ("Tổng đàn gia cầm 105.301 con, tăng 14,7% so với cùng kỳ.", "14,7", "pct_change_yoy", 14.7,
     "livestock_head"),
    ("Tổng chi ngân sách 2,1 tỷ đồng, giảm 1,2 % so với cùng kỳ năm trước.", "1,2",
     "pct_change_yoy", -1.2, "budget_expenditure"),
    ("Tổng chi ngân sách 2,1 tỷ đồng, tăng 5% so với quý trước.", "5%", "pct_change_qoq", 5,
     "budget_expenditure"),
    ("Thu thuế nhà ở 1,2 tỷ đồng, chiếm 74,7% tổng thu.", "74,7", "share_pct", 74.7,
     "housing_tax_revenue"),
    ("Thu ngân sách đạt 9 tỷ đồng, vượt 5% kế hoạch.", "5%", "pct_over_plan", 5,
     "budget_revenue"),
    ("Thu ngân sách nhà nước: kế hoạch giao 8 tỷ đồng, thực hiện 3,5 tỷ đồng, đạt 43,75%.",
     "43,75", "pct_of_plan", 43.75, "budget_revenue"),
    ("Tỷ lệ tiêm phòng gia súc, gia cầm đạt 98.4%.", "98.4", "value", 98.4,
     "livestock_vaccination"),
])
def test_measures(body, needle, measure, value, indicator):
    row = at(rows(body), body, needle)
    assert (row["measure"], row["indicator"], row["unit"]) == (measure, indicator, "percent")
    assert row["value"] == pytest.approx(value)


def test_plain_increase_is_year_on_year():
    """Decision: "tăng 14,7%" with no comparison base is a year-on-year change."""
    body = "Giá trị sản xuất tiểu thủ công nghiệp đạt 30 tỷ đồng, tăng 14,7%."
    row = at(rows(body), body, "14,7")
    assert (row["measure"], row["value"], row["indicator"]) == (
        "pct_change_yoy", 14.7, "handicraft_output")


def test_plan_amount_is_a_yearly_plan():
    body = "Thu ngân sách: kế hoạch giao 8 tỷ đồng."
    row = at(rows(body), body, "8 tỷ")
    assert (row["measure"], row["indicator"], row["value"]) == ("plan", "budget_revenue", 8e9)
    assert (row["span"], row["period"]) == ("year", pd.Period("2022Q4", freq="Q-DEC"))


def test_ytd_estimate_and_its_share_of_plan():
    body = "Thu ngân sách 6 tháng đầu năm ước đạt 12,5 tỷ đồng, đạt 52% dự toán."
    df = rows(body)
    value, share = at(df, body, "12,5"), at(df, body, "52%")
    q2 = pd.Period("2022Q2", freq="Q-DEC")
    assert (value["indicator"], value["value"], value["qualifier"]) == (
        "budget_revenue", 12.5e9, "estimate")
    assert (value["span"], value["period"]) == ("ytd", q2)
    # the percentage is about the estimate: same indicator, span and "ước"
    assert (share["indicator"], share["measure"], share["value"]) == (
        "budget_revenue", "pct_of_plan", 52)
    assert (share["span"], share["period"], share["qualifier"]) == ("ytd", q2, "estimate")


def test_fraction_of_targets():
    """Decision (revised with the labelled real passages): "15/17 chỉ tiêu" counts the
    report's own indicators, a scorecard and no value of the area; "2.410,5 ha/2.300 ha"
    is the value and its whole, the plan."""
    assert rows("Đến nay đạt 15/17 chỉ tiêu đề ra.").empty
    body = "Đến nay gieo trồng 2.410,5 ha/2.300 ha lúa."
    df = rows(body)
    part, whole = at(df, body, "2.410,5"), at(df, body, "2.300")
    assert (part["measure"], part["value"], part["unit"]) == ("value", 2410.5, "ha")
    assert (whole["measure"], whole["value"], whole["unit"]) == ("plan", 2300, "ha")
    assert part["span"] == whole["span"] == "to_date"


def test_change_in_an_amount_is_not_a_level():
    """Decision: an absolute change is measure ``change``, signed, of its indicator."""
    body = "Thu ngân sách tăng 3 tỷ đồng so với cùng kỳ; số hộ nghèo giảm 5 hộ."
    df = rows(body)
    row = at(df, body, "3 tỷ")
    assert (row["measure"], row["value"], row["indicator"]) == ("change", 3e9, "budget_revenue")
    assert row["subject"].startswith("tăng")
    assert (at(df, body, "5 hộ")["measure"], at(df, body, "5 hộ")["value"]) == ("change", -5)


def test_percentage_against_an_unknown_base_is_unclassified():
    body = "Diện tích lúa 320 ha, giảm 2% so với đầu năm."
    df = rows(body)
    row = at(df, body, "2%")
    assert (row["indicator"], row["measure"], row["unit"]) == ("unclassified", "value", "percent")
    assert "so với đầu năm" in row["subject"]
    assert at(df, body, "320")["indicator"] == "rice_area_ha"


# --- qualifiers --------------------------------------------------------------------------
@pytest.mark.parametrize(("body", "needle", "qualifier"), [
    ("Tổng thu ngân sách đạt gần 4,9 tỷ đồng.", "4,9", "approx"),
    ("Tổng thu ngân sách khoảng 4,9 tỷ đồng.", "4,9", "approx"),
    ("Tổng thu ngân sách xấp xỉ 4,9 tỷ đồng.", "4,9", "approx"),
    ("Tiêm cho trên dưới 300 người.", "300", "approx"),
    ("Chi trả trợ cấp người có công hơn 3,2 tỷ đồng.", "3,2", "more_than"),
    ("Trồng mới trên 2.000 cây xanh.", "2.000", "more_than"),
    ("Tổng chi ngân sách vượt 2 tỷ đồng.", "2 tỷ", "more_than"),
    ("Số F0 còn dưới 10 người.", "10", "less_than"),
    ("Số F0 chưa đến 10 người.", "10", "less_than"),
    ("Giá trị sản xuất TTCN, xây dựng ước đạt 45 tỷ đồng.", "45", "estimate"),
    ("Tổng chi ngân sách ước tính 2 tỷ đồng.", "2 tỷ", "estimate"),
    ("Tổng chi ngân sách ước thực hiện 2 tỷ đồng.", "2 tỷ", "estimate"),
    ("Tổng chi ngân sách dự kiến 2 tỷ đồng.", "2 tỷ", "estimate"),
    ("Xây dựng hương ước, trồng mới 25 cây xanh.", "25", "exact"),
    ("Tổng thu ngân sách 4,9 tỷ đồng.", "4,9", "exact"),
])
def test_qualifiers(body, needle, qualifier):
    assert at(rows(body), body, needle)["qualifier"] == qualifier


def test_estimate_wins_over_a_bound():
    """Decision: "ước đạt hơn" is an estimate (provisional first, a lower bound second)."""
    body = "Giá trị sản xuất ước đạt hơn 2.400 tỷ đồng."
    row = at(rows(body), body, "2.400")
    assert (row["value"], row["qualifier"], row["unit"]) == (2.4e12, "estimate", "VND")


# --- spans --------------------------------------------------------------------------------
@pytest.mark.parametrize(("body", "needle", "span", "month", "as_of", "period"), [
    ("Riêng trong tháng 8 thu được 35 hộ thu thuế nhà ở.", "35", "month", 8, "", "2022Q3"),
    ("Trong tháng 12 có 5 hộ thu thuế nhà ở.", "5 hộ", "month", 12, "", "2021Q4"),
    ("Số F0 tính đến 23/9 có 1.877 người.", "1.877", "to_date", None, "2022-09-23", "2022Q3"),
    ("Tính đến ngày 20/9/2022, toàn xã có 1.250 đảng viên.", "1.250", "to_date", None,
     "2022-09-20", "2022Q3"),
    ("Hiện có 1.250 đảng viên.", "1.250", "to_date", None, "", "2022Q3"),
    ("Giới thiệu 9 quần chúng tham gia lớp bồi dưỡng (cảm tình Đảng).", "9", "quarter", None,
     "", "2022Q3"),
    ("Thu ngân sách 9 tháng ước đạt 20 tỷ đồng.", "20", "ytd", None, "", "2022Q3"),
    ("Lũy kế từ đầu năm thu ngân sách 20 tỷ đồng.", "20", "ytd", None, "", "2022Q3"),
    ("Thu ngân sách 6 tháng đầu năm 2022 đạt 12 tỷ đồng.", "12", "ytd", None, "", "2022Q2"),
    ("Thu ngân sách quý II đạt 7 tỷ đồng.", "7", "quarter", None, "", "2022Q2"),
    ("Thu ngân sách cả năm ước đạt 30 tỷ đồng.", "30", "year", None, "", "2022Q4"),
    ("Trong năm 2021 thu ngân sách 28 tỷ đồng.", "28", "year", None, "", "2021Q4"),
    ("Tổng thu ngân sách 8 tỷ đồng, tăng 5% so với cùng kỳ năm 2021.", "8 tỷ", "quarter", None,
     "", "2022Q3"),
])
def test_spans(body, needle, span, month, as_of, period):
    row = at(rows(body), body, needle)
    assert row["span"] == span
    assert (row["month"] if month else None) == month
    assert row["as_of"] == as_of
    assert row["period"] == pd.Period(period, freq="Q-DEC")


def test_to_date_without_a_date_states_none():
    """"Đến nay" gives no date: as_of stays empty (the report date is not assumed)."""
    head = HEAD + "Cẩm Bình, ngày 25 tháng 9 năm 2022\n"
    body = "Đến nay toàn xã có 1.250 đảng viên."
    row = extract_text(head + body, source="t.txt").iloc[0]
    assert (row["span"], row["as_of"], row["period"]) == ("to_date", "", Q3)
    assert row["indicator"] == "party_members"


def test_six_month_report_numbers_cover_six_months():
    head = "UBND XÃ CẨM BÌNH\nBÁO CÁO\nKết quả 6 tháng đầu năm 2022\n"
    df = extract_text(head + "Tổng thu ngân sách đạt 12 tỷ đồng.", source="t.txt")
    assert (df.iloc[0]["span"], df.iloc[0]["period"]) == ("ytd", pd.Period("2022Q2", "Q-DEC"))


# --- pairs and parts ---------------------------------------------------------------------
def test_money_per_count_pairs():
    body = "Chi trả tiền trợ cấp người có công với số tiền hơn 3,2 tỷ đồng/665 đối tượng."
    df = rows(body)
    money, count = at(df, body, "3,2"), at(df, body, "665")
    assert (money["indicator"], count["indicator"]) == ("merit_allowance_amount",
                                                        "merit_beneficiaries")
    assert paired_locator(money["subject"]) == count["locator"]
    assert paired_locator(count["subject"]) == money["locator"]
    assert (money["qualifier"], count["qualifier"]) == ("more_than", "exact")


def test_amount_for_households_pairs_even_unclassified():
    body = "Hỗ trợ làm nhà 50 triệu đồng cho 10 hộ."
    df = rows(body)
    money, count = at(df, body, "50"), at(df, body, "10")
    assert paired_locator(money["subject"]) == count["locator"]
    assert (money["unit"], count["unit"]) == ("VND", "hộ")
    assert count["subject"].startswith("hộ")


def test_parts_after_trong_do():
    body = "Tổng số mũi tiêm: 100 mũi, trong đó mũi 1: 40 mũi, mũi 2: 60 mũi."
    df = rows(body)
    assert [at(df, body, n)["indicator"] for n in ("100", "40", "60")] == [
        "covid_doses_total", "covid_doses_1", "covid_doses_2"]


def test_range_is_two_bounds():
    """Decision: "3 - 5 triệu", "7-8%" are two rows, qualifiers range_low and range_high."""
    body = "Hỗ trợ từ 3 - 5 triệu đồng mỗi hộ; phấn đấu tốc độ tăng trưởng 7-8%."
    df = rows(body)
    low, high = at(df, body, "3 -"), at(df, body, "5 triệu")
    assert (low["value"], high["value"]) == (3e6, 5e6)
    assert (low["qualifier"], high["qualifier"]) == ("range_low", "range_high")
    seven, eight = at(df, body, "7-"), at(df, body, "8%")
    assert (seven["qualifier"], eight["qualifier"]) == ("range_low", "range_high")
    assert seven["role"] == eight["role"] == "target"


def test_unclassified_numbers_keep_a_subject():
    body = "Ra quân dọn vệ sinh được 45 tấn rác thải."
    row = at(rows(body), body, "45")
    assert (row["indicator"], row["unit"], row["subject"]) == ("unclassified", "tấn",
                                                               "tấn rác thải")


# --- not values ----------------------------------------------------------------------------
@pytest.mark.parametrize("body", [
    "Cẩm Bình, ngày 22 tháng 3 năm 2022",
    "Thực hiện Chỉ thị số 11-CT/TW, ngày 08/12/2021 của Ban Bí thư.",
    "Thực hiện Quyết định 657-QĐ/TU và Nghị định 100/2019/NĐ-CP.",
    "Theo Kế hoạch số 45/KH-UBND và Kế hoạch 12 của UBND huyện.",
    "Phòng chống dịch Covid 19 và COVID-19, Covi-19.",
    "Tiêm vắc xin cho trẻ em từ 5 – 11 tuổi và người trên 80 tuổi.",
    "Kỷ niệm 92 năm Ngày thành lập Đảng và 75 năm ngày Thương binh liệt sỹ 27/7.",
    "Đăng lúc 16:19, cập nhật 7h30.",
    "Thu ngân sách[4] được chú trọng (1).",
    "Tiêm mũi 1 và mũi 3 tại TDP 8, tổ dân phố 8, 14 và 15, thôn 3.",
    "Nghị quyết Trung ương 4 khóa XI; đại hội lần thứ 13; ngày thứ 7 hàng tuần.",
    "Nhiệm kỳ 2022-2027, giai đoạn 2021 - 2030, trước 1980, năm 2022.",
    "Tiêm phòng đợt 1/2022 và đợt 3/2, trao tặng đợt 19/5.",
    "Dịch vụ công mức độ 3 và mức độ 4; Cộng đồng 5K; chi bộ 1, 2A, 3 và 4A.",
    "Thương binh hạng 1, Quốc lộ 1A, Điều 5 khoản 2.",
    "Liên hệ: 0239.3861234, camxuyen@hatinh.gov.vn, http://camxuyen.vn/tin-12345.",
    "Cách mạng công nghiệp 4.0; sinh từ năm 2012-2014.",
    "1. CÔNG TÁC LÃNH ĐẠO\n2) Công tác khác\n1.2 Công tác tư tưởng",
])
def test_not_values(body):
    df = rows(body)
    assert df.empty, df[["locator", "value", "evidence"]].to_string()


# --- headings --------------------------------------------------------------------------------
@pytest.mark.parametrize(("head", "slug", "name", "level"), [
    ("ĐẢNG BỘ HUYỆN CẨM XUYÊN\nĐẢNG UỶ THỊ TRẤN CẨM XUYÊN", "cam-xuyen-town",
     "Thị trấn Cẩm Xuyên", "town"),
    ("UBND HUYỆN CẨM XUYÊN\nUBND XÃ CẨM BÌNH        CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
     "cam-binh-commune", "Xã Cẩm Bình", "commune"),
    ("ỦY BAN NHÂN DÂN PHƯỜNG BẮC HÀ", "bac-ha-ward", "Phường Bắc Hà", "ward"),
    ("ĐẢNG BỘ TỈNH HÀ TĨNH\nHUYỆN ỦY CẨM XUYÊN", "cam-xuyen-district", "Huyện Cẩm Xuyên",
     "district"),
    ("UBND TỈNH HÀ TĨNH", "ha-tinh-province", "Tỉnh Hà Tĩnh", "province"),
    ("UBND THÀNH PHỐ HÀ TĨNH", "ha-tinh-city", "Thành phố Hà Tĩnh", "city"),
    ("UBND TP. ĐÔNG HÀ", "dong-ha-city", "Thành phố Đông Hà", "city"),
    ("THỊ ỦY KỲ ANH", "ky-anh-district-town", "Thị xã Kỳ Anh", "district-town"),
    ("UBND QUẬN ĐỐNG ĐA", "dong-da-district", "Quận Đống Đa", "district"),
    ("HỘI ĐỒNG NHÂN DÂN XÃ THẠCH ĐÀI", "thach-dai-commune", "Xã Thạch Đài", "commune"),
])
def test_issuing_area(head, slug, name, level):
    h = detect_heading(head + "\nBÁO CÁO\nTình hình quý I năm 2022\n")
    assert (h.area_slug, h.area_name, h.level) == (slug, name, level)


@pytest.mark.parametrize(("text", "period", "span"), [
    ("BÁO CÁO KẾT QUẢ QUÝ I VÀ NHIỆM VỤ QUÝ II NĂM 2022", "2022Q1", "quarter"),
    ("BÁO CÁO\nTình hình kinh tế - xã hội quí III năm 2021", "2021Q3", "quarter"),
    ("BÁO CÁO\nKết quả 6 tháng đầu năm 2022 và nhiệm vụ 6 tháng cuối năm", "2022Q2", "ytd"),
    ("BÁO CÁO tình hình 9 tháng năm 2022", "2022Q3", "ytd"),
    ("BÁO CÁO\nTổng kết công tác năm 2021", "2021Q4", "year"),
    ("Cẩm Bình, ngày 20 tháng 6 năm 2022\nBÁO CÁO\nKết quả quý II", "2022Q2", "quarter"),
    ("Cẩm Bình, ngày 5 tháng 1 năm 2022\nBÁO CÁO\nKết quả quý IV và nhiệm vụ quý I",
     "2021Q4", "quarter"),
])
def test_report_period(text, period, span):
    h = detect_heading("UBND XÃ CẨM BÌNH\n" + text + "\n")
    assert (h.period, h.span) == (pd.Period(period, freq="Q-DEC"), span)


def test_missing_heading_needs_overrides():
    body = "Tổng thu ngân sách đạt 4,9 tỷ đồng."
    with pytest.raises(SourceError, match="area and no period"):
        extract_text(body, source="t.txt")
    df = extract_text(body, source="t.txt", area="cam-binh-commune", period="2022Q3")
    assert (df.iloc[0]["area"], df.iloc[0]["period"]) == ("cam-binh-commune", Q3)
    df = extract_text(body, source="t.txt", area="cam-binh-commune", period=Q3)
    assert df.iloc[0]["indicator"] == "budget_revenue"
    with pytest.raises(SourceError, match="slug"):
        extract_text(body, source="t.txt", area="Xã Cẩm Bình", period="2022Q3")
    with pytest.raises(SourceError, match="quarter"):
        extract_text(body, source="t.txt", area="cam-binh-commune", period="sometime")


def test_override_replaces_the_heading():
    df = rows("Tổng thu ngân sách đạt 4,9 tỷ đồng.").pipe(lambda d: d)
    assert df.iloc[0]["area"] == "cam-binh-commune"
    over = extract_text(HEAD + "Tổng thu ngân sách đạt 4,9 tỷ đồng.", source="t.txt",
                        area="x-commune", period="2022Q1")
    assert (over.iloc[0]["area"], over.iloc[0]["period"]) == (
        "x-commune", pd.Period("2022Q1", freq="Q-DEC"))


def test_wrapped_sentence_keeps_its_subject_and_lines():
    body = ("Trong kỳ, Hội phụ nữ làm hồ sơ giải ngân nguồn vốn vay quỹ phát triển\n"
            "cho 12 hộ với số tiền 499.640.000 đồng.")
    df = rows(body)
    count = at(df, body, "12 hộ", line=1)
    assert count["indicator"] == "development_loans_households"
    assert count["locator"] == f"L{FIRST + 1}:4-9"


def test_monthly_report_numbers_cover_the_month():
    head = "UBND XÃ CẨM BÌNH\nBÁO CÁO\nKết quả công tác tháng 5 năm 2022\n"
    row = extract_text(head + "Tổng thu ngân sách đạt 1,2 tỷ đồng.", source="t.txt").iloc[0]
    assert (row["span"], row["month"], row["period"]) == ("month", 5,
                                                          pd.Period("2022Q2", freq="Q-DEC"))


def test_portal_title_names_the_area():
    h = detect_heading("Báo cáo kết quả quý I năm 2022 - Cổng thông tin điện tử xã Cẩm Bình\n")
    assert (h.area_slug, h.period) == ("cam-binh-commune", pd.Period("2022Q1", freq="Q-DEC"))


def test_total_named_by_its_parts():
    """No cue for the total, but its parts are the parts of a catalogue sum rule."""
    body = ("Tiêm vắc xin phòng Covid-19 được 45.678 mũi, trong đó: mũi 1: 12.345 mũi; "
            "mũi 2: 11.234 mũi; mũi nhắc lại: 22.099 mũi.")
    df = rows(body)
    assert [at(df, body, n)["indicator"] for n in ("45.678", "12.345", "11.234", "22.099")] == [
        "covid_doses_total", "covid_doses_1", "covid_doses_2", "covid_doses_3"]


def test_a_part_is_not_its_total():
    body = "Tổng thu ngân sách ước đạt 125,6 tỷ đồng, trong đó thu nội địa 98,2 tỷ đồng."
    df = rows(body)
    assert at(df, body, "125,6")["indicator"] == "budget_revenue"
    part = at(df, body, "98,2")
    assert (part["indicator"], part["subject"]) == ("unclassified", "thu nội địa")


@pytest.mark.parametrize(("body", "needle", "measure", "role", "span"), [
    ("Năm 2022, toàn xã phấn đấu thu ngân sách 12 tỷ đồng.", "12", "value", "target", "year"),
    ("Phấn đấu thu ngân sách quý IV đạt 3 tỷ đồng.", "3 tỷ", "value", "target", "quarter"),
    ("Chỉ tiêu giao trồng mới 500 cây xanh, đã trồng được 320 cây xanh.", "500", "plan",
     "result", "year"),
    ("Chỉ tiêu giao trồng mới 500 cây xanh, đã trồng được 320 cây xanh.", "320", "value",
     "result", "quarter"),
])
def test_commitments_are_targets_and_quotas_plans(body, needle, measure, role, span):
    """Decision: a commitment ("phấn đấu") is the target's value with role ``target``; a
    quota already assigned ("chỉ tiêu giao") is a plan, stated as a result."""
    row = at(rows(body), body, needle)
    assert (row["measure"], row["role"], row["span"]) == (measure, role, span)


def test_percentage_subject_from_the_words_after_it():
    body = "Tiếp nhận 1.520 hồ sơ thủ tục hành chính, 100% hồ sơ giải quyết đúng hạn."
    row = at(rows(body), body, "100%")
    assert (row["measure"], row["unit"]) == ("share_pct", "percent")  # a rate, no indicator
    assert row["subject"].startswith("hồ sơ giải quyết")


@pytest.mark.parametrize(("body", "needle", "indicator", "unit"), [
    ("Giải quyết việc làm mới cho 1.250 lao động.", "1.250", "jobs_created", "person"),
    ("Xuất khẩu lao động 85 người.", "85", "labour_export", "person"),
    ("Tỷ lệ hộ nghèo giảm còn 3,2%.", "3,2", "poor_household_rate", "percent"),
    ("Tỷ lệ người dân tham gia bảo hiểm y tế đạt 92,5%.", "92,5", "health_insurance_coverage",
     "percent"),
    ("Tiếp nhận 1.520 hồ sơ thủ tục hành chính.", "1.520", "admin_dossiers_received",
     "dossier"),
    ("Thu tiền sử dụng đất 45 tỷ đồng.", "45", "land_use_fee_revenue", "VND"),
    ("Giá trị sản xuất nông nghiệp ước đạt 345,7 tỷ đồng.", "345,7", "agricultural_output",
     "VND"),
    ("Sản lượng lương thực ước đạt 7.750 tấn.", "7.750", "food_output", "tonne"),
    ("Năng suất lúa bình quân 62 tạ/ha.", "62", "rice_yield", "quintal_per_ha"),
    ("Có 12 doanh nghiệp thành lập mới.", "12", "new_enterprises", "enterprise"),
    ("Giao quân 45 thanh niên nhập ngũ.", "45", "military_recruits", "person"),
    ("Cấp 256 giấy chứng nhận quyền sử dụng đất.", "256", "land_certificate_dossiers",
     "dossier"),
])
def test_extra_catalogue_indicators(body, needle, indicator, unit):
    row = at(rows(body), body, needle)
    assert (row["indicator"], row["unit"]) == (indicator, unit)


def test_a_clause_with_its_own_subject_does_not_borrow_a_cue():
    body = "Tỷ lệ hộ nghèo giảm còn 3,2%; hộ cận nghèo 4,5%."
    df = rows(body)
    assert at(df, body, "3,2")["indicator"] == "poor_household_rate"
    near_poor = at(df, body, "4,5")
    assert (near_poor["indicator"], near_poor["subject"]) == ("unclassified", "hộ cận nghèo")


@pytest.mark.parametrize(("title", "date_text", "as_of"), [
    ("Kết quả quý I năm 2022", "31/12", "2021-12-31"),
    ("Kết quả quý IV năm 2021", "15/1", "2022-01-15"),
    ("Kết quả quý IV năm 2021", "20/12", "2021-12-20"),
])
def test_to_date_year_is_the_one_nearest_the_quarter(title, date_text, as_of):
    head = f"UBND XÃ CẨM BÌNH\nBÁO CÁO\n{title}\n"
    df = extract_text(head + f"Tính đến {date_text} toàn xã có 1.250 đảng viên.", source="t")
    assert (df.iloc[0]["span"], df.iloc[0]["as_of"]) == ("to_date", as_of)


def test_numbers_in_the_tasks_section_are_targets():
    body = ("Tổng thu ngân sách trong quý đạt 4,9 tỷ đồng, đạt 38% dự toán huyện giao.\n"
            "C. NHIỆM VỤ, GIẢI PHÁP QUÝ IV NĂM 2022\n"
            "- Phấn đấu thu ngân sách 5 tỷ đồng; trồng mới 300 cây xanh.")
    df = rows(body)
    done = at(df, body, "4,9")
    assert (done["measure"], done["period"]) == ("value", Q3)
    q4 = pd.Period("2022Q4", freq="Q-DEC")
    assert done["role"] == "result"
    for needle, indicator in (("5 tỷ", "budget_revenue"), ("300", "trees_planted")):
        row = at(df, body, needle, line=2)
        assert (row["indicator"], row["measure"], row["role"], row["span"], row["period"]) == (
            indicator, "value", "target", "quarter", q4)


@pytest.mark.parametrize(("body", "needle", "indicator"), [
    ("Cấp 31 giấy xác nhận cho hộ nghèo, cận nghèo làm hồ sơ miễn giảm học phí.", "31",
     "poor_household_certificates"),
    ("Giới thiệu 9 quần chúng tham gia lớp bồi dưỡng nhận thức về Đảng (cảm tình Đảng).", "9",
     "party_candidates_introduced"),
    ("Chi bộ thôn 3 có 5 đảng viên bị nhắc nhở.", "5 đảng", "unclassified"),
])
def test_unit_words_that_are_cues(body, needle, indicator):
    """A distinctive unit word ("giấy xác nhận") names its indicator; a common one
    ("đảng viên", the unit of several party indicators) does not."""
    assert at(rows(body), body, needle)["indicator"] == indicator


def test_a_range_of_years_of_membership_is_not_a_value():
    body = "Trao tặng Huy hiệu Đảng cho 30 đồng chí (từ 30 đến 75 năm tuổi Đảng)."
    df = rows(body)
    assert list(df["value"]) == [30.0]
    assert df.iloc[0]["indicator"] == "party_badges_awarded"
