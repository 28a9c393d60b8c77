"""The general table reader on small tables built here: headers, kinds, units, hierarchy."""

from __future__ import annotations

import math
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from openpyxl.styles import Alignment

from kpi.core import schema
from kpi.tables import read_source, read_table

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "tables"


def _sheet(path: Path, rows: list[list[object]], *, merges: tuple[str, ...] = (),
           indents: dict[str, int] | None = None, title: str = "Biểu") -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    for row in rows:
        ws.append(row)
    for ref in merges:
        ws.merge_cells(ref)
    for ref, level in (indents or {}).items():
        ws[ref].alignment = Alignment(indent=level)
    wb.save(path)
    return path


def _one(obs: pd.DataFrame, locator: str) -> pd.Series:
    rows = obs[obs["locator"] == locator]
    assert len(rows) == 1, f"{locator}: {len(rows)} rows"
    return rows.iloc[0]


# A statistical-office style sheet: title, unit corner cell, three header rows with a
# merged comparison header, TỔNG SỐ / Trong đó / group rows, provinces, a footnote.
GSO_LIKE = [
    ["23. Vốn đầu tư thực hiện từ nguồn ngân sách Nhà nước các quý"],
    [],
    [None, None, None, None, None, "Tỷ đồng"],
    [None, None, "Thực hiện", "Ước tính ", "So với cùng kỳ năm trước (%)", None],
    [None, None, "quý I", "quý II", "Quý I", "Quý II"],
    [None, None, "năm 2022", "năm 2022", "năm 2022", "năm 2022"],
    [],
    ["TỔNG SỐ", None, 100.5, 210.25, 110.2, 104],
    [None, "Trung ương", 20.5, 50.25, 117.9, 112.7],
    [None, "Trong đó:"],
    [None, "Bộ Y tế", 3.1, "4,5", 42.1, 38.2],
    [None, "Địa phương"],
    [None, "Vốn ngân sách NN cấp tỉnh", 50, 100, 105, 104.9],
    [None, "Vốn ngân sách NN cấp huyện", 25, 50, 120, 120.6],
    [None, "Vốn ngân sách NN cấp xã", 5, 10, "-", ".."],
    [None, "Phân theo một số tỉnh, thành phố"],
    [None, "Hà Tĩnh", 7.25, 9, 101, 99],
    [None, "TP. Hồ Chí Minh", 12, 15.5, 94, 98],
    [],
    ["Ghi chú: số liệu quý II là số ước tính", None, 999],
]
GSO_INDENTS = {"B11": 1, "B13": 1, "B14": 1, "B15": 1, "B17": 1, "B18": 1}
GSO_MAPPING = {
    "area": "vietnam",
    "rows": {
        "TỔNG SỐ": "public_investment",
        "Trung ương": "public_investment_central",
        "Trung ương > Bộ Y tế": "public_investment_ministry_health",
        "Vốn ngân sách NN cấp tỉnh": "public_investment_province_level",
        "Vốn ngân sách NN cấp huyện": "public_investment_district_level",
        "Vốn ngân sách NN cấp xã": "public_investment_commune_level",
        "Phân theo một số tỉnh, thành phố": "public_investment",
    },
}


@pytest.fixture(scope="module")
def gso_like(tmp_path_factory: pytest.TempPathFactory):
    path = _sheet(tmp_path_factory.mktemp("xlsx") / "bieu.xlsx", GSO_LIKE,
                  merges=("E4:F4",), indents=GSO_INDENTS, title="3.Von")
    return read_table(path, mapping=GSO_MAPPING, source="tables/bieu.xlsx")


def test_merged_header_kinds_and_periods(gso_like) -> None:
    obs = gso_like.observations
    c8, d8 = _one(obs, "3.Von!C8"), _one(obs, "3.Von!D8")
    assert (str(c8["period"]), c8["span"], c8["qualifier"]) == ("2022Q1", "quarter", "exact")
    assert (str(d8["period"]), d8["qualifier"]) == ("2022Q2", "estimate")
    # F4 is empty but merged with E4: the comparison header covers column F too.
    f8 = _one(obs, "3.Von!F8")
    assert (f8["measure"], f8["unit"], f8["value"]) == ("pct_of_prior_year", "percent", 104.0)
    assert f8["qualifier"] == "estimate"  # the % of an estimated quarter
    assert _one(obs, "3.Von!E8")["qualifier"] == "exact"


def test_unit_cell_scales_exactly_to_vnd(gso_like) -> None:
    obs = gso_like.observations
    assert _one(obs, "3.Von!C8")["value"] == 100_500_000_000
    assert _one(obs, "3.Von!D8")["value"] == 210_250_000_000
    assert _one(obs, "3.Von!C9")["value"] == 20_500_000_000
    assert _one(obs, "3.Von!D11")["value"] == 4_500_000_000  # "4,5" typed as text
    assert set(obs.loc[obs["measure"] == "value", "unit"]) == {"VND"}


def test_rows_map_to_indicators_areas_and_paths(gso_like) -> None:
    obs = gso_like.observations
    assert _one(obs, "3.Von!C11")["indicator"] == "public_investment_ministry_health"
    assert _one(obs, "3.Von!C11")["subject"] == "TỔNG SỐ > Trung ương > Bộ Y tế"
    ha_tinh = _one(obs, "3.Von!C17")
    assert (ha_tinh["area"], ha_tinh["indicator"]) == ("ha-tinh-province", "public_investment")
    assert _one(obs, "3.Von!C18")["area"] == "ho-chi-minh-city"
    assert _one(obs, "3.Von!C13")["area"] == "vietnam"


def test_no_value_marks_footnotes_and_markers_give_no_rows(gso_like) -> None:
    obs = gso_like.observations
    assert obs["locator"].isin(["3.Von!E15", "3.Von!F15"]).sum() == 0  # "-" and ".."
    assert not obs["locator"].str.endswith("20").any()  # the footnote's 999
    assert not obs["evidence"].str.contains("Trong đó|Địa phương:", regex=True).any()
    # 8 rows with values × 4 columns, minus the two "no value" cells
    assert len(obs) == 8 * 4 - 2
    schema.validate(obs)


def test_structure_gives_sum_and_parts_rules(gso_like) -> None:
    rules = {r.kind: r for r in gso_like.rules}
    assert rules["sum"].total == "public_investment"
    assert set(rules["sum"].parts) == {
        "public_investment_central", "public_investment_province_level",
        "public_investment_district_level", "public_investment_commune_level"}
    assert rules["parts_le_total"].total == "public_investment_central"
    assert rules["parts_le_total"].parts == ("public_investment_ministry_health",)


def test_total_row_equals_its_parts_in_the_fixture(gso_like) -> None:
    obs = gso_like.observations
    q1 = obs[(obs["measure"] == "value") & (obs["period"] == pd.Period("2022Q1", "Q-DEC"))
             & (obs["area"] == "vietnam")].set_index("indicator")["value"]
    parts = ["public_investment_central", "public_investment_province_level",
             "public_investment_district_level", "public_investment_commune_level"]
    assert math.isclose(q1["public_investment"], q1[parts].sum())


def test_general_reader_without_mapping_keeps_every_number_unclassified(tmp_path) -> None:
    path = _sheet(tmp_path / "x.xlsx", GSO_LIKE, merges=("E4:F4",), indents=GSO_INDENTS)
    obs = read_table(path).observations
    assert set(obs["indicator"]) == {"unclassified"}
    assert len(obs) == 30
    assert _one(obs, "Biểu!C17")["subject"] == \
        "TỔNG SỐ > Địa phương > Phân theo một số tỉnh, thành phố"
    assert obs["source"].eq("x.xlsx").all()


def test_unit_column_with_ditto_marks_and_section_rows(tmp_path) -> None:
    rows = [
        ["47. Một số chỉ tiêu xã hội - môi trường"],
        [],
        [None, None, "Đơn vị", "Quý I", "Quý II", "6 tháng "],
        [None, None, "tính", "năm 2022", "năm 2022", "năm 2022"],
        ["Tai nạn giao thông"],
        [None, "Số vụ", "Vụ", 2762, 2922, 5684],
        [None, "Số người chết", "Người", 1676, 1610, 3286],
        [None, "Số người bị thương", '"', 947, 1009, 1956],
        ["Cháy, nổ"],
        [None, "Số người chết", "Người", 23, 25, 48],
        [None, "Tổng giá trị thiệt hại", "Tỷ đồng", 56.74, 367.91, 424.65],
    ]
    obs = read_table(_sheet(tmp_path / "x.xlsx", rows), mapping={"rows": {
        "Tai nạn giao thông > Số người chết": "traffic_deaths",
        "Cháy, nổ > Số người chết": "fire_deaths",
        "Cháy, nổ > Tổng giá trị thiệt hại": "fire_damage_value",
        "Tai nạn giao thông > Số người bị thương": "traffic_injuries",
    }}).observations
    assert _one(obs, "Biểu!D8")["unit"] == "person"  # '"' repeats "Người"
    assert _one(obs, "Biểu!D7")["indicator"] == "traffic_deaths"
    assert _one(obs, "Biểu!D10")["indicator"] == "fire_deaths"
    assert _one(obs, "Biểu!D11")["value"] == 56_740_000_000
    f6 = _one(obs, "Biểu!F6")
    assert (f6["span"], str(f6["period"]), f6["unit"]) == ("ytd", "2022Q2", "case")


def test_periods_in_rows_and_breakdown_columns(tmp_path) -> None:
    rows = [
        ["46. Tỷ lệ thất nghiệp"],
        [None, None, None, "%"],
        [None, "Chung", "Chia ra:", None],
        [None, None, "Thành thị", "Nông thôn"],
        ["Tỷ lệ thất nghiệp trong độ tuổi lao động"],
        ["Quý I năm 2022", 2.46, 2.88, 2.19],
        ["Ước tính 6 tháng đầu năm 2022", 2.39, 2.93, 2.05],
    ]
    obs = read_table(_sheet(tmp_path / "x.xlsx", rows, merges=("B3:B4", "C3:D3"),
                            indents={"A6": 2, "A7": 2})).observations
    b6, c7 = _one(obs, "Biểu!B6"), _one(obs, "Biểu!C7")
    assert (str(b6["period"]), b6["span"], b6["value"], b6["unit"]) == \
        ("2022Q1", "quarter", 2.46, "percent")
    assert (str(c7["period"]), c7["span"], c7["qualifier"]) == ("2022Q2", "ytd", "estimate")
    assert c7["subject"] == "Tỷ lệ thất nghiệp trong độ tuổi lao động > Thành thị"


def test_monthly_and_cumulative_columns(tmp_path) -> None:
    rows = [
        ["22. Vốn đầu tư"],
        [None, None, None, None, None, "Tỷ đồng"],
        [None, "Thực hiện", "Ước tính", "Cộng dồn", "6 tháng năm 2022 so với"],
        [None, "tháng 5", "tháng 6", "6 tháng", "kế hoạch năm 2022 (%)"],
        [None, "năm 2022", "năm 2022", "năm 2022", None],
        ["TỔNG SỐ", 38181.2, 44352.067, 192234.839, 35.34],
    ]
    obs = read_table(_sheet(tmp_path / "x.xlsx", rows),
                     mapping={"rows": {"TỔNG SỐ": "public_investment"}}).observations
    b6, c6, d6, e6 = (_one(obs, f"Biểu!{c}6") for c in "BCDE")
    assert (b6["span"], b6["month"], b6["qualifier"]) == ("month", 5, "exact")
    assert (c6["span"], c6["month"], c6["qualifier"]) == ("month", 6, "estimate")
    assert (d6["span"], d6["qualifier"], d6["value"]) == ("ytd", "estimate", 192_234_839_000_000)
    assert (e6["measure"], e6["span"], e6["value"]) == ("pct_of_plan", "ytd", 35.34)


def test_second_table_block_gets_its_own_header(tmp_path) -> None:
    rows = [
        ["6. Chăn nuôi"],
        [None, "Quý I năm 2022", "Quý II năm 2022"],
        ["Thịt lợn (Nghìn tấn)", 1041.05, 1075.26],
        [],
        ["7. Lâm nghiệp"],
        [None, "Quý III năm 2021", "Quý IV năm 2021"],
        ["Gỗ khai thác (Nghìn m3)", 3185.46, 5302.76],
    ]
    obs = read_table(_sheet(tmp_path / "x.xlsx", rows)).observations
    b3, b7 = _one(obs, "Biểu!B3"), _one(obs, "Biểu!B7")
    assert (str(b3["period"]), b3["value"], b3["unit"]) == ("2022Q1", 1_041_050, "tonne")
    assert (str(b7["period"]), b7["value"], b7["unit"]) == ("2021Q3", 3_185_460, "m3")


def test_csv_fixture_with_mapping_beside_it() -> None:
    result = read_source(FIXTURES / "commune_budget_2022.csv", source="x/budget.csv")
    obs = result.observations
    plan = _one(obs, 'row 4, column "Dự toán năm 2022"')
    assert (plan["indicator"], plan["measure"], plan["span"], str(plan["period"])) == \
        ("budget_revenue", "plan", "year", "2022Q4")
    assert plan["value"] == 4_884_100_000  # "4.884,1" triệu đồng
    q2 = _one(obs, 'row 4, column "Ước thực hiện Quý II/2022"')
    assert (q2["value"], q2["qualifier"]) == (1_310_000_000, "estimate")
    tax = _one(obs, 'row 6, column "Thực hiện Quý I/2022"')
    assert (tax["indicator"], tax["value"], tax["area"]) == \
        ("housing_tax_revenue", 30_500_000, "cam-xuyen-town")
    fee = obs[obs["subject"].str.endswith("Thu phí, lệ phí")]
    assert set(fee["indicator"]) == {"unclassified"} and len(fee) == 2  # ".." and "x"
    assert not obs["evidence"].str.contains("Ghi chú|Nguồn").any()
    assert (obs["source"] == "x/budget.csv").all()
    assert result.rejected == []


def test_csv_hierarchy_by_leading_spaces_and_bullets(tmp_path) -> None:
    path = tmp_path / "t.csv"
    path.write_text(
        "Đơn vị tính: Triệu đồng\n"
        "Chỉ tiêu;Quý I/2022\n"
        "Tổng số;100\n"
        "- Thu thuế;60\n"
        "+ Thuế nhà ở;10\n"
        "- Thu phí;40\n", encoding="utf-8")
    obs = read_table(path).observations
    assert list(obs["subject"]) == ["Tổng số", "Tổng số > Thu thuế",
                                    "Tổng số > Thu thuế > Thuế nhà ở", "Tổng số > Thu phí"]
    assert list(obs["value"]) == [100e6, 60e6, 10e6, 40e6]
    assert obs["locator"].iloc[0] == 'row 3, column "Quý I/2022"'


def test_flat_of_which_list_ends_at_a_blank_row(tmp_path) -> None:
    path = tmp_path / "flat.csv"
    path.write_text("Đơn vị tính: Triệu đồng\nChỉ tiêu;Quý I/2022\nTổng thu;100\nTrong đó:;\n"
                    "Thu thuế nhà ở;60\nThu phí;10\n\nTổng chi;90\n", encoding="utf-8")
    obs = read_table(path).observations
    assert list(obs["subject"]) == ["Tổng thu", "Tổng thu > Thu thuế nhà ở",
                                    "Tổng thu > Thu phí", "Tổng chi"]


@pytest.mark.parametrize("numbers", ["A;B;1;2", "A;;(1);(2)", ";(A);1;2"])
def test_column_number_row_under_the_header_is_neither_data_nor_header(
        tmp_path, numbers) -> None:
    path = tmp_path / "numbered.csv"
    path.write_text("Đơn vị tính: Triệu đồng\nChỉ tiêu;Ghi chú;Quý I/2022;Quý II/2022\n"
                    f"{numbers}\nTổng thu;;100;120\n", encoding="utf-8")
    obs = read_table(path).observations
    assert list(obs["subject"]) == ["Tổng thu", "Tổng thu"]
    assert [str(p) for p in obs["period"]] == ["2022Q1", "2022Q2"]
    assert list(obs["value"]) == [100e6, 120e6]


def test_labelled_row_of_consecutive_numbers_is_data(tmp_path) -> None:
    path = tmp_path / "counts.csv"
    path.write_text("Đơn vị tính: Nghìn đồng\nChỉ tiêu;Quý I/2022;Quý II/2022\n"
                    "Chỉ tiêu số 1;0;1\nChỉ tiêu số 2;1;2\n", encoding="utf-8")
    obs = read_table(path).observations
    assert list(obs["subject"]) == ["Chỉ tiêu số 1"] * 2 + ["Chỉ tiêu số 2"] * 2
    assert list(obs["value"]) == [0, 1e3, 1e3, 2e3]
