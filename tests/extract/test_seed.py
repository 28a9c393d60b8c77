"""Golden test: every value of the seed report, read with the right magnitude, indicator,
measure and qualifier, and none of its dates, ordinals, document numbers, years, ages,
anniversaries or footnotes read as a value."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import NamedTuple

import pandas as pd
import pytest

from kpi.extract.extractor import extract_report, paired_locator

SEED = Path(__file__).resolve().parents[2] / "data/raw/reports/cam-xuyen-town_2022Q1_52-BC-DU.txt"
LINES = SEED.read_text(encoding="utf-8").split("\n")


class Want(NamedTuple):
    line: int  # 1-based line of the seed
    needle: str  # text of the mention in that line (its first occurrence after ``after``)
    value: float
    indicator: str
    measure: str = "value"
    qualifier: str = "exact"
    span: str = "quarter"
    after: str = ""  # the needle is looked up after this text in the line


T = 1_000_000_000  # tỷ
EXPECTED = [
    Want(20, "01 Nghị quyết", 1, "party_resolutions_issued"),
    Want(20, "02 Chỉ thị", 2, "party_directives_issued"),
    Want(20, "09 Kế hoạch", 9, "party_plans_issued"),
    Want(20, "02 Hướng dẫn", 2, "party_guidelines_issued"),
    Want(41, "21 quần chúng", 21, "party_candidates_introduced"),
    Want(41, "1.124 đảng viên", 1124, "party_members", span="to_date"),
    Want(42, "17 đồng chí", 17, "party_badges_awarded"),
    Want(42, "31 đảng viên", 31, "party_badge_dossiers"),
    Want(42, "11 đảng viên", 11, "party_badge_early"),
    Want(42, "01 đảng viên", 1, "party_badge_early"),
    Want(49, "1.327 suất", 1327, "tet_gifts"),
    Want(49, "458.000.000đ", 458_000_000, "tet_gifts_amount"),
    Want(50, "296 cụ", 296, "longevity_gifts"),
    Want(50, "97.200.000đ", 97_200_000, "longevity_gifts_amount"),
    Want(54, "12 hộ", 12, "development_loans_households"),
    Want(54, "499.640.000 đồng", 499_640_000, "development_loans_amount"),
    Want(60, "100%", 100, "crop_restructuring", "pct_of_plan"),
    Want(60, "60%", 60, "livestock_vaccination", "pct_of_plan"),
    Want(67, "25 cây xanh", 25, "trees_planted"),
    Want(67, "600 m", 600, "green_fence_m"),
    Want(70, "45 tỷ đồng", 45 * T, "industry_construction_output", qualifier="estimate"),
    Want(70, "1,2 %", -1.2, "industry_construction_output", "pct_change_yoy", "estimate"),
    Want(70, "30 tỷ đồng", 30 * T, "handicraft_output", qualifier="estimate"),
    Want(70, "50 tỷ đồng", 50 * T, "construction_output", qualifier="estimate"),
    Want(72, "4.884.100.000đ", 4_884_100_000, "budget_revenue", qualifier="approx"),
    Want(72, "35 hộ", 35, "housing_tax_households", span="month"),
    Want(72, "215.000.000 đồng", 215_000_000, "housing_tax_revenue", span="month"),
    Want(75, "27 hồ sơ", 27, "land_certificate_dossiers"),
    Want(75, "19 bộ hồ sơ", 19, "pre1980_land_dossiers"),
    Want(80, "3,2 tỷ đồng", 3.2 * T, "merit_allowance_amount", qualifier="more_than"),
    Want(80, "665 đối tượng", 665, "merit_beneficiaries"),
    Want(80, "03 đối tượng", 3, "disability_benefit_proposals"),
    Want(80, "03 đối tượng", 3, "age80_benefit_proposals", after="khuyết tật"),
    Want(80, "35 giấy", 35, "poor_household_certificates"),
    Want(80, "04 đối tượng", 4, "war_invalid_gifts"),
    Want(80, "60.000.000đ", 60_000_000, "war_invalid_gifts_amount"),
    Want(81, "06 em", 6, "scholarships_proposed"),
    Want(83, "5.412 người", 5412, "health_declarations"),
    Want(83, "1.877 người", 1877, "covid_f0_cases", span="to_date"),
    Want(84, "352 bệnh nhân", 352, "patients_examined"),
    Want(84, "340", 340, "outpatients", after="ngoại trú"),
    Want(84, "12 bệnh nhân", 12, "patients_referred"),
    Want(84, "25 trẻ em", 25, "child_full_immunisation"),
    Want(84, "332 người", 332, "measles_rubella_polio_vaccination"),
    Want(85, "4.173 mũi", 4173, "covid_doses_total"),
    Want(85, "85mũi", 85, "covid_doses_1"),
    Want(85, "170 mũi", 170, "covid_doses_2"),
    Want(85, "3.918 mũi", 3918, "covid_doses_3"),
]

#: Texts that are not values: (line, text). Every occurrence in the line is checked.
NOT_VALUES = [
    (3, "25/03/2022"), (3, "16:19"), (3, "141"),
    (7, "52 -BC/ĐU"), (12, "22 tháng 3 năm 2022"), (14, "2022"), (17, "2022"),
    (17, "Covid-19"), (19, "1."), (21, "92 năm"),
    (22, "11-CT/TW"), (22, "08/12/2021"), (22, "15-CT/TU"), (22, "28/12/2021"),
    (22, "19 - CT/HU"), (22, "04/01/ 2022"),
    (24, "2022"), (28, "1."), (29, "Trung ương 4"), (29, "05-CT/TW"), (30, "2021"),
    (33, "8, 14 và 15"), (34, "112 năm"), (34, "(08/3)"), (37, "2022-2027"),
    (37, "Covid19"), (38, "1, 2A, 3, 4A, 6A và Chi bộ 7"), (40, "28-CT/TW"),
    (40, "21/01/2019"), (40, "02-HD/BTCTW"), (40, "12/4/2021"), (42, "quý I năm 2022"),
    (42, "đợt 3/2"), (42, "19/5"), (42, "trước 1 năm"), (42, "75 năm"), (42, "trước 2 năm"),
    (47, "[1]"), (48, "657-QĐ/TU"), (48, "04/4/2018"), (48, "01-QĐi/ĐU"), (48, "02/6/2021"),
    (50, "70 tuổi"), (50, "100 tuổi"), (51, "TDP 8"), (51, "08/2/2022"),
    (52, "1, 2a, 3, 4a, 6a và 7"), (53, "5K"), (53, "TDP 6"), (55, "[2]"),
    (60, "đợt 1/2022"), (63, "2022[3]"), (64, "TDP 8 và TDP 15"),
    (65, "Tổ dân phố 8 và Tổ dân phố 15"), (66, "thứ 7"), (68, "TDP 16, 6, 4"),
    (68, "tổ dân phố 14"), (72, "[4]"), (72, "tháng 3"), (73, "2022"), (74, "Chỉ thị 35"),
    (74, "kết luận 29"), (74, "Quyết định số 52"), (75, "1980"), (75, "2, 6, 8"),
    (78, "Covid 19"), (79, "Covid 19"), (79, "covid 19"), (80, "I/2022"), (80, "80 tuổi"),
    (80, "75 năm"), (80, "27/7"), (80, "hạng 1"), (81, "2012-2014"), (83, "23/3"),
    (83, "[5]"), (84, "8 loại vắc xin"), (85, "Covid-19"), (85, "mũi 1"), (85, "mũi 2"),
    (85, "mũi 3"), (87, "2022"), (90, "covid 19"), (95, "2022"), (97, "01-KL/TW"),
    (97, "18/5/2021"), (97, "Trung ương 4"), (101, "01-NQ/ĐU"), (101, "04/02/2021"),
    (107, "Covi-19"), (107, "5-12 tuổi"), (109, "8 và 15"), (110, "2021-2030"),
    (110, "1980"), (114, "mức độ 3 và mức độ 4"), (118, "2022"),
    (144, "truy cập3"), (145, "Hôm nay292"), (146, "7,518"), (147, "187,200"),
    (148, "60 giây"),
]


@pytest.fixture(scope="module")
def seed():
    return extract_report(SEED, source=SEED.name)


def _spans(df: pd.DataFrame) -> list[tuple[int, int, int, pd.Series]]:
    out = []
    for _, row in df.iterrows():
        line, cols = row["locator"][1:].split(":")
        start, end = cols.split("-")
        out.append((int(line), int(start), int(end), row))
    return out


def _position(w: Want) -> tuple[int, int]:
    line = LINES[w.line - 1]
    base = line.index(w.after) + len(w.after) if w.after else 0
    start = line.index(w.needle, base)
    return start, start + len(w.needle)


def _found(w: Want, spans) -> bool:
    start, end = _position(w)
    for line, s, e, row in spans:
        if line == w.line and s < end and start < e:
            return (row["value"] == pytest.approx(w.value, rel=1e-12)
                    and row["indicator"] == w.indicator and row["measure"] == w.measure
                    and row["qualifier"] == w.qualifier and row["span"] == w.span)
    return False


def test_heading(seed):
    _, heading = seed
    assert heading.area_slug == "cam-xuyen-town"
    assert heading.area_name == "Thị trấn Cẩm Xuyên"
    assert heading.level == "town"
    assert heading.period == pd.Period("2022Q1", freq="Q-DEC")
    assert heading.issued == dt.date(2022, 3, 22)
    assert heading.span == "quarter"


def test_recall_of_the_seed_values(seed):
    df, _ = seed
    spans = _spans(df)
    missed = [w for w in EXPECTED if not _found(w, spans)]
    recall = 1 - len(missed) / len(EXPECTED)
    print(f"\nseed recall: {recall:.3f} ({len(EXPECTED) - len(missed)}/{len(EXPECTED)}); "
          f"missed: {[(w.line, w.needle, w.indicator) for w in missed]}")
    assert recall >= 0.95


def test_no_value_is_invented(seed):
    """Precision: every row is one of the expected mentions."""
    df, _ = seed
    wanted = {(w.line, *_position(w)) for w in EXPECTED}
    extra = [(line, row["evidence"][:60], row["value"]) for line, s, e, row in _spans(df)
             if not any(wl == line and ws < e and s < we for wl, ws, we in wanted)]
    precision = 1 - len(extra) / len(df)
    print(f"\nseed precision: {precision:.3f}; extra rows: {extra}")
    assert precision >= 0.95


@pytest.mark.parametrize(("line", "text"), NOT_VALUES)
def test_not_a_value(seed, line, text):
    df, _ = seed
    spans = [(s, e) for ln, s, e, _ in _spans(df) if ln == line]
    source_line = LINES[line - 1]
    assert text in source_line, "test data out of date"
    pos = source_line.find(text)
    while pos >= 0:
        assert not any(s < pos + len(text) and pos < e for s, e in spans), (
            f"{text!r} in line {line} read as a value")
        pos = source_line.find(text, pos + 1)


def test_spans_and_dates(seed):
    df, _ = seed
    by_value = {row["value"]: row for _, row in df.iterrows()}
    f0 = by_value[1877.0]
    assert (f0["span"], f0["as_of"]) == ("to_date", "2022-03-23")
    members = by_value[1124.0]
    assert (members["span"], members["as_of"]) == ("to_date", "")  # "đến nay": no date said
    tax = by_value[215_000_000.0]
    assert (tax["span"], tax["month"]) == ("month", 3)
    assert (df["period"] == pd.Period("2022Q1", freq="Q-DEC")).all()
    assert set(df["area"]) == {"cam-xuyen-town"}
    assert not df["derived"].any() and not df["synthetic"].any()


def test_units_follow_the_catalogue(seed):
    df, _ = seed
    unit = dict(zip(df["indicator"] + "/" + df["measure"], df["unit"], strict=True))
    assert unit["budget_revenue/value"] == "VND"
    assert unit["covid_doses_1/value"] == "dose"
    assert unit["green_fence_m/value"] == "m"
    assert unit["livestock_vaccination/pct_of_plan"] == "percent"
    assert unit["industry_construction_output/pct_change_yoy"] == "percent"


@pytest.mark.parametrize(("count", "amount"), [
    ("1.327 suất", "458.000.000đ"), ("296 cụ", "97.200.000đ"), ("12 hộ", "499.640.000 đồng"),
    ("35 hộ", "215.000.000 đồng"), ("665 đối tượng", "3,2 tỷ đồng"),
    ("04 đối tượng", "60.000.000đ"),
])
def test_counts_are_paired_with_their_amounts(seed, count, amount):
    df, _ = seed
    rows = {row["locator"]: row for _, row in df.iterrows()}

    def locator_of(needle: str) -> str:
        for loc in rows:
            line, cols = loc[1:].split(":")
            start = int(cols.split("-")[0])
            if LINES[int(line) - 1][start:].startswith(needle):
                return loc
        raise AssertionError(f"{needle!r} not extracted")

    a, b = locator_of(count), locator_of(amount)
    assert paired_locator(rows[a]["subject"]) == b
    assert paired_locator(rows[b]["subject"]) == a
    assert rows[b]["unit"] == "VND" and rows[a]["unit"] != "VND"


def test_locators_point_at_the_mention(seed):
    df, _ = seed
    for line, s, e, row in _spans(df):
        text = LINES[line - 1][s:e]
        assert text[:1].isdigit(), (row["locator"], text)
        assert " ".join(text.split()) in " ".join(row["evidence"].split())
        assert len(row["evidence"]) <= 300
